import { Writable } from 'node:stream';
import { createLogger } from '../../bot/log';

describe('logs never carry secrets', () => {
  test('tokens, passwords, client secrets and Authorization headers are redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger('info', sink);
    log.info({ req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1' } }, config: { clientSecret: 's3cr3t', appPassword: 'p4ss', token: 'mcas-token' }, MCAS_TOKEN: 'x1', INGEST_TOKEN: 'x2', headers: { authorization: 'Token 0123' } }, 'hello');
    const out = lines.join('');
    for (const secret of ['abc.def.ghi', 'sid=1', 's3cr3t', 'p4ss', 'mcas-token', 'x1', 'x2', 'Token 0123']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(out).toContain('hello');
  });
});
