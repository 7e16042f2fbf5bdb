// The shared tokenizer vectors against shirube-search.js (the query side). tests/search_tokenizer.rs checks the
// same file against the Rust indexer. Run: node --test tests/search/ (cargo test runs it via tests/search_js.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tokenize, normalize, stem } from '../../themes/default/static/shirube-search.js';

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
