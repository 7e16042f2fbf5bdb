// The shared step-hash vectors against `stepHash` of guide.js (the reader side). tests/reader.rs checks the same
// file against `step_hash` of render.rs (the build side, which writes `data-steps`), and runs this file.
// Run: node --test tests/reader/
//
// guide.js is a classic script, one closure that talks to the page, so it exports nothing: the function is cut
// out of the file as written (the theme is not changed for the test) and evaluated on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const vectors = JSON.parse(readFileSync(new URL('./step_hash.json', import.meta.url), 'utf8'));
const script = readFileSync(new URL('../../themes/default/static/guide.js', import.meta.url), 'utf8');
const source = script.match(/\n( *)function stepHash\(id\) \{\n[\s\S]*?\n\1\}\n/);
assert.ok(source, 'guide.js defines `function stepHash(id)`');
const stepHash = new Function(`${source[0]}\nreturn stepHash;`)();

test('vectors file is broad', () => {
  assert.ok(vectors.length >= 10);
});

for (const v of vectors) {
  test(`stepHash: ${v.note}`, () => {
    assert.equal(stepHash(v.input), v.hash, JSON.stringify(v.input));
  });
}
