/** alerts_v2's documented $filter properties. */
const ALERT_FILTERABLE = ['assignedTo', 'classification', 'determination', 'createdDateTime', 'lastUpdateDateTime', 'severity', 'serviceSource', 'status'];

/**
 * Just enough OData $filter for what alerts_v2 documents: eq/ne/ge/gt/le/lt on its filterable
 * properties, and/or (and binds tighter), parentheses; DateTimeOffset literals unquoted, strings quoted.
 * Anything else throws, which the fake answers as Graph does (400 Invalid filter clause).
 */

export type Pred = (a: any) => boolean;

export function parseFilter(src: string): Pred {
  if (!src.trim()) return () => true;
  const tokens = src.match(/\(|\)|'(?:[^']|'')*'|[^\s()]+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expr = (): Pred => {
    let left = andExpr();
    while (peek()?.toLowerCase() === 'or') {
      next();
      const l = left;
      const r = andExpr();
      left = (a) => l(a) || r(a);
    }
    return left;
  };
  const andExpr = (): Pred => {
    let left = term();
    while (peek()?.toLowerCase() === 'and') {
      next();
      const l = left;
      const r = term();
      left = (a) => l(a) && r(a);
    }
    return left;
  };
  const term = (): Pred => {
    if (peek() === '(') {
      next();
      const e = expr();
      if (next() !== ')') throw new Error('missing )');
      return e;
    }
    const prop = next();
    const op = next()?.toLowerCase();
    const raw = next();
    if (!prop || !op || raw === undefined) throw new Error('incomplete comparison');
    if (!ALERT_FILTERABLE.includes(prop)) throw new Error(`property '${prop}' cannot be filtered`);
    const isDate = /DateTime$/.test(prop);
    if (isDate && (raw.startsWith("'") || Number.isNaN(Date.parse(raw)))) throw new Error(`'${raw}' is not a DateTimeOffset literal`);
    if (!isDate && !raw.startsWith("'")) throw new Error(`'${raw}' is not a string literal`);
    const value = isDate ? Date.parse(raw) : raw.slice(1, -1).replace(/''/g, "'");
    const cmp = (a: any): number => {
      const v = isDate ? Date.parse(a[prop]) : String(a[prop] ?? '');
      return v < value ? -1 : v > value ? 1 : 0;
    };
    switch (op) {
      case 'eq': return (a) => cmp(a) === 0;
      case 'ne': return (a) => cmp(a) !== 0;
      case 'ge': return (a) => cmp(a) >= 0;
      case 'gt': return (a) => cmp(a) > 0;
      case 'le': return (a) => cmp(a) <= 0;
      case 'lt': return (a) => cmp(a) < 0;
      default: throw new Error(`operator '${op}' is not supported`);
    }
  };
  const p = expr();
  if (i !== tokens.length) throw new Error(`unexpected '${tokens[i]}'`);
  return p;
}
