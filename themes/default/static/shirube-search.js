// shirube-search.js: full-text search over a shirube site's static index (search/), in the browser or in Node.
// Dependency-free ES module. The tokenizer follows docs/search-tokenizer.md, exactly like the Rust indexer
// (src/search/tokenize.rs); both are tested against tests/search/tokenize.json. Formats: docs/search-index.md.
//
//   import { search, facets } from '/shirube-search.js';
//   const results = await search('SSO設定', { limit: 5, filters: { phase: ['onboarding'] } });
//   // Node 18+: await search('invite admins', { baseDir: '/path/to/public' });

const FORMAT_VERSION = 1;
const MAX_WORD_CHARS = 40;
const SHARD_MAGIC = 'SHS1';

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer (spec: docs/search-tokenizer.md)

/** NFKC, lowercase, final sigma folded: the normalization both sides apply before splitting. */
export function normalize(text) {
  return String(text).normalize('NFKC').toLowerCase().replace(/ς/g, 'σ');
}

const CJK_RANGES = [
  [0x3005, 0x3007], [0x3041, 0x3096], [0x309d, 0x309f], [0x30a1, 0x30fa], [0x30fc, 0x30ff],
  [0x31f0, 0x31ff], [0x1100, 0x11ff], [0x3131, 0x318e], [0xac00, 0xd7a3], [0x3400, 0x4dbf],
  [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x2fa1f], [0x30000, 0x323af],
];

function isCjkCode(cp) {
  if (cp < 0x1100) return false;
  for (const [lo, hi] of CJK_RANGES) if (cp >= lo && cp <= hi) return true;
  return false;
}

const WORD_CHAR = /^[\p{Alphabetic}\p{N}\p{M}]$/u;
const ASCII_WORD = /^[a-z0-9]$/;

function isWordChar(ch) {
  if (ASCII_WORD.test(ch)) return true;
  const cp = ch.codePointAt(0);
  if (cp < 0x80) return false;
  return !isCjkCode(cp) && WORD_CHAR.test(ch);
}

function isApostrophe(ch) {
  return ch === "'" || ch === '\u2019';
}

/** Light English stemming (plural → singular) for words of ASCII letters, four letters or more. */
export function stem(word) {
  const n = word.length;
  if (n < 4) return word;
  for (let i = 0; i < n; i++) {
    const c = word.charCodeAt(i);
    if (c < 97 || c > 122) return word;
  }
  if (n > 4 && word.endsWith('ies')) return word.slice(0, -3) + 'y';
  for (const s of ['sses', 'xes', 'ches', 'shes', 'zzes']) if (word.endsWith(s)) return word.slice(0, -2);
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  return word.charCodeAt(n - 1) === 115 ? word.slice(0, -1) : word;
}

// The tokenizer proper, over "units": [char, start, end] with start/end offsets into some original string.
// Tokens: {term, cjk, raw, run, start, end}. `run` numbers the CJK runs; `raw` is a word before stemming.
function scanUnits(units) {
  const out = [];
  let i = 0;
  let run = 0;
  while (i < units.length) {
    const ch = units[i][0];
    const cp = ch.codePointAt(0);
    if (isCjkCode(cp)) {
      const st = i;
      while (i < units.length && isCjkCode(units[i][0].codePointAt(0))) i++;
      run++;
      if (i - st === 1) {
        out.push({ term: ch, cjk: true, run, start: units[st][1], end: units[st][2] });
      } else {
        for (let k = st; k < i - 1; k++) {
          out.push({ term: units[k][0] + units[k + 1][0], cjk: true, run, start: units[k][1], end: units[k + 1][2] });
        }
      }
    } else if (isWordChar(ch)) {
      let word = '';
      let n = 0;
      const start = units[i][1];
      let end = units[i][2];
      while (i < units.length) {
        const c = units[i][0];
        if (isWordChar(c)) {
          if (n < MAX_WORD_CHARS) {
            word += c;
            n++;
          }
          end = units[i][2];
          i++;
        } else if (isApostrophe(c) && i + 1 < units.length && isWordChar(units[i + 1][0])) {
          i++;
        } else {
          break;
        }
      }
      out.push({ term: stem(word), raw: word, cjk: false, run: 0, start, end });
    } else {
      i++;
    }
  }
  return out;
}

