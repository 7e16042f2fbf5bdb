// Search benchmark: shirube's index (public/search/ + shirube-search.js) against Pagefind (public/pagefind/, built
// by `pagefind --site public`) on the same built site, both driven through the same fetch shim that reads the
// output folder from disk and counts bytes. Every query runs cold: a fresh copy of the runtime module, nothing
// cached, and the data (excerpts) of the top 5 results loaded, as a search box shows them.
//
//   node bench/search-bench.mjs PUBLIC_DIR        (bench/search.sh builds the sites and runs this)
//
// Prints one JSON line per engine: index size on disk, bytes per query (median and max, as fetched; for
// shirube also gzip-compressed, since Pagefind's files are stored compressed), time to first result (median, p95),
// and the CPU time of the process per query (median; less sensitive to a busy machine than wall time).
import { readFile, readdir, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2]);
const ORIGIN = 'http://bench.invalid/';
const QUERIES = [
  '請求書 宛名', '請求書の送付先', 'モバイルアプリ', '権限設定', '組織変更', '従業員データ 取り込み',
  'アクティブ率', '退職者', 'SSO', 'invoice recipient', 'mobile app', 'org chart', 'dashboard',
  'account health score', 'salary data', 'Workday', 'payroll', 'sign-in', 'merge subsidiaries', 'renew',
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

let instance = 0;
async function shirube(q) {
  const mod = await import(pathToFileURL(join(dir, 'shirube-search.js')).href + `?i=${instance++}`);
  const t0 = performance.now();
  const results = await mod.search(q, { baseUrl: ORIGIN, limit: 5 });
  return { ms: performance.now() - t0, n: results.length, top: results[0]?.url };
}

async function pagefind(q) {
  const mod = await import(pathToFileURL(join(dir, 'pagefind/pagefind.js')).href + `?i=${instance++}`);
  const t0 = performance.now();
  await mod.options({ basePath: ORIGIN + 'pagefind/', baseUrl: '/' });
  const s = await mod.search(q);
  const data = await Promise.all(s.results.slice(0, 5).map((r) => r.data()));
  return { ms: performance.now() - t0, n: s.results.length, top: data[0]?.url };
}

async function run(name, fn, indexPaths) {
  const bytes = [];
  const gzip = [];
  const ms = [];
  const cpu = [];
  const hits = [];
  await fn('warm up the JIT'); // one untimed query: the first import of a module pays for parsing Node's own code
  for (const q of QUERIES) {
    counter = { bytes: 0, gzip: 0, files: 0 };
    const c0 = process.cpuUsage();
    const r = await fn(q);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    bytes.push(counter.bytes);
    gzip.push(counter.gzip);
    ms.push(r.ms);
    hits.push(r.n);
  }
  let size = 0;
  for (const p of indexPaths) size += await du(join(dir, p));
  return {
    engine: name,
    index_bytes: size,
    query_bytes_median: median(bytes),
    query_bytes_max: Math.max(...bytes),
    query_gzip_median: median(gzip),
    first_result_ms_median: Math.round(median(ms) * 10) / 10,
    first_result_ms_p95: Math.round(p95(ms) * 10) / 10,
    cpu_ms_median: Math.round(median(cpu) * 10) / 10,
    results_median: median(hits),
  };
}

const out = [];
out.push(await run('shirube', shirube, ['search', 'shirube-search.js']));
out.push(
  await run('pagefind', pagefind, ['pagefind/pagefind.js', 'pagefind/pagefind-entry.json', 'pagefind/index', 'pagefind/fragment', ...(await readdir(join(dir, 'pagefind'))).filter((f) => f.startsWith('wasm.')).map((f) => 'pagefind/' + f)]),
);
for (const r of out) console.log(JSON.stringify(r));
