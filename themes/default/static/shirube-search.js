// shirube-search.js: full-text search over a shirube site's static index (search/), in the browser or in Node.
// Dependency-free ES module. The tokenizer follows docs/search-tokenizer.md, exactly like the Rust indexer
// (src/search/tokenize.rs); both are tested against tests/search/tokenize.json. Formats: docs/search-index.md.
//
//   import { search, facets } from '/shirube-search.js';
//   const results = await search('SSO設定', { limit: 5, filters: { phase: ['onboarding'] } });
//   // Node 18+: await search('invite admins', { baseDir: '/path/to/public' });

const FORMAT_VERSION = 3;
const MAX_WORD_CHARS = 40;
const SHARD_MAGIC = 'SHS3';
// BM25 (k1, b), and the steps per doubling of the page length bytes of the docs file.
const K1 = 1.2;
const B = 0.75;
const LENGTH_STEPS = 16;

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
  // The common ranges first: kana, then unified ideographs.
  if (cp >= 0x3041 && cp <= 0x30ff) return cp <= 0x3096 || (cp >= 0x30a1 && cp !== 0x30fb) || (cp >= 0x309d && cp <= 0x309f);
  if (cp >= 0x4e00 && cp <= 0x9fff) return true;
  for (let i = 0; i < CJK_RANGES.length; i++) if (cp >= CJK_RANGES[i][0] && cp <= CJK_RANGES[i][1]) return true;
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

// Variant folding inside CJK runs (spec: docs/search-tokenizer.md, "Variants"): a katakana word's final ー is
// dropped when the word is four characters or longer, and the okurigana of these compounds is dropped (XhY: the
// hiragana h between X and Y). The same table is OKURIGANA in src/search/tokenize.rs.
const OKURIGANA = new Set([
  '申し込', '振り込', '取り扱', '受け付', '引き落', '問い合', '書き込', '読み込', '取り込', '組み込', '絞り込',
  '売り上', '割り当', '割り引', '払い戻', '切り替', '立ち上', '打ち合', '取り消', '差し替', '引き継', '貼り付',
  '書き出', '呼び出', '締め切', '繰り越', '受け取', '受け入', '振り替',
]);
export const okuriganaTable = [...OKURIGANA];

function isKatakanaCode(cp) {
  return (cp >= 0x30a1 && cp <= 0x30fa) || cp === 0x30fc || (cp >= 0x31f0 && cp <= 0x31ff);
}