function unitsOfNormalized(norm) {
  const units = [];
  let off = 0;
  for (const ch of norm) {
    units.push([ch, off, off + ch.length]);
    off += ch.length;
  }
  return units;
}

// Units of an original (not normalized) text, normalizing a base character together with the marks that follow
// it, so that tokens carry offsets into the original text (for highlighting).
const JOINS_PREVIOUS = /^[\p{M}\uff9e\uff9f]$/u;
// Characters that NFKC and lowercasing leave alone, so the slow path can be skipped: lowercase ASCII letters,
// digits and punctuation; kana (but not the spacing voiced marks U+309B/C); unified ideographs.
function stable(cp) {
  return (cp < 0x80 && !(cp >= 65 && cp <= 90)) || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30a1 && cp <= 0x30fa) || cp === 0x30fc || (cp >= 0x4e00 && cp <= 0x9fff);
}
function unitsOfOriginal(text) {
  const units = [];
  const cps = Array.from(text);
  let off = 0;
  let i = 0;
  while (i < cps.length) {
    let cluster = cps[i];
    let j = i + 1;
    while (j < cps.length && cps[j].charCodeAt(0) >= 0x300 && JOINS_PREVIOUS.test(cps[j])) cluster += cps[j++];
    const end = off + cluster.length;
    const cp = cluster.codePointAt(0);
    if (j === i + 1 && stable(cp)) units.push([cluster, off, end]);
    else if (j === i + 1 && cp >= 65 && cp <= 90) units.push([String.fromCharCode(cp + 32), off, end]);
    else for (const ch of normalize(cluster)) units.push([ch, off, end]);
    off = end;
    i = j;
  }
  return units;
}

function tokenObjects(text) {
  return scanUnits(unitsOfNormalized(normalize(text)));
}

/** The terms of `text`, in order (the position of a term is its index): exactly what the indexer stores. */
export function tokenize(text) {
  return tokenObjects(text).map((t) => t.term);
}

// ---------------------------------------------------------------------------------------------------------------
// Query plan

// English words that are optional in a query when it has other words ("how to invite admins").
const STOP_WORDS = new Set(
  'a an and are as at be by can do does for from how i in is it my of on or our the this to we what when where which who why with you your'.split(
    ' ',
  ),
);

function scriptOf(ch) {
  const cp = ch.codePointAt(0);
  if ((cp >= 0x3041 && cp <= 0x309f)) return 'hira';
  if ((cp >= 0x30a1 && cp <= 0x30ff) || (cp >= 0x31f0 && cp <= 0x31ff)) return 'kata';
  if ((cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3131 && cp <= 0x318e) || (cp >= 0xac00 && cp <= 0xd7a3)) return 'hangul';
  return 'han';
}

