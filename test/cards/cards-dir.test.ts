import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../bot/app';
import { ConfigError, loadConfig } from '../../bot/config';
import { installTemplates } from '../../cards/render';
import { BUILT_IN_TEMPLATES, SAMPLE_DATA } from '../../cards/templates';
import { statusCard } from '../../cards/status-card';
import { SAMPLE_INPUTS } from '../../cards/samples';
import { USERS } from '../helpers/activities';
import { ENTRY, ROOT, ensureBuilt } from '../helpers/build';
import { cardText, expectValidCard } from '../helpers/cards';
import { SAMPLE_DIRECTORY, startTestApp } from '../helpers/test-app';
import { say } from '../hybrid/helpers';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** The built-in status template with its heading reworded. */
function statusWith(heading: string): any {
  const t = clone(BUILT_IN_TEMPLATES.status) as any;
  t.body[0].text = heading;
  return t;
}

let dir: string;
const write = (file: string, json: unknown) => fs.writeFileSync(path.join(dir, file), typeof json === 'string' ? json : JSON.stringify(json, null, 2));
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-cards-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What start-up says about this CARDS_DIR (null = it starts). */
async function startProblem(): Promise<string | null> {
  const env = { CARDS_DIR: dir, DIRECTORY_FILE: SAMPLE_DIRECTORY, DATA_DIR: path.join(dir, '.data'), PORT: '0', SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', LOG_LEVEL: 'silent' };
  try {
    const app = await buildApp(loadConfig(env));
    await app.stop();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
}

describe('CARDS_DIR overrides', () => {
  test('done when: changing the status template changes what `status` shows after a restart', async () => {
    write('status.json', statusWith('Azure ATP integration · Contoso SOC'));
    const t = await startTestApp({ env: { CARDS_DIR: dir } });
    try {
      await say(t, 'status', USERS.securityReader);
      const first = t.connector.cards()[0];
      expectValidCard(first);
      expect(cardText(first)).toMatch(/^Azure ATP integration · Contoso SOC\nDisabled/);

      write('status.json', statusWith('Hybrid integration (night shift)'));
      await say(t, 'status', USERS.securityReader);
      expect(cardText(t.connector.cards()[0])).toContain('Contoso SOC'); // read once, at start
      await t.restart();
      await say(t, 'status', USERS.securityReader);
      expect(cardText(t.connector.cards()[0])).toMatch(/^Hybrid integration \(night shift\)\nDisabled/);

      fs.rmSync(path.join(dir, 'status.json'));
      await t.restart();
      await say(t, 'status', USERS.securityReader);
      expect(cardText(t.connector.cards()[0])).toMatch(/^Azure ATP integration\nDisabled/);
    } finally {
      await t.close();
    }
  });

  test('an override with its own sample data; other cards keep the built-ins; dotfiles are ignored', async () => {
    const t = clone(BUILT_IN_TEMPLATES.status) as any;
    t.body.push({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'On call: ${by}' }] });
    write('status.json', t);
    write('status.data.json', { ...SAMPLE_DATA.status, by: 'Megan Bowen' });
    write('.DS_Store', 'junk');
    expect(await startProblem()).toBeNull();
    expect(cardText(statusCard(SAMPLE_INPUTS.status()).card)).toContain('On call: Alex Wilber');
  });

  test.each([
    ['a lone expression that throws', '${substring(by, 0, 4)}'],
    ['an expression inside text that fails', 'On call: ${substring(by, 0, 4)}'],
  ])('an override that fails on real data (%s) draws the built-in card instead and reports it', (_name, text) => {
    const t = clone(BUILT_IN_TEMPLATES.status) as any;
    t.body.push({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text }] });
    const errors: string[] = [];
    installTemplates({ status: t }, (e) => errors.push(`${e.template}: ${e.message}`));
    try {
      // Fine with the sample ("Alex Wilber")…
      expect(cardText(statusCard(SAMPLE_INPUTS.status()).card)).toMatch(/(^|: )Alex$/m);
      expect(errors).toEqual([]);
      // …but nobody made the last transition here: the built-in card, and one report.
      const c = statusCard({ ...SAMPLE_INPUTS.status(), integration: { ...SAMPLE_INPUTS.status().integration, byName: null } }).card;
      expectValidCard(c);
      expect(JSON.stringify(c)).not.toContain('${');
      expect(cardText(c)).toMatch(/^Azure ATP integration\nActive/);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^status: /);
    } finally {
      installTemplates({});
    }
  });

  const TPL = () => clone(BUILT_IN_TEMPLATES.status) as any;
  test.each<[string, () => void, RegExp]>([
    ['an unknown file name', () => write('statuss.json', TPL()), /statuss\.json: no built-in card template is named like this; use one of alert\.json, alerts\.json/],
    ['a folder inside', () => fs.mkdirSync(path.join(dir, 'status.json')), /status\.json: is not a file/],
    ['invalid JSON', () => write('status.json', '{ "type": "AdaptiveCard", '), /status\.json: is not valid JSON \(/],
    ['not an object', () => write('alert.json', '[1, 2]'), /alert\.json: is not a JSON object/],
    ['not a card', () => write('status.json', { ...TPL(), type: 'Card' }), /status\.json: "type" is "Card", want "AdaptiveCard"/],
    ['version 1.6', () => write('status.json', { ...TPL(), version: '1.6' }), /status\.json: "version" is "1.6", want "1.5"/],
    ['a field the data does not have', () => write('status.json', { ...TPL(), body: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Owner: ${owner}' }] }] }), /status\.json: binds fields the sample data does not have: \$\{owner\}/],
    ['data in Markdown', () => write('status.json', { ...TPL(), body: [{ type: 'TextBlock', text: '**${stateLabel}**' }] }), /status\.json: body\[0\]\.text binds data into Markdown.*TextRun/],
    ['an unknown element', () => write('status.json', { ...TPL(), body: [{ type: 'Carousel9', items: [] }] }), /status\.json: parse: .*Carousel9/],
    ['a bad property value', () => write('status.json', { ...TPL(), body: [{ type: 'TextBlock', text: 'x', size: 'Huge' }] }), /status\.json: parse: Invalid value "Huge"/],
    ['a broken expression', () => write('status.json', { ...TPL(), body: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '${nosuch(by)}' }] }] }), /status\.json: (expanding failed|expressions left unevaluated).*nosuch/],
    ['over 28 KB with its sample', () => write('status.json', { ...TPL(), body: [{ type: 'TextBlock', text: 'x'.repeat(30_000), wrap: true }] }), /status\.json: size \d+ bytes over 26624/],
    ['sample data the built-in template cannot use', () => write('status.data.json', { state: 'active' }), /status\.data\.json: binds fields the sample data does not have: .* with the built-in status template/],
  ])('%s refuses start with one line naming the file', async (_name, arrange, problem) => {
    arrange();
    const msg = await startProblem();
    expect(msg).toMatch(/^CARDS_DIR: \//);
    expect(msg).toMatch(problem);
    expect(msg).toMatch(/\. Fix it \(open it with its sample data in the Adaptive Cards Designer/);
    expect(msg!.split('\n')).toHaveLength(1);
  });

  test('CARDS_DIR must be a folder', () => {
    expect(() => loadConfig({ CARDS_DIR: path.join(dir, 'nope') })).toThrow(/^CARDS_DIR: ".*nope" does not exist\. Create the folder/);
    write('status.json', TPL());
    expect(() => loadConfig({ CARDS_DIR: path.join(dir, 'status.json') })).toThrow(/^CARDS_DIR: ".*status\.json" is not a folder/);
    expect(loadConfig({ CARDS_DIR: dir }).cardsDir).toBe(dir);
  });

  test('the real entry point prints one line and exits with code 2 on a bad override', () => {
    ensureBuilt();
    write('status.json', { ...TPL(), version: '1.2' });
    const r = spawnSync(process.execPath, [ENTRY], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, CARDS_DIR: dir, DATA_DIR: path.join(dir, '.data'), PORT: '0', SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', LOG_LEVEL: 'silent', INGEST_TOKEN: 'x' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Hybridwatch cannot start: CARDS_DIR: .*status\.json: "version" is "1\.2", want "1\.5"/);
    expect(fs.existsSync(path.join(dir, '.data'))).toBe(false); // stopped before opening the database
  }, 240_000);
});
