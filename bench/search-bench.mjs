// Search benchmark: shirube's index (public/search/ + shirube-search.js) against Pagefind (public/pagefind/, built
// by `pagefind --site public`) on the same built site, over 60 distinct typical queries (30 Japanese, 30 English,
// from the generated corpus's topics). A query counts as answered when the top 5 results are ready to show with
// their excerpts (shirube: `search(q, {limit: 5})`; Pagefind: `search(q)` and `data()` of the first 5).
//
//   node bench/search-bench.mjs PUBLIC_DIR        (bench/search.sh builds the sites and runs this)
//
// Engines:
//   shirube        the Node API: `search(q, {baseDir})` reads the index from disk (the target: < 30 ms)
//   shirube-fetch  the browser path: `search(q, {baseUrl})` through a fetch shim that reads the same files
//   pagefind       Pagefind 1.6 through the same fetch shim (it has no file-system mode)
//
// What "cold" and "warm" mean:
//   cold  the first query of a page: a fresh copy of the runtime module (imported under a new URL, so V8 has
//         compiled and optimized nothing of it yet) and no file cached; it reads the manifest, the shards and
//         the fragments it needs. The module's import (download excluded: it is on disk) is timed apart, as
//         import_ms, and is not in ttfr.
//   warm  the same query again on the same module instance: every file it needs is cached and its code has run
//         once; what is left is tokenizing, ranking and excerpts (a search box re-running a query, or a
//         visitor going back to it).
// Before measuring, one untimed query runs on a copy of its own, so Node's own code (fs, fetch, the module
// loader) is warm for every engine alike.
//
// Prints one JSON line per engine: index size on disk, bytes read per cold query (median and max; for shirube
// also gzip-compressed, since Pagefind's files are stored compressed), time to first result cold (median,
// p95) and warm (median, p95), the CPU time of the process per cold query (median; a busy machine distorts it
// less than wall time) and the median import time.
import { readFile, readdir, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2]);
const ORIGIN = 'http://bench.invalid/';
const QUERIES = [
  // Japanese: compounds, two-word queries, katakana, half- and full-width forms, particles.
  '請求書 宛名', '請求書の送付先', 'モバイルアプリ', '権限設定', '組織変更', '従業員データ 取り込み',
  'アクティブ率', '退職者', 'SSO設定', '管理者の招待', 'キックオフ前の準備', '給与データ', 'SCIM連携',
  '通知設定', '承認ワークフロー', 'ダッシュボード', '外部サービス連携', '社内研修', '監査ログ', 'データ保持',
  'ヘルススコア', '契約更新', '導入効果', '証明書', 'プロビジョニング', '人員数レポート', '部署 異動',
  'エクスポート権限', 'ｽﾏｰﾄHR', 'ＳＳＯ',
  // English: plurals, two- and three-word queries, a prefix being typed (`provisio`), tool names.
  'SSO', 'invoice recipient', 'mobile app', 'org chart', 'dashboard', 'account health score', 'salary data',
  'Workday', 'payroll', 'sign-in', 'merge subsidiaries', 'renew', 'identity provider', 'employee import',
  'permission sets', 'invite admins', 'kickoff questionnaire', 'bank transfer', 'SCIM provisio',
  'email notifications', 'second approver', 'API token', 'require a PIN', 'lunch-and-learn', 'audit logs',
  'former employee', 'weekly active usage', 'seat counts', 'ROI', 'SAML certificate',
];

let counter = { bytes: 0, gzip: 0, files: 0 };
globalThis.fetch = async (input) => {
  const url = new URL(typeof input === 'string' ? input : input.url ?? String(input), ORIGIN);
  const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  let buf;
  try {
    buf = await readFile(join(dir, rel));
  } catch {
    return new Response('not found', { status: 404 });
  }
  counter.bytes += buf.length;
  counter.gzip += rel.startsWith('pagefind/') ? buf.length : gzipSync(buf, { level: 6 }).length;
  counter.files++;
  const type = rel.endsWith('.wasm') ? 'application/wasm' : rel.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  return new Response(buf, { status: 200, headers: { 'content-type': type } });
};

