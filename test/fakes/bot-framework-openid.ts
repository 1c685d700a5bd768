import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * The Bot Framework's OpenID metadata + signing keys on loopback, and a signer for channel tokens
 * (iss https://api.botframework.com, aud = bot app id, serviceurl claim), so production-mode JWT
 * validation in botbuilder runs for real against keys we control.
 */
export class FakeBotFrameworkOpenId {
  url = '';
  private server = http.createServer((req, res) => this.handle(req, res));
  private key!: CryptoKey;
  private jwk!: JWK;
  readonly kid = 'fake-bf-key-1';

  async start(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    this.key = privateKey as CryptoKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' };
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  get metadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const send = (obj: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (req.url?.startsWith('/v1/.well-known/openidconfiguration')) {
      return send({ issuer: 'https://api.botframework.com', authorization_endpoint: 'https://invalid.botframework.com', jwks_uri: `${this.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    }
    if (req.url?.startsWith('/v1/.well-known/keys')) return send({ keys: [{ ...this.jwk, endorsements: ['msteams'] }] });
    res.writeHead(404);
    res.end();
  }

  /** A channel token as the Bot Connector service sends it. */
  async token(opts: { appId: string; serviceUrl: string; issuer?: string; expiresInSec?: number; notBefore?: number }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ serviceurl: opts.serviceUrl })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(opts.issuer ?? 'https://api.botframework.com')
      .setAudience(opts.appId)
      .setIssuedAt(now - 60)
      .setNotBefore(opts.notBefore ?? now - 60)
      .setExpirationTime(now + (opts.expiresInSec ?? 3600))
      .sign(this.key);
  }
}
