// The shared tokenizer vectors against shirube-search.js (the query side). tests/search_tokenizer.rs checks the
// same file against the Rust indexer. Run: node --test tests/search/ (cargo test runs it via tests/search_js.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tokenize, tokensWithOffsets, normalize, stem, okuriganaTable } from '../../themes/default/static/shirube-search.js';

const vectors = JSON.parse(readFileSync(new URL('./tokenize.json', import.meta.url), 'utf8'));

test('vectors file is broad', () => {
  assert.ok(vectors.length >= 30);
});

for (const v of vectors) {
  test(`tokenize: ${v.note}`, () => {
    assert.deepEqual(tokenize(v.input), v.terms, JSON.stringify(v.input));
  });
}

test('normalize folds width and case', () => {
  assert.equal(normalize('ＳＳＯ ｶﾀｶﾅ'), 'sso カタカナ');
});

test('stem leaves non-ASCII and short words alone', () => {
  assert.equal(stem('cafés'), 'cafés');
  assert.equal(stem('gas'), 'gas');
  assert.equal(stem('employees'), 'employee');
});

// Excerpts tokenize the original text with offsets into it (a fast path for text of simple characters, a slow
// one for the rest): the same terms as the query side, and each token's offsets cover its characters.
for (const v of vectors) {
  test(`tokens with offsets: ${v.note}`, () => {
    const toks = tokensWithOffsets(v.input);
    assert.deepEqual(toks.map((t) => t.term), v.terms, JSON.stringify(v.input));
    for (const t of toks) {
      assert.ok(t.start >= 0 && t.start < t.end && t.end <= v.input.length, JSON.stringify(t));
      if (t.cjk) {
        // A bigram's span covers its two characters (with folded-away characters between; ㈱ is `(株)`).
        const span = normalize(v.input.slice(t.start, t.end));
        const term = [...t.term];
        assert.ok(span.includes(term[0]) && span.lastIndexOf(term[term.length - 1]) >= span.indexOf(term[0]), JSON.stringify(t));
      } else {
        assert.deepEqual(tokenize(v.input.slice(t.start, t.end)).slice(0, 1), tokenize(t.raw).slice(0, 1));
      }
    }
  });
}

test('tokens with offsets: full-width, apostrophes, long words', () => {
  const text = 'Ｉｎｖｉｔｅ ＡＤＭＩＮＳ’ don’t 東京都　' + 'a'.repeat(50);
  const toks = tokensWithOffsets(text);
  assert.deepEqual(toks.map((t) => t.term), ['invite', 'admin', 'dont', '東京', '京都', 'a'.repeat(40)]);
  assert.deepEqual(toks.map((t) => text.slice(t.start, t.end)), ['Ｉｎｖｉｔｅ', 'ＡＤＭＩＮＳ', 'don’t', '東京', '京都', 'a'.repeat(50)]);
});

test('okurigana table: the same entries on both sides, each with a vector', () => {
  const rust = readFileSync(new URL('../../src/search/tokenize.rs', import.meta.url), 'utf8');
  const table = rust.match(/pub const OKURIGANA: &\[&str\] = &\[([^\]]*)\]/);
  assert.ok(table, 'OKURIGANA in tokenize.rs');
  const entries = [...table[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(okuriganaTable, entries);
  for (const e of entries) assert.ok(vectors.some((v) => v.input.includes(e)), `a vector for ${e}`);
});

test('variant folding keeps false hits out: 東京都 is not in 京都と東京', () => {
  const a = tokenize('東京都');
  const b = tokenize('京都と東京');
  // The chain 東京, 京都 must be consecutive: in 京都と東京 they are in the wrong order and apart.
  const at = (t) => b.indexOf(t);
  assert.ok(!(at(a[0]) >= 0 && at(a[1]) === at(a[0]) + 1));
});
