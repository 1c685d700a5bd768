import fs from 'node:fs';
import path from 'node:path';
import { MAX_CARD_BYTES, sizeOf } from '../../cards/card';
import { BUILT_INS, TemplateSet } from '../../cards/render';
import { SAMPLE_MODELS } from '../../cards/samples';
import { markdownBindings } from '../../cards/template-rules';
import { BUILT_IN_TEMPLATES, SAMPLE_DATA, TEMPLATE_NAMES } from '../../cards/templates';
import { cardProblems, leftoverBindings, templateProblems } from '../../bot/templates/card-problems';

const DIR = path.join(__dirname, '../../cards/templates');

describe('built-in templates with their sample data', () => {
  // HW_UPDATE_CARD_SAMPLES=1 rewrites <name>.data.json from the view models (after adding a field).
  if (process.env.HW_UPDATE_CARD_SAMPLES === '1') {
    for (const name of TEMPLATE_NAMES) fs.writeFileSync(path.join(DIR, `${name}.data.json`), `${JSON.stringify(SAMPLE_MODELS[name](), null, 2)}\n`);
  }

  test('every template file is registered, and every registered one has sample data', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.filter((f) => !f.endsWith('.data.json')).map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...TEMPLATE_NAMES].sort());
    expect(files.filter((f) => f.endsWith('.data.json')).map((f) => f.replace(/\.data\.json$/, '')).sort()).toEqual([...TEMPLATE_NAMES].sort());
  });

  test.each(TEMPLATE_NAMES)('%s: sample data is exactly what its view model builds (HW_UPDATE_CARD_SAMPLES=1 regenerates)', (name) => {
    expect(SAMPLE_DATA[name]).toEqual(JSON.parse(JSON.stringify(SAMPLE_MODELS[name]())));
  });

  test.each(TEMPLATE_NAMES)('%s: valid per the adaptivecards library, under 28 KB, nothing unbound, no data in Markdown', (name) => {
    expect(templateProblems(name, BUILT_IN_TEMPLATES[name], SAMPLE_DATA[name])).toEqual([]);
    const { card, unbound } = BUILT_INS.expand(name, SAMPLE_DATA[name]);
    expect(unbound).toEqual([]);
    expect(leftoverBindings(card)).toEqual([]);
    expect(sizeOf(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(markdownBindings(BUILT_IN_TEMPLATES[name])).toEqual([]);
  });
});

describe('the template checks can fail', () => {
  const status = BUILT_IN_TEMPLATES.status as any;
  test.each([
    ['not a card', { type: 'Container' }, /"type" is "Container"/],
    ['wrong version', { ...status, version: '1.6' }, /"version" is "1.6"/],
    ['data bound into Markdown', { ...status, body: [{ type: 'TextBlock', text: 'By ${by}' }] }, /body\[0\]\.text binds data into Markdown/],
    ['data bound into a FactSet', { ...status, body: [{ type: 'FactSet', facts: [{ title: 'x', value: '${by}' }] }] }, /body\[0\]\.facts binds data into Markdown/],
    ['a field the data lacks', { ...status, body: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '${nosuchfield}' }] }] }, /does not have: \$\{nosuchfield\}/],
    ['an unknown function', { ...status, body: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '${nosuchfn(by)}' }] }] }, /Unknown function|expanding failed|left unevaluated/],
    ['an unknown element', { ...status, body: [{ type: 'Carousel2' }] }, /Carousel2/],
    ['too big', { ...status, body: [{ type: 'TextBlock', text: 'x'.repeat(30_000) }] }, /size \d+ bytes over/],
  ])('%s', (_name, template, problem) => {
    expect(templateProblems('status', template, SAMPLE_DATA.status).join('\n')).toMatch(problem);
  });

  test('a set without the template, or with a broken expression, throws a TemplateError', () => {
    expect(() => new TemplateSet({}).expand('status', {})).toThrow(/no template named "status"/);
    expect(() => new TemplateSet({ x: { type: 'AdaptiveCard', body: '${json(}' } }).expand('x', {})).toThrow(/x|parse|expand/);
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.2', body: [] } as any)).toContain('version 1.2, want 1.5');
  });
});