// Groups: what a page must (or may) contain. kinds: 'word' (one term, maybe a prefix), 'chain' (CJK bigrams
// that must be consecutive), 'uni' (one CJK character: itself or any bigram starting with it).
// Each group has qpos (query position of its first token) and len (tokens it spans).
function planQuery(query) {
  const tokens = tokenObjects(query);
  const open = !/[\s\u3000]$/.test(query);
  const groups = [];
  const runs = new Map();
  tokens.forEach((t, qpos) => {
    if (!t.cjk) {
      const last = qpos === tokens.length - 1;
      groups.push({
        kind: 'word',
        terms: [t.term],
        prefix: last && open && t.raw.length >= 2 ? t.raw : null,
        qpos,
        len: 1,
        required: !STOP_WORDS.has(t.raw),
      });
    } else {
      if (!runs.has(t.run)) runs.set(t.run, []);
      runs.get(t.run).push({ t, qpos });
    }
  });
  const cjkGroups = (strict) => {
    const out = [];
    for (const list of runs.values()) {
      if (list.length === 1 && [...list[0].t.term].length === 1) {
        const { t, qpos } = list[0];
        out.push({ kind: 'uni', terms: [t.term], prefix: t.term, qpos, len: 1, required: strict || scriptOf(t.term) !== 'hira' });
        continue;
      }
      if (strict) {
        out.push({ kind: 'chain', terms: list.map((x) => x.t.term), qpos: list[0].qpos, len: list.length, required: true });
        continue;
      }
      // Bigrams within one script (not hiragana) form required chains; the rest (particles, okurigana, script
      // changes) are optional: they rank pages but do not exclude them.
      let chain = null;
      for (const { t, qpos } of list) {
        const [a, b] = [...t.term];
        const sa = scriptOf(a);
        const strong = sa === scriptOf(b) && sa !== 'hira';
        if (strong && chain && chain.script === sa && chain.qpos + chain.len === qpos) {
          chain.terms.push(t.term);
          chain.len++;
        } else if (strong) {
          chain = { kind: 'chain', terms: [t.term], qpos, len: 1, required: true, script: sa };
          out.push(chain);
        } else {
          chain = null;
          out.push({ kind: 'chain', terms: [t.term], qpos, len: 1, required: false });
        }
      }
    }
    return out;
  };
  let all = groups.concat(cjkGroups(false));
  if (!all.some((g) => g.required)) {
    all = groups.map((g) => ({ ...g, required: true })).concat(cjkGroups(true));
  }
  all.sort((a, b) => a.qpos - b.qpos);
  return all;
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

const sites = new Map();

function siteKey(options) {
  if (options.baseDir) return 'dir:' + options.baseDir;
  return 'url:' + siteRootUrl(options);
}

function siteRootUrl(options) {
  if (options.baseUrl) return new URL(options.baseUrl, globalThis.location?.href).href.replace(/\/?$/, '/');
  return new URL('./', import.meta.url).href;
}

class NotFound extends Error {}

async function readFile(site, rel, kind, fresh) {
  if (site.dir) {
    const fs = await import('node:fs/promises');
    let buf;
    try {
      buf = await fs.readFile(site.dir.replace(/[\\/]+$/, '') + '/' + rel);
    } catch (e) {
      if (e && e.code === 'ENOENT') throw new NotFound(rel);
      throw e;
    }
    site.bytes += buf.byteLength;
    site.files.push(rel);
    if (kind === 'json') return JSON.parse(new TextDecoder().decode(buf));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const res = await fetch(new URL(rel, site.root), fresh ? { cache: 'no-cache' } : undefined);
  if (res.status === 404) throw new NotFound(rel);
  if (!res.ok) throw new Error(`shirube-search: ${rel}: HTTP ${res.status}`);
  const buf = new Uint8Array(await res.arrayBuffer());
  site.bytes += buf.byteLength;
  site.files.push(rel);
  if (kind === 'json') return JSON.parse(new TextDecoder().decode(buf));
  return buf;
}

function openSite(options) {
  const key = siteKey(options);
  let site = sites.get(key);
  if (!site) {
    site = {
      dir: options.baseDir || null,
      root: options.baseDir ? null : siteRootUrl(options),
      manifest: null,
      shards: new Map(),
      fragments: new Map(),
      docs: null,
      bytes: 0,
      files: [],
    };
    sites.set(key, site);
  }
  if (!site.manifest) {
    site.manifest = readFile(site, 'search/manifest.json', 'json', true).then((m) => {
      if (!m || m.version !== FORMAT_VERSION) throw new Error(`shirube-search: unsupported index version ${m && m.version}`);
      m.prefix = `search/${m.generation}/`;
      return m;
    });
    site.manifest.catch(() => {
      site.manifest = null;
    });
  }
  return site;
}

// A file of the current generation; when it is gone (a new deploy), the manifest is read again once.
async function genFile(site, map, rel, kind, decode) {
  const m = await site.manifest;
  const key = m.generation + '/' + rel;
  if (!map.has(key)) {
    const p = readFile(site, m.prefix + rel, kind).then(decode);
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return map.get(key);
}

/** Bytes and files read so far for the site of `options` (for benchmarks). */
export function stats(options = {}) {
  const site = sites.get(siteKey(options));
  return site ? { bytes: site.bytes, files: site.files.slice() } : { bytes: 0, files: [] };
}

/** Forgets every loaded file (the next search reads the manifest again). */
export function reset() {
  sites.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// Shards

function varint(r) {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = r.buf[r.pos++];
    if (b === undefined) throw new Error('shirube-search: truncated shard');
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
    shift += 7;
  }
}

function parseShard(buf) {
  const magic = String.fromCharCode(buf[0], buf[1], buf[2], buf[3]);
  if (magic !== SHARD_MAGIC) throw new Error('shirube-search: not a shard');
  const r = { buf, pos: 4 };
  const n = varint(r);
  const terms = new Map();
  const dec = new TextDecoder();
  let prev = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const shared = varint(r);
    const rest = varint(r);
    const key = new Uint8Array(shared + rest);
    key.set(prev.subarray(0, shared));
    key.set(buf.subarray(r.pos, r.pos + rest), shared);
    r.pos += rest;
    const ndocs = varint(r);
    const len = varint(r);
    terms.set(dec.decode(key), { buf, off: r.pos, len, ndocs, decoded: null });
    r.pos += len;
    prev = key;
  }
  return { terms, sorted: [...terms.keys()] };
}

// Page ids and impact bytes of a term, decoded once; positions are only located (offset of each page's list)
// and decoded on demand, for the pages that need them.
function postings(entry) {
  if (entry.decoded) return entry.decoded;
  const buf = entry.buf;
  const r = { buf, pos: entry.off };
  const n = entry.ndocs;
  const docs = new Uint32Array(n);
  const flags = new Uint8Array(n);
  const posAt = new Uint32Array(n);
  const counts = new Uint32Array(n);
  let doc = 0;
  for (let i = 0; i < n; i++) {
    doc += varint(r);
    docs[i] = doc;
    flags[i] = buf[r.pos++];
    const np = varint(r);
    counts[i] = np;
    posAt[i] = r.pos;
    for (let k = 0; k < np; k++) while (buf[r.pos++] & 0x80);
  }
  entry.decoded = { buf, docs, flags, posAt, counts };
  return entry.decoded;
}

function positionsOf(p, i) {
  const r = { buf: p.buf, pos: p.posAt[i] };
  const out = new Int32Array(p.counts[i]);
  let v = 0;
  for (let k = 0; k < out.length; k++) out[k] = v += varint(r);
  return out;
}

// Index of `doc` in the sorted `docs`, from `lo` on, or -1.
function findDoc(docs, doc, lo = 0) {
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid] < doc) lo = mid + 1;
    else if (docs[mid] > doc) hi = mid - 1;
    else return mid;
  }
  return -1;
}