async function du(p) {
  const s = await stat(p);
  if (!s.isDirectory()) return s.size;
  let n = 0;
  for (const e of await readdir(p)) n += await du(join(p, e));
  return n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const round = (x) => Math.round(x * 10) / 10;

let instance = 0;
async function fresh(path) {
  const t0 = performance.now();
  const mod = await import(pathToFileURL(join(dir, path)).href + `?i=${instance++}`);
  return { mod, importMs: performance.now() - t0 };
}

// Each engine: load() gives a fresh instance; query(instance, q) answers q and gives {n, top, bytes?, gzip?}.
const engines = {
  shirube: {
    index: ['search', 'shirube-search.js'],
    load: () => fresh('shirube-search.js'),
    async query({ mod }, q) {
      const before = mod.stats({ baseDir: dir });
      const results = await mod.search(q, { baseDir: dir, limit: 5 });
      const after = mod.stats({ baseDir: dir });
      const files = after.files.slice(before.files.length);
      let gzip = 0;
      for (const f of files) gzip += gzipSync(await readFile(join(dir, f)), { level: 6 }).length;
      return { n: results.length, top: results[0]?.url, bytes: after.bytes - before.bytes, gzip };
    },
  },
  'shirube-fetch': {
    index: ['search', 'shirube-search.js'],
    load: () => fresh('shirube-search.js'),
    async query({ mod }, q) {
      const results = await mod.search(q, { baseUrl: ORIGIN, limit: 5 });
      return { n: results.length, top: results[0]?.url };
    },
  },
  pagefind: {
    index: async () => [
      'pagefind/pagefind.js', 'pagefind/pagefind-entry.json', 'pagefind/index', 'pagefind/fragment',
      ...(await readdir(join(dir, 'pagefind'))).filter((f) => f.startsWith('wasm.')).map((f) => 'pagefind/' + f),
    ],
    load: () => fresh('pagefind/pagefind.js'),
    async query({ mod }, q) {
      await mod.options({ basePath: ORIGIN + 'pagefind/', baseUrl: '/' });
      const s = await mod.search(q);
      const data = await Promise.all(s.results.slice(0, 5).map((r) => r.data()));
      return { n: s.results.length, top: data[0]?.url };
    },
  },
};

async function run(name) {
  const e = engines[name];
  const cold = { ms: [], cpu: [], bytes: [], gzip: [], hits: [], importMs: [] };
  const warm = [];
  await e.query(await e.load(), 'warm up node'); // untimed: Node's own code, for every engine alike
  for (const q of QUERIES) {
    const inst = await e.load();
    cold.importMs.push(inst.importMs);
    counter = { bytes: 0, gzip: 0, files: 0 };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await e.query(inst, q);
    const ms = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    cold.ms.push(ms);
    cold.cpu.push((c1.user + c1.system) / 1000);
    cold.bytes.push(r.bytes ?? counter.bytes);
    cold.gzip.push(r.gzip ?? counter.gzip);
    cold.hits.push(r.n);
    const t1 = performance.now();
    await e.query(inst, q);
    warm.push(performance.now() - t1);
  }
  // shirube's query() also gzips the files it read (for q_gz): not part of the query, but inside the timing.
  // Time its cold queries again without that, on fresh instances.
  if (name === 'shirube') {
    cold.ms = [];
    cold.cpu = [];
    for (const q of QUERIES) {
      const { mod } = await e.load();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await mod.search(q, { baseDir: dir, limit: 5 });
      cold.ms.push(performance.now() - t0);
      const c1 = process.cpuUsage(c0);
      cold.cpu.push((c1.user + c1.system) / 1000);
    }
  }
  let size = 0;
  for (const p of typeof e.index === 'function' ? await e.index() : e.index) size += await du(join(dir, p));
  return {
    engine: name,
    queries: QUERIES.length,
    index_bytes: size,
    query_bytes_median: median(cold.bytes),
    query_bytes_max: Math.max(...cold.bytes),
    query_gzip_median: median(cold.gzip),
    cold_ms_median: round(median(cold.ms)),
    cold_ms_p95: round(p95(cold.ms)),
    warm_ms_median: round(median(warm)),
    warm_ms_p95: round(p95(warm)),
    cold_cpu_ms_median: round(median(cold.cpu)),
    import_ms_median: round(median(cold.importMs)),
    results_median: median(cold.hits),
  };
}

const only = process.env.BENCH_ENGINES ? process.env.BENCH_ENGINES.split(',') : Object.keys(engines);
for (const name of only) {
  if (name === 'pagefind' && !(await stat(join(dir, 'pagefind/pagefind.js')).catch(() => null))) continue;
  console.log(JSON.stringify(await run(name)));
}
