/**
 * Rules a template must keep beyond being a valid card, checked statically (pure): data is bound only
 * where Teams draws it literally. TextBlock text and FactSet facts are Markdown in Teams, so a `${…}`
 * there would let an alert title plant links or fake formatting; bound text goes into TextRuns.
 */
export function markdownBindings(template: unknown): string[] {
  const found: string[] = [];
  const walk = (x: unknown, path: string): void => {
    if (Array.isArray(x)) return x.forEach((v, i) => walk(v, `${path}[${i}]`));
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.type === 'TextBlock' && typeof o.text === 'string' && o.text.includes('${')) found.push(`${path}.text`);
    if (o.type === 'FactSet' && JSON.stringify(o.facts ?? null).includes('${')) found.push(`${path}.facts`);
    for (const [k, v] of Object.entries(o)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(template, '');
  return found;
}

/** Structural problems of a template file (before any expansion). */
export function templateShapeProblems(template: unknown): string[] {
  if (!template || typeof template !== 'object' || Array.isArray(template)) return ['is not a JSON object'];
  const t = template as Record<string, unknown>;
  const problems: string[] = [];
  if (t.type !== 'AdaptiveCard') problems.push(`"type" is ${JSON.stringify(t.type)}, want "AdaptiveCard"`);
  if (t.version !== '1.5') problems.push(`"version" is ${JSON.stringify(t.version)}, want "1.5" (what Teams draws)`);
  for (const p of markdownBindings(template)) problems.push(`${p} binds data into Markdown (TextBlock/FactSet); put \${…} in a TextRun inside a RichTextBlock`);
  return problems;
}
