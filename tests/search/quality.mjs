// The search quality set: each query of quality.json against a built fixture site (tests/search/site), through
// the real runtime in Node. Prints recall@5 and MRR (over the top 10) as JSON on the last line; exits 1 when
// recall@5 is under the threshold. Usage: node tests/search/quality.mjs PUBLIC_DIR [MIN_RECALL]
import { readFileSync } from 'node:fs';
import { search } from '../../themes/default/static/shirube-search.js';

const [dir, minArg] = process.argv.slice(2);
const min = minArg ? Number(minArg) : 0.9;
const cases = JSON.parse(readFileSync(new URL('./quality.json', import.meta.url), 'utf8'));
let hits = 0;
let rr = 0;
const misses = [];
const rows = [];
const ranks = [];
for (const c of cases) {
  const results = await search(c.query, { baseDir: dir, limit: 10 });
  const manifest = JSON.parse(readFileSync(`${dir}/search/manifest.json`, 'utf8'));
  const rank = results.findIndex((r) => r.url === manifest.base + c.expect) + 1;
  ranks.push(rank);
  if (rank >= 1 && rank <= 5) hits++;
  if (rank >= 1) rr += 1 / rank;
  rows.push(`${rank ? String(rank).padStart(2) : ' -'}  ${c.section ? `[${c.section}] ` : ''}${c.query}`);
  if (!rank || rank > 5) misses.push({ query: c.query, expect: c.expect, got: results.slice(0, 5).map((r) => r.url) });
}
const isJa = (c) => /[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]/.test(c.query);
const ja = cases.filter(isJa).length;
// Per section (`section` in quality.json; the original set has none and is "base"): each reported apart.
const sections = {};
cases.forEach((c, i) => {
  const s = (sections[c.section || 'base'] ||= { queries: 0, japanese: 0, hits: 0, rr: 0 });
  s.queries++;
  if (isJa(c)) s.japanese++;
  if (ranks[i] >= 1 && ranks[i] <= 5) s.hits++;
  if (ranks[i] >= 1) s.rr += 1 / ranks[i];
});
for (const s of Object.values(sections)) {
  s.recall_at_5 = s.hits / s.queries;
  s.mrr = s.rr / s.queries;
  delete s.hits;
  delete s.rr;
}
const summary = {
  queries: cases.length,
  japanese: ja,
  recall_at_5: hits / cases.length,
  mrr: rr / cases.length,
  sections,
  misses,
};
console.log(rows.join('\n'));
console.log(JSON.stringify(summary));
process.exit(summary.recall_at_5 >= min ? 0 : 1);