// The indices in [st, end) of a CJK run that give bigrams: every one but the folded-away characters. `at(k)` is
// the character at k; lo..hi is where the run's neighbours may be read (the whole text, even when only a
// window of it is scanned).
function keptInRun(at, st, end, lo, hi) {
  const kept = [];
  let kata = 0;
  for (let k = st - 1; k >= lo && isKatakanaCode(at(k).codePointAt(0)); k--) kata++;
  for (let k = st; k < end; k++) {
    const c = at(k);
    const cp = c.codePointAt(0);
    kata = isKatakanaCode(cp) ? kata + 1 : 0;
    const next = k + 1 < hi ? at(k + 1) : '';
    const nextCp = next ? next.codePointAt(0) : 0;
    if (cp === 0x30fc && kata >= 4 && !isKatakanaCode(nextCp)) continue;
    if (cp >= 0x3041 && cp <= 0x3096 && k > lo && next && isCjkCode(nextCp) && OKURIGANA.has(at(k - 1) + c + next)) continue;
    kept.push(k);
  }
  return kept;
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
      const kept = keptInRun((k) => units[k][0], st, i, 0, units.length);
      if (kept.length === 1) {
        out.push({ term: units[kept[0]][0], cjk: true, run, start: units[kept[0]][1], end: units[kept[0]][2] });
      } else {
        for (let j = 0; j < kept.length - 1; j++) {
          const [a, b] = [kept[j], kept[j + 1]];
          out.push({ term: units[a][0] + units[b][0], cjk: true, run, start: units[a][1], end: units[b][2] });
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

function isAsciiWord(c) {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

// The tokens of `norm[a..b]`, a text of simple characters already normalized, with offsets into it, appended
// to `out`. In such a text the only word characters are ASCII letters and digits, and each character is one
// code unit.
function scanNormalized(norm, a, b, out) {
  let i = a;
  while (i < b) {
    const c = norm.charCodeAt(i);
    if (c >= 0x3005 && isCjkCode(c)) {
      const st = i;
      while (i < b && norm.charCodeAt(i) >= 0x3005 && isCjkCode(norm.charCodeAt(i))) i++;
      const kept = keptInRun((k) => norm[k], st, i, 0, norm.length);
      if (kept.length === 1) out.push({ term: norm[kept[0]], cjk: true, start: kept[0], end: kept[0] + 1 });
      else for (let j = 0; j < kept.length - 1; j++) out.push({ term: norm[kept[j]] + norm[kept[j + 1]], cjk: true, start: kept[j], end: kept[j + 1] + 1 });
    } else if (isAsciiWord(c)) {
      const start = i;
      let end = i;
      let word = '';
      let piece = i;
      while (i < b) {
        const d = norm.charCodeAt(i);
        if (isAsciiWord(d)) end = ++i;
        else if ((d === 39 || d === 0x2019) && i + 1 < b && isAsciiWord(norm.charCodeAt(i + 1))) {
          word += norm.slice(piece, i);
          piece = ++i;
        } else break;
      }
      word += norm.slice(piece, end);
      if (word.length > MAX_WORD_CHARS) word = word.slice(0, MAX_WORD_CHARS);
      out.push({ term: stem(word), raw: word, cjk: false, start, end });
    } else {
      i++;
    }
  }
  return out;
}

// The tokens of an original text with offsets into it, like scanUnits(unitsOfOriginal(text)), in one pass
// when every character is simple (most text); null otherwise.
function scanSimple(text) {
  if (!SIMPLE_TEXT.test(text)) return null;
  const norm = text.normalize('NFKC').toLowerCase();
  if (norm.length !== text.length) return null;
  return scanNormalized(norm, 0, norm.length, []);
}

/** Tokens of `text` with offsets into it (for highlighting); exported for the tests. */
export function tokensWithOffsets(text) {
  return scanSimple(text) || scanUnits(unitsOfOriginal(text));
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

// Synonyms (search.synonyms of shirube.yaml, in the manifest): each entry of each group, tokenized once per
// manifest. An entry is a phrase: its terms must occur in a row (one term for most).
const SYNONYM_FACTOR = 0.8;

function prepareSynonyms(m) {
  if (!m.syn) {
    m.syn = (m.synonyms || []).map((group) =>
      group.map((text) => {
        const toks = tokenObjects(text);
        return { text, terms: toks.map((t) => t.term), cjk: toks.every((t) => t.cjk) };
      }),
    );
  }
  return m.syn;
}

// Finds the synonym entries in the query's tokens (left to right, longest first, not overlapping) and adds one
// 'syn' group for each: the page must have one of the group's entries, the typed one at full score, the others
// at SYNONYM_FACTOR. Returns the query positions the synonym groups took (with the CJK bigrams that straddle
// their edges), which planQuery leaves out.
function synonymGroups(tokens, synonyms, out) {
  const skip = new Set();
  if (!synonyms.length) return skip;
  for (let i = 0; i < tokens.length; i++) {
    let found = null;
    for (const group of synonyms) {
      for (const entry of group) {
        const n = entry.terms.length;
        if (!n || i + n > tokens.length || (found && n <= found.entry.terms.length)) continue;
        let ok = true;
        for (let k = 0; k < n && ok; k++) ok = tokens[i + k].term === entry.terms[k] && !skip.has(i + k);
        if (ok) found = { group, entry };
      }
    }
    if (!found) continue;
    const n = found.entry.terms.length;
    const [start, end] = [tokens[i].start, tokens[i + n - 1].end];
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if ((k >= i && k < i + n) || (t.cjk && t.start < end && t.end > start)) skip.add(k);
    }
    const alts = found.group.map((e) => ({ terms: e.terms, cjk: e.cjk, factor: e === found.entry ? 1 : SYNONYM_FACTOR }));
    out.push({ kind: 'syn', alts, terms: alts.flatMap((a) => a.terms), text: found.entry.text, qpos: i, len: n, required: true });
    i += n - 1;
  }
  return skip;
}

// Groups: what a page must (or may) contain. kinds: 'word' (one term, maybe a prefix), 'chain' (CJK bigrams
// that must be consecutive), 'uni' (one CJK character: itself or any bigram starting with it).
// Each group has qpos (query position of its first token) and len (tokens it spans).
function planQuery(query, synonyms = []) {
  const tokens = tokenObjects(query);
  const open = !/[\s\u3000]$/.test(query);
  const groups = [];
  const runs = new Map();
  const skip = synonymGroups(tokens, synonyms, groups);
  tokens.forEach((t, qpos) => {
    if (skip.has(qpos)) return;
    if (!t.cjk) {
      const last = qpos === tokens.length - 1;
      groups.push({
        kind: 'word',
        terms: [t.term],
        raw: t.raw,
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

// A file of the index that is not there: `rel` is its path under the site; the message says where it was looked for.
class NotFound extends Error {
  constructor(rel, where) {
    super(`shirube-search: cannot read the search index: ${where}`);
    this.rel = rel;
  }
}

// Node's fs, loaded once per module (only with options.baseDir).
let nodeFs = null;

async function readFile(site, rel, kind, fresh) {
  if (site.dir) {
    // Synchronous reads: a few small files per query, and each asynchronous read costs several trips through
    // libuv's thread pool (open, stat, read, close), more than the read itself.
    const fs = nodeFs || (nodeFs = await import('node:fs'));
    const path = site.dir.replace(/[\\/]+$/, '') + '/' + rel;
    let buf;
    try {
      buf = fs.readFileSync(path);
    } catch (e) {
      if (e && e.code === 'ENOENT') throw new NotFound(rel, `${path} not found (is baseDir the site's output folder?)`);
      throw e;
    }
    site.bytes += buf.byteLength;
    site.files.push(rel);
    if (kind === 'json') return JSON.parse(buf.toString('utf8'));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const url = new URL(rel, site.root);
  const res = await fetch(url, fresh ? { cache: 'no-cache' } : undefined);
  if (res.status === 404) throw new NotFound(rel, `${url.href}: HTTP 404`);
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
      // Loaded files by path: each is named by a hash of its bytes, so a name always means the same bytes.
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
      return m;
    });
    site.manifest.catch(() => {
      site.manifest = null;
    });
  }
  return site;
}

// A file named by the manifest (`rel`: its path under the site), loaded once: a name always holds the same
// bytes. When it is gone (a new deploy), withRetry reads the manifest again once.
function namedFile(site, map, rel, kind, decode) {
  if (!map.has(rel)) {
    const p = readFile(site, rel, kind).then(decode);
    map.set(rel, p);
    p.catch(() => map.delete(rel));
  }
  return map.get(rel);
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

// Varints (unsigned LEB128) are read with a module-level cursor, to allocate nothing per number.
let at = 0;
function varint(buf) {
  let b = buf[at++];
  if (b < 0x80) return b;
  let v = b & 0x7f;
  let mul = 128;
  for (;;) {
    b = buf[at++];
    if (b === undefined) throw new Error('shirube-search: truncated shard');
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 128;
  }
}

function parseShard(buf) {
  const magic = String.fromCharCode(buf[0], buf[1], buf[2], buf[3]);
  if (magic !== SHARD_MAGIC) throw new Error('shirube-search: not a shard');
  at = 4;
  const n = varint(buf);
  const terms = new Map();
  const dec = new TextDecoder();
  let prev = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const shared = varint(buf);
    const rest = varint(buf);
    const key = new Uint8Array(shared + rest);
    key.set(prev.subarray(0, shared));
    key.set(buf.subarray(at, at + rest), shared);
    at += rest;
    const ndocs = varint(buf);
    const len = varint(buf);
    terms.set(dec.decode(key), { buf, off: at, ndocs, decoded: null });
    at += len;
    prev = key;
  }
  return { terms, sorted: [...terms.keys()] };
}

// A term's postings: page ids (varint deltas), then one impact byte per page, then the byte length of each
// page's positions, then the positions. Ids are decoded once, impacts are a view; positions are located (the
// lengths summed) only when a page's positions are first needed.
function postings(entry, norms) {
  if (entry.decoded && entry.norms === norms) return entry.decoded;
  const buf = entry.buf;
  const n = entry.ndocs;
  const docs = new Uint32Array(n);
  at = entry.off;
  let doc = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[at];
    doc += b < 0x80 ? (at++, b) : varint(buf);
    docs[i] = doc;
  }
  // The stored byte is the weighted term frequency (and the title bit); scores use the impact, which also
  // depends on the page's length.
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const f = buf[at + i];
    flags[i] = (f & 0x80) | norms.impact(docs[i], f & 0x7f);
  }
  entry.norms = norms;
  entry.decoded = { buf, docs, flags, lengthsAt: at + n, starts: null };
  return entry.decoded;
}

function positionsOf(p, i) {
  const buf = p.buf;
  if (!p.starts) {
    const n = p.docs.length;
    const starts = new Uint32Array(n + 1);
    at = p.lengthsAt;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      starts[k] = sum;
      const b = buf[at];
      sum += b < 0x80 ? (at++, b) : varint(buf);
    }
    starts[n] = sum;
    const base = at;
    for (let k = 0; k <= n; k++) starts[k] += base;
    p.starts = starts;
  }
  const end = p.starts[i + 1];
  at = p.starts[i];
  const out = [];
  let v = 0;
  while (at < end) {
    const b = buf[at];
    out.push((v += b < 0x80 ? (at++, b) : varint(buf)));
  }
  return out;
}

// Index of `doc` in the sorted `docs`, looking from `lo` on, or -1. Gallops: cheap both for the next page of
// a list of similar size and for a far jump in a long list.
function findDoc(docs, doc, lo = 0) {
  const n = docs.length;
  if (lo >= n) return -1;
  if (docs[lo] >= doc) return docs[lo] === doc ? lo : -1;
  let step = 1;
  while (lo + step < n && docs[lo + step] < doc) {
    lo += step;
    step *= 2;
  }
  let hi = Math.min(lo + step, n - 1);
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

// Shard n of the manifest, with the page lengths its term frequencies are scored with.
async function loadShard(site, n) {
  const m = await site.manifest;
  const name = m.shard_files[n];
  if (name === undefined) throw new Error(`shirube-search: the manifest names no shard ${n}`);
  const [shard, docs] = await Promise.all([
    namedFile(site, site.shards, `search/s/${name}.bin`, 'bin', parseShard),
    loadDocs(site),
  ]);
  return { terms: shard.terms, sorted: shard.sorted, norms: docs.norms };
}

// Every (term, postings, factor) a group matches: its exact terms, and the terms that start with its prefix.
function groupTerms(group, shards) {
  const out = [];
  const seen = new Set();
  for (const term of group.terms) {
    for (const s of shards) {
      const e = s.terms.get(term);
      if (e) {
        out.push({ term, p: postings(e, s.norms), factor: 1 });
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
          out.push({ term, p: postings(s.terms.get(term), s.norms), factor: group.kind === 'uni' ? 0.9 : 0.8 });
        }
      }
    }
  }
  return out;
}

function idf(n, df) {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

const NO_MATCH = { docs: [], scores: [], titles: [], verify: null, startsAt: () => [] };

// The pages one group matches, sorted: {docs, scores, titles (1 when in the title), verify(i) (null, or a
// check that must pass for docs[i] to count: the bigrams of a chain in a row), startsAt(i) (the positions
// where the group starts in docs[i], sorted)}. Positions are decoded only for the pages that need them.
function matchGroup(group, shards, n) {
  if (group.kind === 'syn') return matchSynonyms(group, shards, n);
  if (group.kind === 'chain' && group.terms.length > 1) return matchChain(group, shards, n);
  const list = groupTerms(group, shards);
  if (!list.length) return NO_MATCH;
  if (list.length === 1) {
    const { p, factor } = list[0];
    const w = (idf(n, p.docs.length) * factor) / 127;
    const len = p.docs.length;
    const scores = new Float64Array(len);
    const titles = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const f = p.flags[i];
      scores[i] = (f & 0x7f) * w;
      titles[i] = f >> 7;
    }
    return { docs: p.docs, scores, titles, verify: null, startsAt: (i) => positionsOf(p, i) };
  }
  // Several terms (a word and its completions): the best score of each page, title if any term is.
  const best = new Float64Array(n);
  const inTitle = new Uint8Array(n);
  let count = 0;
  for (const { p, factor } of list) {
    const w = (idf(n, p.docs.length) * factor) / 127;
    for (let i = 0; i < p.docs.length; i++) {
      const doc = p.docs[i];
      const f = p.flags[i];
      const sc = (f & 0x7f) * w;
      if (best[doc] === 0) count++;
      if (sc > best[doc]) best[doc] = sc;
      inTitle[doc] |= f >> 7;
    }
  }
  const docs = new Uint32Array(count);
  const scores = new Float64Array(count);
  const titles = new Uint8Array(count);
  for (let d = 0, k = 0; d < n && k < count; d++) {
    if (best[d] > 0) {
      docs[k] = d;
      scores[k] = best[d];
      titles[k++] = inTitle[d];
    }
  }
  const startsAt = (i) => {
    const all = [];
    for (const { p } of list) {
      const j = findDoc(p.docs, docs[i]);
      if (j >= 0) all.push(...positionsOf(p, j));
    }
    return Int32Array.from(all).sort();
  };
  return { docs, scores, titles, verify: null, startsAt };
}

// A chain of CJK bigrams: the pages with every bigram (walking the rarest one's pages); whether they occur in a
// row is checked later, by verify(i), only for the pages that may be shown.
function matchChain(group, shards, n) {
  const parts = group.terms.map((t) => groupTerms({ terms: [t] }, shards)[0]);
  if (parts.some((p) => !p)) return NO_MATCH;
  const ps = parts.map((x) => x.p);
  const w = ps.map((p) => idf(n, p.docs.length) / 127);
  let rare = 0;
  ps.forEach((p, k) => (p.docs.length < ps[rare].docs.length ? (rare = k) : 0));
  const K = ps.length;
  // A chain counts like one word: the mean of its bigrams, slightly more for longer (rarer) chains.
  const scale = (1 + 0.1 * (K - 1)) / K;
  const base = ps[rare].docs;
  // Merge-walks the lists (every one is decoded whole already, so a walk costs no more than the decoding),
  // inline: this loop runs once per page of the rarest bigram, mostly before V8 has optimized anything.
  const from = new Int32Array(K);
  const cap = base.length;
  const docs = new Uint32Array(cap);
  const scores = new Float64Array(cap);
  const titles = new Uint8Array(cap);
  const at = new Int32Array(cap * K);
  let count = 0;
  outer: for (let i = 0; i < base.length; i++) {
    const doc = base[i];
    const row = count * K;
    for (let k = 0; k < K; k++) {
      if (k === rare) {
        at[row + k] = i;
        continue;
      }
      const list = ps[k].docs;
      let j = from[k];
      while (j < list.length && list[j] < doc) j++;
      from[k] = j;
      if (j === list.length) break outer;
      if (list[j] !== doc) continue outer;
      at[row + k] = j;
    }
    let score = 0;
    let title = 1;
    for (let k = 0; k < K; k++) {
      const f = ps[k].flags[at[row + k]];
      score += (f & 0x7f) * w[k];
      title &= f >> 7;
    }
    docs[count] = doc;
    scores[count] = score * scale;
    titles[count++] = title;
  }
  const cache = new Map();
  const startsAt = (i) => {
    let starts = cache.get(i);
    if (!starts) {
      const pos = ps.map((p, k) => positionsOf(p, at[i * K + k]));
      starts = [];
      for (const p0 of pos[0]) {
        let ok = true;
        for (let k = 1; k < ps.length && ok; k++) ok = hasPos(pos[k], p0 + k);
        if (ok) starts.push(p0);
      }
      cache.set(i, starts);
    }
    return starts;
  };
  return {
    docs: docs.subarray(0, count),
    scores: scores.subarray(0, count),
    titles: titles.subarray(0, count),
    verify: (i) => startsAt(i).length > 0,
    startsAt,
  };
}

// A synonym group: the pages with any of its entries (a phrase's terms in a row), each at its best score.
function matchSynonyms(group, shards, n) {
  const best = new Float64Array(n);
  const inTitle = new Uint8Array(n);
  const parts = group.alts.map((alt) => {
    const g = alt.terms.length > 1 ? { kind: 'chain', terms: alt.terms } : { kind: 'word', terms: alt.terms };
    return matchGroup(g, shards, n);
  });
  let count = 0;
  group.alts.forEach((alt, a) => {
    const mm = parts[a];
    for (let i = 0; i < mm.docs.length; i++) {
      if (mm.verify && !mm.verify(i)) continue;
      const doc = mm.docs[i];
      const sc = Math.max(mm.scores[i] * alt.factor, 1e-9);
      if (best[doc] === 0) count++;
      if (sc > best[doc]) best[doc] = sc;
      inTitle[doc] |= mm.titles[i];
    }
  });
  const docs = new Uint32Array(count);
  const scores = new Float64Array(count);
  const titles = new Uint8Array(count);
  for (let d = 0, k = 0; d < n && k < count; d++) {
    if (best[d] > 0) {
      docs[k] = d;
      scores[k] = best[d];
      titles[k++] = inTitle[d];
    }
  }
  const startsAt = (i) => {
    const all = [];
    for (const mm of parts) {
      const j = findDoc(mm.docs, docs[i]);
      if (j >= 0) all.push(...mm.startsAt(j));
    }
    return Int32Array.from(all).sort();
  };
  return { docs, scores, titles, verify: null, startsAt };
}

// The docs file: {combos: each page's facet combination, norms: {impact(doc, tf)}}.
async function loadDocs(site) {
  const m = await site.manifest;
  return namedFile(site, site.fragments, `search/d/${m.docs}.bin`, 'bin', (buf) => {
    const width = buf[0];
    const n = m.pages;
    if (buf.length !== 1 + n * (width + 1)) throw new Error('shirube-search: the docs file does not fit the manifest');
    const combos = new Uint16Array(n);
    for (let i = 0; i < n; i++) combos[i] = width === 1 ? buf[1 + i] : buf[1 + 2 * i] | (buf[2 + 2 * i] << 8);
    const lens = buf.subarray(1 + n * width);
    return { combos, norms: makeNorms(lens, m.length_average) };
  });
}

// BM25's term-frequency part, from the weighted frequency (1-127) and the page's length byte, scaled to 1-127
// as the indexer did before version 3. One row of 128 per length byte, made when first needed.
function makeNorms(lens, averageLength) {
  const length = (b) => 2 ** (b / LENGTH_STEPS) - 1;
  const average = Math.max(1, averageLength);
  const table = new Uint8Array(256 * 128);
  const made = new Uint8Array(256);
  return {
    impact(doc, tf) {
      const b = lens[doc];
      if (!made[b]) {
        const norm = K1 * (1 - B + (B * length(b)) / average);
        for (let t = 1; t < 128; t++) table[b * 128 + t] = Math.min(127, Math.max(1, Math.round((t / (t + norm)) * 127)));
        made[b] = 1;
      }
      return table[b * 128 + tf];
    },
  };
}

// Positions of block b (a section) start at b * BLOCK_ALIGN (src/search/invert.rs).
const BLOCK_ALIGN = 4096;

// The fragment of page `doc` with the text of the sections an excerpt may come from: a long page keeps only its
// first sections in its fragment, and the rest in parts (`p`), of which only those holding the sections where
// the query's groups occur most (known from their positions) are read. Sections not read have no text.
async function excerptFragment(site, m, doc, groups, cache) {
  const frag = await loadFragment(site, m, doc);
  if (!frag.p || !frag.p.length) return frag;
  const sectionOf = new Map(frag.x.map((x, i) => [x[3], i]));
  const found = new Map();
  groups.forEach((g, gi) => {
    const match = cache.get(groupKey(g));
    if (!match || !match.docs.length) return;
    const j = findDoc(match.docs, doc);
    if (j < 0 || (match.verify && !match.verify(j))) return;
    for (const pos of match.startsAt(j)) {
      const s = sectionOf.get(Math.floor(pos / BLOCK_ALIGN));
      if (s === undefined) continue;
      const f = found.get(s) || { s, groups: new Set(), hits: 0 };
      f.groups.add(gi);
      f.hits++;
      found.set(s, f);
    }
  });
  const best = [...found.values()]
    .sort((a, b) => b.groups.size - a.groups.size || b.hits - a.hits || a.s - b.s)
    .slice(0, EXCERPT_PARTS)
    .map((f) => f.s);
  // No section matches (the title, summary or URL does): the excerpt is the summary, or the first section.
  if (!best.length && !frag.s && frag.x.length) best.push(0);
  const want = [...new Set(best.map((s) => frag.x[s][2]).filter((t) => typeof t === 'number'))];
  const texts = new Map();
  const loaded = await Promise.all(
    want.map((k) => namedFile(site, site.fragments, `search/f/${frag.p[k]}.json`, 'json', (x) => x)),
  );
  for (const part of loaded) for (const [i, text] of part) texts.set(i, text);
  return { ...frag, x: frag.x.map(([h, a, t, b], i) => [h, a, typeof t === 'string' ? t : texts.get(i) ?? '', b]) };
}

// The fragment of page `doc`: its name is in the list of its `fragment_list_pages` pages.
async function loadFragment(site, m, doc) {
  const per = m.fragment_list_pages;
  const name = m.fragment_lists[Math.floor(doc / per)];
  if (name === undefined) throw new Error(`shirube-search: the manifest names no fragment of page ${doc}`);
  const list = await namedFile(site, site.fragments, `search/l/${name}.bin`, 'bin', (x) => x);
  const at = (doc % per) * 8;
  if (list.length < at + 8) throw new Error(`shirube-search: the fragment list ${name} has no page ${doc}`);
  let hex = '';
  for (let i = at; i < at + 8; i++) hex += (list[i] < 16 ? '0' : '') + list[i].toString(16);
  return namedFile(site, site.fragments, `search/f/${hex}.json`, 'json', (x) => x);
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

// Ranks the pages that match `query`: {m, groups, ranked: [{doc, score}] best first, partial}. A page must have
// every word of the query; when no page has them all and the query has several, the pages that have some of
// them come instead (`partial`): those with the most words first, then by score (each word in turn required,
// the others counted where found). With `limit`, only the pages that can be among the best `limit` (the phrase boost
// multiplies a score by 1.5 at most), which spares checking the others for chains in a row and phrases; without,
// every page that matches.
async function rank(site, query, filters, limit, literal = false) {
  const m = await site.manifest;
  const groups = planQuery(query, prepareSynonyms(m));
  if (!groups.length) return { m, groups, ranked: [], partial: false, corrected: null, cache: new Map() };
  // Each group's matches, shared by the passes below (with what they have verified of chains).
  const cache = new Map();
  const first = await rankPlanned(site, m, groups, filters, limit, cache);
  if (literal || (first.ranked.length && !first.partial)) return { m, groups, ...first, corrected: null, cache };
  // Some word is on no page: search again with the nearest spelling of each such word that is in the index.
  const fixes = await corrections(site, m, query, groups, cache);
  if (!fixes.length) return { m, groups, ...first, corrected: null, cache };
  const fixed = groups.map((g) => fixes.find((f) => f.group === g)?.replacement ?? g);
  const second = await rankPlanned(site, m, fixed, filters, limit, cache);
  if (!second.ranked.length) return { m, groups, ...first, corrected: null, cache };
  return { m, groups: fixed, ...second, corrected: correctedText(query, fixes), cache };
}

// rank() for planned groups, without corrections.
async function rankPlanned(site, m, groups, filters, limit, cache) {
  const ranked = await rankGroups(site, m, groups, filters, limit, cache);
  const required = groups.filter((g) => g.required);
  if (ranked.length || required.length < 2) return { ranked, partial: false };
  // A word that no page has (for a chain: whose bigrams are nowhere in a row) gets no pass, and is found on no
  // page in the others' passes.
  const live = required.filter((g) => {
    const match = cache.get(groupKey(g));
    if (match && !match.docs.length) return false;
    if (!match || !match.verify) return true;
    for (let i = 0; i < match.docs.length; i++) if (match.verify(i)) return true;
    cache.set(groupKey(g), NO_MATCH);
    return false;
  });
  // Every page with one of the words, the pages with the most words first, then by score. With several words
  // found, each pass is complete (no `limit`: a page with more words may score lower than one with fewer); with
  // one, every page has just that word, and the order is by score alone.
  const passLimit = live.length === 1 ? limit : undefined;
  const best = new Map();
  for (const word of live) {
    const one = groups.map((g) => (g === word || !g.required ? g : { ...g, required: false, load: true }));
    for (const r of await rankGroups(site, m, one, filters, passLimit, cache)) {
      const seen = best.get(r.doc);
      if (!seen || r.score > seen.score) best.set(r.doc, r);
    }
  }
  // Which words each page lacks, when the query is short enough for one bit per group (any real query is).
  const tell = groups.length <= 31;
  const merged = [...best.values()].map(({ doc, score, words, has }) => ({
    doc,
    score,
    words,
    missing: tell ? required.filter((g) => !(has & bit(groups.indexOf(g)))).map(groupText) : [],
  }));
  merged.sort((a, b) => b.words - a.words || b.score - a.score || a.doc - b.doc);
  return { ranked: merged, partial: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Typos ("did you mean")

// Small kana and the long-vowel mark: dropping or adding one is one edit of a katakana word.
const KANA_EDITS = ['ッ', 'ャ', 'ュ', 'ョ', 'ー'];
// At most this many shards are read to correct a katakana word.
const MAX_KANA_SHARDS = 6;

// Optimal string alignment distance (Levenshtein with transpositions of neighbours), or max + 1 when it is
// larger than max.
function editDistance(a, b, max) {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let prev2 = null;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let low = i;
    for (let j = 1; j <= y.length; j++) {
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (prev2 && i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      if (d < low) low = d;
    }
    if (low > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[y.length];
}

// The query's words as typed (offsets into the query), one per token: to tell acronyms and to spell corrections.
function typed(query) {
  return tokensWithOffsets(query);
}

// A word that may be corrected: letters only, 5 letters or more, not an acronym (typed in capitals). Returns
// the number of edits allowed: one for 5-8 letters, two for longer words; 0 for none.
function wordEdits(g, toks, query) {
  if (g.kind !== 'word' || !g.raw) return 0;
  const raw = [...g.raw];
  if (raw.length < 5 || !/^\p{L}+$/u.test(g.raw)) return 0;
  const t = toks[g.qpos];
  if (t) {
    const original = query.slice(t.start, t.end);
    if (/^\p{Lu}+$/u.test(original)) return 0;
  }
  return raw.length <= 8 ? 1 : 2;
}

// The shard a term would sit in, and its neighbour on the side whose first term shares more of its beginning.
function typoShards(m, term) {
  const s = shardIndex(m.shards, term);
  const common = (a) => {
    let k = 0;
    while (k < a.length && k < term.length && a[k] === term[k]) k++;
    return k;
  };
  const next = s + 1 < m.shards.length ? common(m.shards[s + 1]) : -1;
  const here = s > 0 ? common(m.shards[s]) : -1;
  const other = next >= here ? s + 1 : s - 1;
  return other >= 0 && other < m.shards.length ? [s, other] : [s];
}

// The katakana spellings one kana edit away from `word`: a small kana or ー dropped or added anywhere.
function kanaVariants(word) {
  const c = [...word];
  const out = new Set();
  for (let i = 0; i <= c.length; i++) {
    for (const k of KANA_EDITS) out.add([...c.slice(0, i), k, ...c.slice(i)].join(''));
    if (i < c.length && KANA_EDITS.includes(c[i])) out.add([...c.slice(0, i), ...c.slice(i + 1)].join(''));
  }
  out.delete(word);
  return [...out];
}

function isMatched(match) {
  if (!match || !match.docs.length) return false;
  if (!match.verify) return true;
  for (let i = 0; i < match.docs.length; i++) if (match.verify(i)) return true;
  return false;
}

function verifiedCount(match) {
  let n = 0;
  for (let i = 0; i < match.docs.length; i++) if (!match.verify || match.verify(i)) n++;
  return n;
}

// For each required group that no page matches: the nearest spelling in the index, as {group, replacement,
// text} (text: the spelling to show). Latin words: within wordEdits() edits, in the word's shard and its
// neighbour, the closest and then the most common. Katakana words of four characters or more: one small kana
// or ー dropped or added, the spelling found on the most pages.
async function corrections(site, m, query, groups, cache) {
  const toks = typed(query);
  const out = [];
  for (const g of groups) {
    if (!g.required || isMatched(cache.get(groupKey(g)))) continue;
    const edits = wordEdits(g, toks, query);
    if (edits) {
      const nums = typoShards(m, g.terms[0]);
      const shards = await Promise.all(nums.map((n) => loadShard(site, n)));
      let best = null;
      for (const shard of shards) {
        for (const term of shard.sorted) {
          if (isCjkCode(term.codePointAt(0))) continue;
          const d = editDistance(g.terms[0], term, edits);
          if (d > edits) continue;
          const df = shard.terms.get(term).ndocs;
          if (!best || d < best.d || (d === best.d && df > best.df)) best = { term, d, df };
        }
      }
      if (best) out.push({ group: g, text: best.term, replacement: { ...g, terms: [best.term], raw: best.term, prefix: null } });
      continue;
    }
    if (g.kind !== 'chain') continue;
    const word = groupText(g);
    const chars = [...word];
    if (chars.length < 4 || !chars.every((c) => isKatakanaCode(c.codePointAt(0)))) continue;
    const candidates = kanaVariants(word).map((text) => ({ text, terms: tokenize(text) }));
    const nums = [];
    for (const c of candidates) {
      const need = [...new Set(c.terms.map((t) => shardIndex(m.shards, t)))];
      const extra = need.filter((n) => !nums.includes(n));
      if (nums.length + extra.length > MAX_KANA_SHARDS) {
        c.skip = true;
        continue;
      }
      nums.push(...extra);
    }
    const loaded = await Promise.all(nums.map((n) => loadShard(site, n)));
    let best = null;
    for (const c of candidates) {
      if (c.skip || c.terms.length < 2) continue;
      const match = matchChain({ kind: 'chain', terms: c.terms }, loaded, m.pages);
      const n = verifiedCount(match);
      if (n && (!best || n > best.n)) best = { ...c, n };
    }
    if (best) out.push({ group: g, text: best.text, replacement: { ...g, terms: best.terms } });
  }
  return out;
}

// The query with each corrected word replaced by its correction, as typed otherwise.
function correctedText(query, fixes) {
  const toks = typed(query);
  const spans = fixes
    .map((f) => {
      const a = toks[f.group.qpos];
      const b = toks[f.group.qpos + f.group.len - 1];
      if (!a || !b) return null;
      // A word typed with a capital (Slakc) is shown corrected with one (Slack).
      const cap = /^\p{Lu}/u.test(query.slice(a.start, b.end)) && /^\p{Ll}/u.test(f.text);
      return { start: a.start, end: b.end, text: cap ? f.text[0].toUpperCase() + f.text.slice(1) : f.text };
    })
    .filter(Boolean)
    .sort((x, y) => y.start - x.start);
  let out = query;
  for (const sp of spans) out = out.slice(0, sp.start) + sp.text + out.slice(sp.end);
  return out.trim();
}

function bit(i) {
  return i < 31 ? 1 << i : 0;
}

// The query words a group stands for, as normalized text: a word, a CJK character, or a chain of bigrams
// joined back (設定, 定方 → 設定方).
function groupText(g) {
  if (g.kind === 'syn') return normalize(g.text);
  if (g.kind !== 'chain') return g.raw ?? g.terms[0];
  return g.terms.map((t, i) => (i === 0 ? t : [...t].slice(1).join(''))).join('');
}

// What a group's matches depend on: its kind, terms and prefix (not whether it is required).
function groupKey(g) {
  const alts = g.kind === 'syn' ? g.alts.map((a) => a.terms.join('\u0001') + '\u0002' + a.factor).join('\u0003') : '';
  return `${g.kind}\u0000${g.terms.join('\u0001')}\u0000${g.prefix ?? ''}\u0000${alts}`;
}

// `rank` for planned groups: every required group must match; `load` marks optional groups whose shards are
// fetched anyway (words of the query that count, but are not required in this pass). `cache` keeps each group's
// matches by groupKey, for the next call on the same query.
async function rankGroups(site, m, groups, filters, limit, cache = new Map()) {
  // Shards for the required groups; optional groups (particles, stop words) are looked up only in those, so a
  // very common optional term never costs a download.
  const shardNums = new Set();
  for (const g of groups) if (g.required || g.load) for (const s of shardsFor(m, g)) shardNums.add(s);
  const loaded = new Map();
  await Promise.all([...shardNums].map(async (s) => loaded.set(s, await loadShard(site, s))));
  const combos = hasFilters(filters) ? (await loadDocs(site)).combos : null;
  const matches = groups.map((g) => {
    const key = groupKey(g);
    if (cache.has(key)) return cache.get(key);
    const shards = shardsFor(m, g).filter((s) => loaded.has(s));
    if (!g.required && shards.length < shardsFor(m, g).length) return null;
    const match = matchGroup(g, shards.map((s) => loaded.get(s)), m.pages);
    cache.set(key, match);
    return match;
  });
  const required = groups.map((g, i) => i).filter((i) => groups[i].required);
  required.sort((a, b) => matches[a].docs.length - matches[b].docs.length);
  const optional = groups.map((g, i) => i).filter((i) => !groups[i].required && matches[i]);
  const used = required.concat(optional);
  const G = used.length;

  // Candidates: the pages of the rarest required group that every other required group has (binary search from
  // the last match on, since both lists are sorted). `idx` holds each candidate's index in each group's lists.
  const base = matches[required[0]];
  const from = new Int32Array(G);
  let idx = new Int32Array(Math.max(1, base.docs.length) * G);
  const cdocs = [];
  const cscores = [];
  const cwords = [];
  const chas = [];
  for (let i = 0; i < base.docs.length; i++) {
    const doc = base.docs[i];
    if (combos && !comboMatches(m, combos[doc], filters)) continue;
    const row = cdocs.length * G;
    idx[row] = i;
    let score = base.scores[i];
    let allTitle = base.titles[i] === 1;
    let ok = true;
    for (let k = 1; k < required.length && ok; k++) {
      const g = matches[required[k]];
      const j = findDoc(g.docs, doc, from[k]);
      if (j < 0) ok = false;
      else {
        idx[row + k] = from[k] = j;
        score += g.scores[j];
        allTitle = allTitle && g.titles[j] === 1;
      }
    }
    if (!ok) continue;
    let allOptional = optional.length > 0;
    let words = required.length;
    // Which of `groups` the page has: bit i for groups[i] (see `rank` for queries of more than 31 groups).
    let has = 0;
    for (const i of required) has |= bit(i);
    for (let k = required.length; k < G; k++) {
      const g = matches[used[k]];
      let j = findDoc(g.docs, doc, from[k]);
      if (j >= 0) from[k] = j;
      // A word of the query (in a pass of `rank`) counts only where it occurs: a chain's bigrams in a row.
      if (j >= 0 && g.verify && groups[used[k]].load && !g.verify(j)) j = -1;
      idx[row + k] = j;
      if (j >= 0) {
        score += 0.5 * g.scores[j];
        has |= bit(used[k]);
        if (groups[used[k]].load) words++;
      } else allOptional = false;
    }
    if (allTitle) score *= 1.5;
    if (allOptional) score *= 1.1;
    cdocs.push(doc);
    cscores.push(score);
    cwords.push(words);
    chas.push(has);
  }
  const order = sortByScore(cscores, cdocs);

  // Chains must occur in a row: checked in rank order, until enough pages are known to match.
  const checks = required.filter((i) => matches[i].verify);
  const ranked = [];
  for (const c of order) {
    if (limit !== undefined) {
      if (ranked.length >= RESCORE) break;
      if (ranked.length >= limit && (limit === 0 || cscores[c] * 1.5 < ranked[limit - 1].score)) break;
    }
    let ok = true;
    for (const i of checks) if (ok) ok = matches[i].verify(idx[c * G + used.indexOf(i)]);
    if (ok) ranked.push({ doc: cdocs[c], score: cscores[c], c, words: cwords[c], has: chas[c] });
  }
  // Phrase boost, for the best candidates only (it needs positions).
  if (G > 1) {
    const top = ranked.slice(0, RESCORE);
    for (const r of top) if (isPhrase(groups, matches, used, idx, r.c * G)) r.score *= 1.5;
    top.sort((a, b) => b.score - a.score || a.doc - b.doc);
    ranked.splice(0, top.length, ...top);
  }
  return ranked;
}

// Candidate numbers in order of score (best first), then page id. Scores are sorted as one typed array of keys
// (a native numeric sort, no comparator calls), with a comparator sort for sites too large to pack the key.
function sortByScore(scores, docs) {
  const n = scores.length;
  let max = 0;
  for (let c = 0; c < n; c++) if (scores[c] > max) max = scores[c];
  // The key must stay an exact integer: |score| × 1e6 × 2^21 < 2^53.
  if (n > 0 && docs[n - 1] < 1 << 21 && max < 4000) {
    const keys = new Float64Array(n);
    // Scores to 1e-6, page id in the low 21 bits, candidate number recovered from a map of keys.
    for (let c = 0; c < n; c++) keys[c] = Math.round(-scores[c] * 1e6) * 2097152 + docs[c];
    const byDoc = new Map();
    for (let c = 0; c < n; c++) byDoc.set(docs[c], c);
    keys.sort();
    const out = new Array(n);
    for (let k = 0; k < n; k++) {
      const key = keys[k];
      const doc = key - Math.floor(key / 2097152) * 2097152;
      out[k] = byDoc.get(doc);
    }
    return out;
  }
  const out = Array.from({ length: n }, (_, c) => c);
  return out.sort((a, b) => scores[b] - scores[a] || docs[a] - docs[b]);
}

// True when the groups occur in query order at consecutive positions, somewhere in the page.
function isPhrase(groups, matches, used, idx, row) {
  const known = used.map((i, k) => [i, k]).sort((a, b) => groups[a[0]].qpos - groups[b[0]].qpos);
  for (const [, k] of known) if (idx[row + k] < 0) return false;
  const q0 = groups[known[0][0]].qpos;
  const lists = known.map(([i, k]) => matches[i].startsAt(idx[row + k]));
  for (const p of lists[0]) {
    let ok = true;
    for (let k = 1; k < known.length && ok; k++) ok = hasPos(lists[k], p + groups[known[k][0]].qpos - q0);
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
// Text made only of simple characters, those that need no neighbours to normalize (ASCII, full-width ASCII,
// the ideographic space, some punctuation, kana without the voiced marks, unified ideographs: `simple` in
// src/search/tokenize.rs): its NFKC lowercase form has the same length, each
// character at the same offset.
const SIMPLE_TEXT = /^[\x00-\x7f\u2013\u2014\u2018\u2019\u201c\u201d\u3000-\u3011\u3013-\u301f\u3041-\u3096\u30a1-\u30fc\u4e00-\u9fff\uff01-\uff5e]*$/;

// Strings that occur in the normalized text wherever a group may match: a word's term without its last
// character (stemming only changes the end of a word: `policy` from `policies`), the same of a prefix, the
// characters of a CJK chain in a row.
function needles(g) {
  const cut = (t) => (t.length >= 3 ? t.slice(0, -1) : t);
  if (g.kind === 'syn') return g.alts.flatMap((a) => needles(altGroup(a)));
  if (g.kind === 'chain') {
    // The text may spell the chain with okurigana that folding dropped: look for that spelling too.
    const joined = g.terms.map((t, k) => (k === 0 ? t : [...t].slice(1).join(''))).join('');
    const out = [joined];
    for (const e of OKURIGANA) if (joined.includes(e[0] + e[2])) out.push(joined.replace(e[0] + e[2], e));
    return out;
  }
  const out = g.terms.map(cut);
  if (g.prefix) out.push(cut(g.prefix));
  return out;
}

// A synonym entry as the group it would be alone (for excerpts): a chain of bigrams, or words.
function altGroup(a) {
  return a.cjk && a.terms.length > 1 ? { kind: 'chain', terms: a.terms } : { kind: 'seq', terms: a.terms };
}

const MAX_WINDOWS_PER_NEEDLE = 16;

function isWordCode(c) {
  return isAsciiWord(c) || c === 39 || c === 0x2019;
}

// Tokens of `text` with offsets, but only at the places where a group may match (found with indexOf on the
// normalized text), each widened to whole tokens: long texts are not tokenized whole (the excerpt takes its
// context from the text itself). A separator (an empty token) between two windows keeps a chain from matching
// across them.
function tokensNear(text, groups) {
  if (!SIMPLE_TEXT.test(text)) return tokensWithOffsets(text);
  const norm = text.normalize('NFKC').toLowerCase();
  if (norm.length !== text.length) return tokensWithOffsets(text);
  const windows = [];
  for (const g of groups) {
    for (const needle of needles(g)) {
      if (!needle) continue;
      let from = 0;
      for (let k = 0; k < MAX_WINDOWS_PER_NEEDLE; k++) {
        const p = norm.indexOf(needle, from);
        if (p < 0) break;
        let a = p;
        let b = p + needle.length;
        if (isAsciiWord(norm.charCodeAt(p))) {
          // A word: from its start to its end.
          while (a > 0 && isWordCode(norm.charCodeAt(a - 1))) a--;
          while (b < norm.length && isWordCode(norm.charCodeAt(b))) b++;
        } else {
          // CJK: one more character on each side, so every bigram with a character of the match is whole, and
          // a match inside a longer run is never taken for a one-character run.
          if (a > 0 && isCjkCode(norm.charCodeAt(a - 1))) a--;
          if (b < norm.length && isCjkCode(norm.charCodeAt(b))) b++;
        }
        windows.push([a, b]);
        from = p + needle.length;
      }
    }
  }
  if (!windows.length) return [];
  windows.sort((x, y) => x[0] - y[0]);
  const out = [];
  let [a, b] = windows[0];
  for (const [x, y] of windows.slice(1)) {
    if (x <= b) b = Math.max(b, y);
    else {
      scanNormalized(norm, a, b, out);
      out.push({ term: '', cjk: false, start: b, end: b });
      [a, b] = [x, y];
    }
  }
  scanNormalized(norm, a, b, out);
  return out;
}

function matchSpans(text, groups) {
  const toks = tokensNear(text, groups);
  if (!toks.length) return { spans: [], distinct: 0 };
  const hit = new Array(toks.length).fill(false);
  const matched = new Set();
  // The terms in a row (a chain's bigrams, a synonym's phrase).
  const inRow = (terms, cjk, gi) => {
    const n = terms.length;
    for (let i = 0; i + n <= toks.length; i++) {
      let ok = true;
      for (let k = 0; k < n && ok; k++) ok = (!cjk || toks[i + k].cjk) && toks[i + k].term === terms[k];
      if (!ok) continue;
      for (let k = 0; k < n; k++) hit[i + k] = true;
      matched.add(gi);
    }
  };
  groups.forEach((g, gi) => {
    if (g.kind === 'syn') {
      for (const a of g.alts) inRow(a.terms, a.cjk, gi);
      return;
    }
    if (g.kind === 'chain' && g.terms.length > 1) {
      inRow(g.terms, true, gi);
      return;
    }
    toks.forEach((t, i) => {
      if (t.term && (g.terms.includes(t.term) || (g.prefix && t.term.startsWith(g.prefix)))) {
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
    const has = (terms) => terms.every((t) => norm.includes(t.length > 4 ? t.slice(0, -2) : t));
    const found = (g.prefix && norm.includes(g.prefix)) || (g.kind === 'syn' ? g.alts.some((a) => has(a.terms)) : has(g.terms));
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
    if (!(e instanceof NotFound) || e.rel === 'search/manifest.json') throw e;
    // A file of an older build is gone: the site was deployed again. Read the new manifest once.
    site.manifest = null;
    return fn(openSite(options));
  }
}

/**
 * Searches the site. Returns results best first:
 * `{url, title, excerpt, phase, tier, kind, score, partial, missing, sections: [{title, url, excerpt}]}`.
 * `excerpt` is HTML: page text escaped, matches in `<mark>`. `partial`: no page has every word of the query,
 * and these have some of them; `missing`: the words of the query this page lacks (normalized, lowercase), empty
 * unless `partial`. `corrected`: null, or, when a word of the query is on no page and a spelling one or two edits
 * away is, the query as searched instead (`'Slack'` for `'Slakc'`, `'チェックリスト'` for `'チェクリスト'`).
 * Synonyms (search.synonyms in shirube.yaml) match as one term, the typed one first.
 *
 * options.literal (true: no corrections, search the words as typed), options.limit (default 10; Infinity for every result), options.filters ({phase: [...], tier: [...], kind: [...]}: any value of a facet,
 * all facets), options.baseDir (Node: the output folder on disk), options.baseUrl (the site root; default: the
 * folder this module is served from).
 */
export async function search(query, options = {}) {
  // Infinity: every result; a fraction is rounded down; not a number (or null): the default.
  const n = Number(options.limit ?? 10);
  const limit = Number.isNaN(n) ? 10 : Math.max(0, Math.floor(n));
  if (!String(query ?? '').trim()) return [];
  return withRetry(options, async (site) => {
    const { m, groups, ranked, partial, corrected, cache } = await rank(site, String(query), options.filters, Number.isFinite(limit) ? limit : undefined, !!options.literal);
    const top = ranked.slice(0, limit);
    const base = resultBase(site, m);
    const frags = await Promise.all(top.map(({ doc }) => excerptFragment(site, m, doc, groups, cache)));
    return top.map(({ score, missing }, i) => ({
      ...buildResult(m, frags[i], score, groups, base),
      partial,
      missing: missing ?? [],
      corrected,
    }));
  });
}

/**
 * Counts per facet value: `{phase: [{id, name, count}], tier: [...], kind: [...]}`. Without a query, over the
 * whole site; with one, over the pages that match it (options.filters are ignored, so that the counts say what
 * each filter would give). The query may be left out: `facets({ baseDir: 'public' })` is the site-wide counts.
 */
export async function facets(query, options = {}) {
  if (query !== null && typeof query === 'object') [query, options] = ['', query];
  return withRetry(options, async (site) => {
    const m = await site.manifest;
    const copy = (list) => list.map(({ id, name, count }) => ({ id, name, count }));
    if (!String(query ?? '').trim()) {
      return { phase: copy(m.facets.phase), tier: copy(m.facets.tier), kind: copy(m.facets.kind) };
    }
    const { ranked } = await rank(site, String(query), null, undefined, !!options.literal);
    const docs = ranked.length ? (await loadDocs(site)).combos : null;
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
