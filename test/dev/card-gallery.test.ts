import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEMPLATE_NAMES, BUILT_IN_TEMPLATES } from '../../cards/templates';
import { galleryEntries } from '../../bot/dev/gallery-routes';
import { expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe('/dev/cards: the template gallery (local mode)', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-gallery-'));
    t = await startTestApp({ env: { CARDS_DIR: dir } });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const entries = async () => (await (await fetch(`${t.url}/dev/api/cards`)).json()).entries as any[];

  test('serves the page and every template expanded with its sample data, valid and under 28 KB', async () => {
    const page = await fetch(`${t.url}/dev/cards`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('/dev/static/cards.js');
    expect((await fetch(`${t.url}/dev/static/cards.js`)).status).toBe(200);
    const list = await entries();
    expect(list.map((e) => e.name)).toEqual(TEMPLATE_NAMES);
    for (const e of list) {
      expect(e).toMatchObject({ template: 'built-in', sample: 'built-in', problems: [] });
      expectValidCard(e.card);
    }
  });

  test('reads CARDS_DIR on every request: an edit shows at once, a broken file says what is wrong', async () => {
    const status = JSON.parse(JSON.stringify(BUILT_IN_TEMPLATES.status));
    status.body[0].text = 'Edited in the Designer';
    fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify(status));
    let s = (await entries()).find((e) => e.name === 'status');
    expect(s.template).toBe('CARDS_DIR');
    expect(s.card.body[0].text).toBe('Edited in the Designer');

    fs.writeFileSync(path.join(dir, 'status.json'), '{ "type": ');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    const list = await entries();
    s = list.find((e) => e.name === 'status');
    expect(s.card).toBeNull();
    expect(s.problems.join('\n')).toMatch(/status\.json: is not valid JSON/);
    expect(list[0]).toMatchObject({ name: 'CARDS_DIR' });
    expect(list[0].problems.join('\n')).toMatch(/notes\.txt: no built-in card template is named like this/);
    fs.rmSync(path.join(dir, 'status.json'));
    fs.rmSync(path.join(dir, 'notes.txt'));
  });

  test('a missing built-in file is reported, not thrown', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-builtin-'));
    const e = galleryEntries(undefined, empty);
    expect(e.every((x) => x.card === null && x.problems.length === 2)).toBe(true);
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
