import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { buildManifest, buildPackage, inputProblems } from '../../manifest/build-package';
import template from '../../manifest/manifest.template.json';
import { startTestApp } from '../helpers/test-app';

// The official Teams manifest schema, as Microsoft publishes it in @microsoft/app-manifest.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const officialSchema = require('@microsoft/app-manifest/build/json-schemas/teams/v1.19/MicrosoftTeams.schema.json');

const INPUTS = { appId: '11111111-2222-4333-8444-555555555555', botDomain: 'hybridwatch.contoso.com', version: '0.1.0' };
/** The commands DESIGN.md lists, plus `subscriptions` (issue 6), which the bot implements. */
const COMMANDS = ['help', 'status', 'enable', 'disable', 'config', 'policies', 'subscribe', 'unsubscribe', 'subscriptions', 'alerts', 'risky', 'user', 'health'];

function validator() {
  // The schema declares draft-04; its keywords here are the draft-04 ⊂ draft-07 subset (no boolean
  // exclusiveMinimum, no `id`), so Ajv 8 validates it once the draft-04 $schema marker is dropped.
  const { $schema: _ignored, ...schema } = officialSchema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('Teams app manifest', () => {
  const manifest = buildManifest(INPUTS) as any;

  test('validates against the official Teams manifest schema v1.19', () => {
    expect(officialSchema.$schema).toMatch(/draft-04/);
    const validate = validator();
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(manifest.manifestVersion).toBe('1.19');
    expect(manifest.$schema).toContain('/v1.19/');
  });

  test('the validator does catch a broken manifest', () => {
    const validate = validator();
    expect(validate({ ...manifest, id: 'not-a-guid' })).toBe(false);
    expect(validate({ ...manifest, bots: [{ ...manifest.bots[0], scopes: ['everywhere'] }] })).toBe(false);
  });

  test('ids, domain and SSO resource are filled from the inputs; no placeholder is left', () => {
    const text = JSON.stringify(manifest);
    expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(manifest.id).toBe(INPUTS.appId);
    expect(manifest.version).toBe('0.1.0');
    expect(manifest.bots[0].botId).toBe(INPUTS.appId);
    expect(manifest.bots[0].scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifest.webApplicationInfo).toEqual({ id: INPUTS.appId, resource: `api://${INPUTS.botDomain}/${INPUTS.appId}` });
    expect(manifest.validDomains).toEqual([INPUTS.botDomain]);
    expect(manifest.staticTabs[0]).toMatchObject({ contentUrl: `https://${INPUTS.botDomain}/tab/`, scopes: ['personal'] });
  });

  test('commandLists offer exactly the real commands, within Teams limits', () => {
    const lists = manifest.bots[0].commandLists as Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }>;
    expect(lists.length).toBeLessThanOrEqual(3);
    for (const l of lists) expect(l.commands.length).toBeLessThanOrEqual(10);
    const titles = new Set(lists.flatMap((l) => l.commands.map((c) => c.title)));
    expect([...titles].sort()).toEqual([...COMMANDS].sort());
    expect(lists.find((l) => l.scopes.includes('personal'))!.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['enable', 'disable', 'status']));
    expect(lists.find((l) => l.scopes.includes('team'))!.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['subscribe', 'unsubscribe']));
  });

  test('every command the running bot registers is in the manifest (and nothing the bot lacks)', async () => {
    const t = await startTestApp();
    try {
      const registered = ['help', ...t.app.features.flatMap((f) => (f.commands ?? []).map((c) => c.name))];
      const titles = new Set((manifest.bots[0].commandLists as any[]).flatMap((l) => l.commands.map((c: any) => c.title)));
      for (const name of registered) expect(titles).toContain(name);
      // Commands still being built by other concerns are listed in DESIGN.md; the manifest may be ahead of them.
      for (const title of titles) expect(COMMANDS).toContain(title);
    } finally {
      await t.close();
    }
  });

  test('bad inputs are named with the variable and the fix', () => {
    expect(inputProblems({ appId: '', botDomain: 'https://x.example.com/', version: '1' })).toEqual([
      expect.stringMatching(/^MicrosoftAppId: .*Azure Bot registration/),
      expect.stringMatching(/^BOT_DOMAIN: .*host name/),
      expect.stringMatching(/^version: /),
    ]);
    expect(inputProblems(INPUTS)).toEqual([]);
    expect(() => buildManifest({ ...INPUTS })).not.toThrow();
    expect(JSON.stringify(template)).toContain('{{APP_ID}}');
  });
});

describe('app package zip', () => {
  test('holds manifest.json and the two icons at its root, icons at the sizes Teams requires', async () => {
    const zip = await JSZip.loadAsync(await buildPackage(INPUTS));
    const names = Object.keys(zip.files).sort();
    expect(names).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(validator()(manifest)).toBe(true);

    const color = PNG.sync.read(await zip.file('color.png')!.async('nodebuffer'));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = PNG.sync.read(await zip.file('outline.png')!.async('nodebuffer'));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    // Outline: white on transparent only.
    let opaque = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a > 0) {
        opaque++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(opaque).toBeGreaterThan(30);
    expect(opaque).toBeLessThan(32 * 32 * 0.8);
    // Color: fully opaque.
    for (let i = 3; i < color.data.length; i += 4) expect(color.data[i]).toBe(255);
  });

  test('the same inputs give the same bytes; bad inputs build nothing', async () => {
    expect((await buildPackage(INPUTS)).equals(await buildPackage(INPUTS))).toBe(true);
    await expect(buildPackage({ ...INPUTS, appId: 'x' })).rejects.toThrow(/MicrosoftAppId/);
  });
});
