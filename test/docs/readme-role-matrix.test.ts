import fs from 'node:fs';
import path from 'node:path';
import { CAPABILITIES, type RoleName } from '../../bot/directory/roles';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * README's "Who may do what" table must say what the code does: every chat command and every card verb
 * the app routes has a row, and each role column's ✔ / — is exactly what its capability grants.
 */
const COLUMNS: RoleName[][] = [['Global Administrator'], ['Security Administrator'], ['Cloud App Security Administrator'], ['Security Operator'], ['Security Reader', 'Global Reader'], []];

function matrix(): Map<string, boolean[]> {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('| command / verb |');
  expect(start).toBeGreaterThan(0);
  const lines = readme.slice(start).split('\n').slice(2);
  const rows = lines.slice(0, lines.findIndex((l) => !l.startsWith('|')));
  const out = new Map<string, boolean[]>();
  for (const row of rows) {
    const cells = row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const names = [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1].split(/\s/)[0]);
    const allowed = cells.slice(1).map((c) => c.startsWith('✔'));
    for (const n of names) out.set(n, allowed);
  }
  return out;
}

describe('README role matrix', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  test('every command and verb has a row, and the row says what its capability allows', () => {
    const m = matrix();
    const routes = [
      ...t.app.features.flatMap((f) => f.commands ?? []).map((c) => ({ name: c.name, capability: c.capability })),
      { name: 'help', capability: null },
      ...t.app.features.flatMap((f) => f.actions ?? []).map((a) => ({ name: a.verb, capability: a.capability })),
    ];
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      const expected = COLUMNS.map((roles) => (r.capability === null ? true : roles.some((x) => (CAPABILITIES[r.capability!] as readonly string[]).includes(x))));
      expect({ name: r.name, row: m.get(r.name) }).toEqual({ name: r.name, row: expected });
    }
  });
});
