import { startTestApp } from '../helpers/test-app';
import { alertLine, metric } from '../sources/onprem/helpers';

describe('hybridwatch_db_queries_total', () => {
  test('counts the statements the app sends: an HTTP ingest batch adds at least the begin, gate and commit of its transaction', async () => {
    const t = await startTestApp({ env: { INGEST_TOKEN: 'db-queries-token-0123456789' } });
    try {
      const before = await metric(t.url, 'hybridwatch_db_queries_total');
      const body = [0, 1, 2].map((i) => alertLine(`0000000${i}-0000-4000-8000-00000000dbf${i}`).toString('utf8')).join('\n') + '\n';
      const res = await fetch(`${t.url}/api/ingest/cef`, { method: 'POST', headers: { authorization: 'Bearer db-queries-token-0123456789', 'content-type': 'text/plain' }, body });
      expect(res.status).toBe(200);
      const r = await res.json();
      // The integration is not enabled yet: the messages are counted as ignored, through the database gate.
      expect(r.accepted + r.ignored).toBe(3);
      const after = await metric(t.url, 'hybridwatch_db_queries_total');
      expect(after - before).toBeGreaterThanOrEqual(3);
    } finally {
      await t.close();
    }
  });
});