function hasPos(sorted, x) {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else if (sorted[mid] > x) hi = mid - 1;
    else return true;
  }
  return false;
}

// Code point order (the order of UTF-8 bytes, which is how the indexer sorts), not UTF-16 order.
function cmp(a, b) {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done === y.done ? 0 : x.done ? -1 : 1;
    if (x.value !== y.value) return x.value.codePointAt(0) - y.value.codePointAt(0);
  }
}

function shardIndex(bounds, key) {
  let lo = 0;
  let hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cmp(bounds[mid], key) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const MAX_PREFIX_SHARDS = 2;
const MAX_PREFIX_TERMS = 64;

function shardsFor(m, group) {
  const set = new Set(group.terms.map((t) => shardIndex(m.shards, t)));
  if (group.prefix) {
    const a = shardIndex(m.shards, group.prefix);
    const b = Math.min(shardIndex(m.shards, group.prefix + '\u{10ffff}'), a + MAX_PREFIX_SHARDS - 1);
    for (let i = a; i <= b; i++) set.add(i);
  }
  return [...set];
}

function loadShard(site, n) {
  return genFile(site, site.shards, `s/${n}.bin`, 'bin', parseShard);
}

// Every (term, postings, factor) a group matches: its exact terms, and the terms that start with its prefix.
function groupTerms(group, shards) {
  const out = [];
  const seen = new Set();
  for (const term of group.terms) {
    for (const s of shards) {
      const e = s.terms.get(term);
      if (e) {
        out.push({ term, p: postings(e), factor: 1 });
        seen.add(term);
        break;
      }
    }
  }
  if (group.prefix) {
    let added = 0;
    for (const s of shards) {
      for (const term of s.sorted) {
        if (added >= MAX_PREFIX_TERMS) break;
        if (!seen.has(term) && term.startsWith(group.prefix)) {
          seen.add(term);
          added++;
          // A completion is worth a little less than the word itself.
          out.push({ term, p: postings(s.terms.get(term)), factor: group.kind === 'uni' ? 0.9 : 0.8 });
        }
      }
    }
  }
  return out;
}

function idf(n, df) {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

// For one group: Map doc → {score, title, ...}; startsOf() gives the positions where the group starts in the page
// (decoded on first use: only phrase checks need them).
function matchGroup(group, shards, n) {
  const out = new Map();
  if (group.kind === 'chain' && group.terms.length > 1) {
    const parts = group.terms.map((t) => groupTerms({ terms: [t] }, shards)[0]);
    if (parts.some((p) => !p)) return out;
    const ps = parts.map((x) => x.p);
    const w = ps.map((p) => idf(n, p.docs.length));
    // Walk the rarest bigram's pages; find each page in the others (sorted ids), then check adjacency.
    let rare = 0;
    ps.forEach((p, k) => (p.docs.length < ps[rare].docs.length ? (rare = k) : 0));
    const from = new Array(ps.length).fill(0);
    for (let i = 0; i < ps[rare].docs.length; i++) {
      const doc = ps[rare].docs[i];
      const idx = new Array(ps.length);
      let all = true;
      for (let k = 0; k < ps.length && all; k++) {
        const j = k === rare ? i : findDoc(ps[k].docs, doc, from[k]);
        if (j < 0) all = false;
        else {
          idx[k] = j;
          from[k] = j;
        }
      }
      if (!all) continue;
      const pos = ps.map((p, k) => positionsOf(p, idx[k]));
      const starts = [];
      for (const p0 of pos[0]) {
        let ok = true;
        for (let k = 1; k < ps.length && ok; k++) ok = hasPos(pos[k], p0 + k);
        if (ok) starts.push(p0);
      }
      if (!starts.length) continue;
      let score = 0;
      let title = true;
      for (let k = 0; k < ps.length; k++) {
        const f = ps[k].flags[idx[k]];
        score += ((f & 0x7f) / 127) * w[k];
        title = title && (f & 0x80) !== 0;
      }
      // A chain counts like one word: the mean of its bigrams, slightly more for longer (rarer) chains.
      out.set(doc, { score: (score / ps.length) * (1 + 0.1 * (ps.length - 1)), title, starts });
    }
    return out;
  }
  for (const { p, factor } of groupTerms(group, shards)) {
    const w = idf(n, p.docs.length) * factor;
    for (let i = 0; i < p.docs.length; i++) {
      const doc = p.docs[i];
      const f = p.flags[i];
      const s = ((f & 0x7f) / 127) * w;
      const e = out.get(doc);
      if (!e) {
        out.set(doc, { score: s, title: (f & 0x80) !== 0, p, i, more: null });
      } else {
        if (s > e.score) e.score = s;
        if (f & 0x80) e.title = true;
        (e.more || (e.more = [])).push([p, i]);
      }
    }
  }
  return out;
}

// Positions where a group starts in a page, from its match entry (sorted).
function startsOf(e) {
  if (e.starts) return e.starts;
  if (!e.more) return (e.starts = positionsOf(e.p, e.i));
  const all = [...positionsOf(e.p, e.i)];
  for (const [p, i] of e.more) all.push(...positionsOf(p, i));
  return (e.starts = Int32Array.from(all).sort());
}

function loadDocs(site) {
  return genFile(site, site.fragments, 'docs.bin', 'bin', (buf) => {
    const width = buf[0];
    const n = (buf.length - 1) / width;
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = width === 1 ? buf[1 + i] : buf[1 + 2 * i] | (buf[2 + 2 * i] << 8);
    return out;
  });
}

function comboMatches(m, combo, filters) {
  const [kind, phase, tiers] = m.combos[combo];
  const f = m.facets;
  if (filters.kind && filters.kind.length && !filters.kind.includes(f.kind[kind].id)) return false;
  if (filters.phase && filters.phase.length && !(phase >= 0 && filters.phase.includes(f.phase[phase].id))) return false;
  if (filters.tier && filters.tier.length && !tiers.some((t) => filters.tier.includes(f.tier[t].id))) return false;
  return true;
}

function hasFilters(filters) {
  return !!filters && ['kind', 'phase', 'tier'].some((k) => filters[k] && filters[k].length);
}

const RESCORE = 200;

// Ranks every page that matches `query`: [{doc, score}] best first.
async function rank(site, query, filters) {
  const m = await site.manifest;
  const groups = planQuery(query);
  if (!groups.length) return { m, groups, ranked: [] };
  // Shards for the required groups; optional groups (particles, stop words) are looked up only in those, so a
  // very common optional term never costs a download.
  const shardNums = new Set();
  for (const g of groups) if (g.required) for (const s of shardsFor(m, g)) shardNums.add(s);
  const loaded = new Map();
  await Promise.all([...shardNums].map(async (s) => loaded.set(s, await loadShard(site, s))));
  const matches = groups.map((g) => {
    const shards = shardsFor(m, g).filter((s) => loaded.has(s));
    if (!g.required && shards.length < shardsFor(m, g).length) return null;
    return matchGroup(g, shards.map((s) => loaded.get(s)), m.pages);
  });
  const required = groups.map((g, i) => i).filter((i) => groups[i].required);
  required.sort((a, b) => matches[a].size - matches[b].size);
  let candidates = [...matches[required[0]].keys()];
  for (const i of required.slice(1)) candidates = candidates.filter((d) => matches[i].has(d));
  if (hasFilters(filters) && candidates.length) {
    const docs = await loadDocs(site);
    candidates = candidates.filter((d) => comboMatches(m, docs[d], filters));
  }
  const optional = groups.map((g, i) => i).filter((i) => !groups[i].required && matches[i]);
  const ranked = candidates.map((doc) => {
    let score = 0;
    let allTitle = true;
    for (const i of required) {
      const e = matches[i].get(doc);
      score += e.score;
      allTitle = allTitle && e.title;
    }
    let allOptional = optional.length > 0;
    for (const i of optional) {
      const e = matches[i].get(doc);
      if (e) score += 0.5 * e.score;
      else allOptional = false;
    }
    if (allTitle) score *= 1.5;
    if (allOptional) score *= 1.1;
    return { doc, score };
  });
  ranked.sort((a, b) => b.score - a.score || a.doc - b.doc);
  // Phrase boost, for the best candidates only (it needs positions).
  const known = groups.map((g, i) => i).filter((i) => matches[i]);
  if (known.length > 1) {
    const top = ranked.slice(0, RESCORE);
    for (const r of top) if (isPhrase(groups, matches, known, r.doc)) r.score *= 1.5;
    top.sort((a, b) => b.score - a.score || a.doc - b.doc);
    ranked.splice(0, top.length, ...top);
  }
  return { m, groups, ranked, matches };
}

// True when the groups occur in query order at consecutive positions, somewhere in the page.
function isPhrase(groups, matches, known, doc) {
  const entries = known.map((i) => matches[i].get(doc));
  if (entries.some((e) => !e)) return false;
  const q0 = groups[known[0]].qpos;
  const lists = entries.map(startsOf);
  for (const p of lists[0]) {
    let ok = true;
    for (let k = 1; k < known.length && ok; k++) ok = hasPos(lists[k], p + groups[known[k]].qpos - q0);
    if (ok) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Excerpts

const EXCERPT_CHARS = 160;

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// Matched spans of `text` (offsets into it), merged when they touch or overlap, and how many query groups
// matched. A CJK chain is highlighted only where all its bigrams occur in a row, as in the ranking.
function mayMatch(text, groups) {
  const norm = normalize(text);
  return groups.some((g) =>
    (g.prefix && norm.includes(g.prefix)) || g.terms.some((t) => norm.includes(t.length > 4 ? t.slice(0, -2) : t)),
  );
}

function matchSpans(text, groups) {
  if (!mayMatch(text, groups)) return { spans: [], distinct: 0 };
  const toks = scanUnits(unitsOfOriginal(text));
  const hit = new Array(toks.length).fill(false);
  const matched = new Set();
  groups.forEach((g, gi) => {
    if (g.kind === 'chain' && g.terms.length > 1) {
      const n = g.terms.length;
      for (let i = 0; i + n <= toks.length; i++) {
        let ok = true;
        for (let k = 0; k < n && ok; k++) ok = toks[i + k].cjk && toks[i + k].term === g.terms[k];
        if (!ok) continue;
        for (let k = 0; k < n; k++) hit[i + k] = true;
        matched.add(gi);
      }
      return;
    }
    toks.forEach((t, i) => {
      if (g.terms.includes(t.term) || (g.prefix && t.term.startsWith(g.prefix))) {
        hit[i] = true;
        matched.add(gi);
      }
    });
  });
  const spans = [];
  toks.forEach((t, i) => {
    if (!hit[i]) return;
    const last = spans[spans.length - 1];
    if (last && t.start <= last[1]) last[1] = Math.max(last[1], t.end);
    else spans.push([t.start, t.end]);
  });
  return { spans, distinct: matched.size };
}

function excerptHtml(text, spans, max = EXCERPT_CHARS) {
  const flat = text;
  let start = 0;
  if (spans.length) {
    // The window with the most matches, starting a little before its first match.
    let best = 0;
    let bestCount = -1;
    for (let i = 0; i < spans.length; i++) {
      let c = 0;
      for (let k = i; k < spans.length && spans[k][1] - spans[i][0] <= max - 20; k++) c++;
      if (c > bestCount) {
        bestCount = c;
        best = i;
      }
    }
    start = Math.max(0, spans[best][0] - 30);
    if (start > 0) {
      const sp = flat.lastIndexOf(' ', spans[best][0]);
      if (sp >= start - 20 && sp < spans[best][0]) start = sp + 1;
    }
  }
  let end = Math.min(flat.length, start + max);
  if (end < flat.length) {
    const sp = flat.lastIndexOf(' ', end);
    if (sp > start + max / 2) end = sp;
  }
  // Never cut a surrogate pair.
  if (start > 0 && /[\udc00-\udfff]/.test(flat[start])) start--;
  if (end < flat.length && /[\udc00-\udfff]/.test(flat[end])) end++;
  let html = start > 0 ? '…' : '';
  let at = start;
  for (const [s, e] of spans) {
    if (e <= start || s >= end) continue;
    const a = Math.max(s, start);
    const b = Math.min(e, end);
    html += escapeHtml(flat.slice(at, a)) + '<mark>' + escapeHtml(flat.slice(a, b)) + '</mark>';
    at = b;
  }
  html += escapeHtml(flat.slice(at, end)) + (end < flat.length ? '…' : '');
  return html;
}

function partExcerpt(text, groups) {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const { spans, distinct } = matchSpans(flat, groups);
  return { html: excerptHtml(flat, spans), hits: spans.length, distinct };
}

// How many query groups a text may contain, by substring on the normalized text: cheap, and never too low.
function roughHits(text, groups) {
  const norm = normalize(text);
  let n = 0;
  for (const g of groups) {
    const found = (g.prefix && norm.includes(g.prefix)) || g.terms.every((t) => norm.includes(t.length > 4 ? t.slice(0, -2) : t));
    if (found) n += g.required ? 2 : 1;
  }
  return n;
}

const EXCERPT_PARTS = 4;

function buildResult(m, frag, score, groups, base) {
  const url = base + frag.u;
  // Tokenize (for exact matches and offsets) only the few parts most likely to match.
  const parts = frag.x
    .map(([heading, id, text], order) => ({ heading, id, text, order, rough: roughHits(heading + '\n' + text, groups) }))
    .filter((p) => p.rough > 0)
    .sort((a, b) => b.rough - a.rough || a.order - b.order)
    .slice(0, EXCERPT_PARTS)
    .map((p) => {
      const h = p.heading ? matchSpans(p.heading, groups) : { spans: [], distinct: 0 };
      const body = partExcerpt(p.text, groups);
      return { ...p, body, rank: body.distinct * 10 + h.distinct * 12 + Math.min(body.hits, 5) };
    });
  const ranked = parts.filter((p) => p.rank > 0).sort((a, b) => b.rank - a.rank || a.order - b.order);
  let excerpt;
  const best = ranked.find((p) => p.body.hits > 0);
  if (best) excerpt = best.body.html;
  else if (frag.s) excerpt = partExcerpt(frag.s, groups).html;
  else excerpt = partExcerpt(frag.x.length ? frag.x[0][2] : '', groups).html;
  const sections = ranked
    .filter((p) => p.id)
    .slice(0, 3)
    .map((p) => ({
      title: p.heading,
      url: url + '#' + encodeURIComponent(p.id),
      excerpt: p.body.hits ? p.body.html : partExcerpt(p.text, groups).html,
    }));
  const [kind, phase, tiers] = m.combos[frag.c] || [2, -1, []];
  return {
    url,
    title: frag.t,
    excerpt,
    phase: phase >= 0 ? m.facets.phase[phase].id : null,
    tier: tiers.map((t) => m.facets.tier[t].id),
    kind: m.facets.kind[kind].id,
    score: Math.round(score * 1000) / 1000,
    sections,
  };
}

function resultBase(site, m) {
  if (site.dir) return m.base;
  return new URL(site.root).pathname;
}

// ---------------------------------------------------------------------------------------------------------------
// API

async function withRetry(options, fn) {
  const site = openSite(options);
  try {
    return await fn(site);
  } catch (e) {
    if (!(e instanceof NotFound) || e.message === 'search/manifest.json') throw e;
    // A file of an older build is gone: the site was deployed again. Read the new manifest once.
    site.manifest = null;
    return fn(openSite(options));
  }
}

/**
 * Searches the site. Returns results best first:
 * `{url, title, excerpt, phase, tier, kind, score, sections: [{title, url, excerpt}]}`.
 * `excerpt` is HTML: page text escaped, matches in `<mark>`.
 *
 * options.limit (default 10), options.filters ({phase: [...], tier: [...], kind: [...]}: any value of a facet,
 * all facets), options.baseDir (Node: the output folder on disk), options.baseUrl (the site root; default: the
 * folder this module is served from).
 */
export async function search(query, options = {}) {
  const limit = options.limit === undefined ? 10 : Math.max(0, options.limit | 0);
  if (!String(query ?? '').trim()) return [];
  return withRetry(options, async (site) => {
    const { m, groups, ranked } = await rank(site, String(query), options.filters);
    const top = ranked.slice(0, limit);
    const base = resultBase(site, m);
    const frags = await Promise.all(
      top.map(({ doc }) => genFile(site, site.fragments, `f/${doc}.json`, 'json', (x) => x)),
    );
    return top.map(({ score }, i) => buildResult(m, frags[i], score, groups, base));
  });
}

/**
 * Counts per facet value: `{phase: [{id, name, count}], tier: [...], kind: [...]}`. Without a query, over the
 * whole site; with one, over the pages that match it (options.filters are ignored, so that the counts say what
 * each filter would give).
 */
export async function facets(query, options = {}) {
  return withRetry(options, async (site) => {
    const m = await site.manifest;
    const copy = (list) => list.map(({ id, name, count }) => ({ id, name, count }));
    if (!String(query ?? '').trim()) {
      return { phase: copy(m.facets.phase), tier: copy(m.facets.tier), kind: copy(m.facets.kind) };
    }
    const { ranked } = await rank(site, String(query), null);
    const docs = ranked.length ? await loadDocs(site) : null;
    const out = {
      phase: m.facets.phase.map(({ id, name }) => ({ id, name, count: 0 })),
      tier: m.facets.tier.map(({ id, name }) => ({ id, name, count: 0 })),
      kind: m.facets.kind.map(({ id, name }) => ({ id, name, count: 0 })),
    };
    for (const { doc } of ranked) {
      const [kind, phase, tiers] = m.combos[docs[doc]];
      out.kind[kind].count++;
      if (phase >= 0) out.phase[phase].count++;
      for (const t of tiers) out.tier[t].count++;
    }
    return out;
  });
}
