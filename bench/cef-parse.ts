import { parseCefLine } from '../bot/sources/onprem/cef-parser';
import { cefCorpus } from './cef-corpus';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const nsyslog: (line: string) => any = require('nsyslog-parser');

const LINES = 30_000;
const ROUNDS = 5;

/** Best of several rounds: lines per second of `fn` over the corpus. */
function throughput(corpus: string[], fn: (l: string) => unknown): number {
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < corpus.length; i++) fn(corpus[i]);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, corpus.length / s);
  }
  return Math.round(best);
}

/** CEF parse throughput: ours beside nsyslog-parser on the same generated corpus, same process, same run. */
export async function run(): Promise<Record<string, number | string>> {
  const corpus = cefCorpus(LINES);
  const native = cefCorpus(LINES, { atpNative: true });
  // Both must really parse the CEF part, or the comparison means nothing.
  const oursOk = corpus.filter((l) => {
    const r = parseCefLine(l);
    return r.ok && r.message.ext.externalId !== undefined;
  }).length;
  const theirsOk = corpus.filter((l) => nsyslog(l)?.fields?.externalId !== undefined).length;
  // Warm-up so both run JIT-compiled.
  throughput(corpus.slice(0, 3000), parseCefLine);
  throughput(corpus.slice(0, 3000), nsyslog);
  const ours = throughput(corpus, parseCefLine);
  const theirs = throughput(corpus, nsyslog);
  const oursNative = throughput(native, parseCefLine);
  return {
    corpus_lines: LINES,
    corpus_avg_bytes: Math.round(corpus.reduce((n, l) => n + l.length, 0) / LINES),
    hybridwatch_lines_per_s: ours,
    nsyslog_parser_lines_per_s: theirs,
    speedup_vs_nsyslog: Math.round((ours / theirs) * 100) / 100,
    hybridwatch_cef_parsed: `${oursOk}/${LINES}`,
    nsyslog_cef_parsed: `${theirsOk}/${LINES}`,
    hybridwatch_atp_native_bom_lines_per_s: oursNative,
  };
}
