import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';

/**
 * Entra's key discovery on https://127.0.0.1 (test CA in test/fakes/tls): serves
 * /common/discovery/v2.0/keys and signs tokens like Teams SSO's (RS256, kid).
 */
export class FakeEntraKeys {
  private server = https.createServer({
    key: fs.readFileSync(path.join(__dirname, '../fakes/tls/key.pem')),
    cert: fs.readFileSync(path.join(__dirname, '../fakes/tls/cert.pem')),
  }, (req, res) => {
    this.requests++;
    if (req.url === '/common/discovery/v2.0/keys') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.jwks }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  private jwks: unknown[] = [];
  private key!: KeyLike;
  requests = 0;
  url = '';
  readonly kid = 'test-kid-1';

  async start(): Promise<string> {
    if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error('run through `npm test` (it sets NODE_EXTRA_CA_CERTS=test/fakes/tls/cert.pem)');
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    this.key = privateKey;
    this.jwks = [{ ...(await exportJWK(publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' }];
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** A token signed with the published key (or `withKey` to forge one). */
  async sign(claims: JWTPayload, o: { now: Date; expiresInS?: number; withKey?: KeyLike; kid?: string } ): Promise<string> {
    const iat = Math.floor(o.now.getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? this.kid, typ: 'JWT' })
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + (o.expiresInS ?? 3600))
      .sign(o.withKey ?? this.key);
  }
}
