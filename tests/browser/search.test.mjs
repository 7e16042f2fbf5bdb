// Real-browser test of the search UI (Debian chromium through playwright-core; nothing is downloaded).
// Run by tests/browser_search.rs, which builds the sites and serves them on loopback:
//   SHIRUBE_FIXTURE_URL  the bilingual fixture (tests/search/site, language ja) served under /docs/guide/
//   SHIRUBE_SAMPLE_URL   the repository's sample site (English) served at /
//   CHROMIUM             the browser binary (default /usr/bin/chromium)
// Set SHIRUBE_SLOW_MS (say 400) to pause that long after the first letter of each query typed into the box, as a
// loaded machine may (CI once stalled there): the box then shows the results of that letter first, and a test that
// reads the box before the whole query's results are in fails every time rather than now and then.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './chromium.mjs';

const fixture = process.env.SHIRUBE_FIXTURE_URL;
const sample = process.env.SHIRUBE_SAMPLE_URL;
let browser;
let errors = [];

before(async () => {
  browser = await launch(process.env.CHROMIUM);
});
after(async () => browser && (await browser.close()));

async function newPage() {
  const page = await browser.newPage();
  errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
  return page;
}

test('Japanese query in the header box, keyboard, results page, facet, result link (under a subpath)', async () => {
  assert.ok(fixture, 'SHIRUBE_FIXTURE_URL');
  const page = await newPage();
  await page.goto(fixture);
  const box = page.locator('#site-search-q');
  await expect(box, 'aria-expanded', 'false');

  // "/" focuses the box from anywhere on the page (clicked on the title: the middle of <main> can be a tier
  // picker radio button, and "/" typed into a form field must stay there).
  await page.locator('main h1').first().click();
  // Focusing the box loads the engine and the index's manifest before anything is typed (no shard yet).
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const manifest = page.waitForResponse((r) => new URL(r.url()).pathname === '/docs/guide/search/manifest.json');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'site-search-q');
  await manifest;
  assert.ok(fetched.includes('/docs/guide/shirube-search.js'), JSON.stringify(fetched));
  assert.ok(!fetched.some((p) => p.includes('/s/')), JSON.stringify(fetched));

  // Results as you type.
  await typeQuery(page, '請求書 送付先');
  const first = page.locator('#site-search-listbox [role="option"]').first();
  await first.waitFor();
  assert.equal(await first.locator('.site-search-title').textContent(), '請求書の送付先を変更する');
  await expect(box, 'aria-expanded', 'true');
  assert.match(await first.locator('mark').first().textContent(), /請求書|送付先/);

  // Down arrow makes the first option active; Escape closes the popup.
  await page.keyboard.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-activedescendant'), 'site-search-opt-0');
  assert.equal(await first.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Escape');
  await expect(box, 'aria-expanded', 'false');
  assert.equal(await page.locator('.site-search-popup').isHidden(), true);

  // Enter without an active option opens the results page, under the base path.
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/docs\/guide\/search\/\?q=/);
  const results = page.locator('.search-results > li');
  await results.first().waitFor();
  assert.equal(await page.locator('#search-page-q').inputValue(), '請求書 送付先');
  assert.equal(await results.first().locator('h2 a').textContent(), '請求書の送付先を変更する');

  // A facet chip: only FAQs.
  await page.locator('#search-page-q').fill('請求書');
  await page.locator('.search-page-form button').click();
  await page.waitForFunction(() => document.querySelectorAll('.search-results > li').length >= 2);
  const faqChip = page.locator('.chip[data-facet="kind"][data-value="faq"]');
  await faqChip.click();
  await page.waitForURL(/kind=faq/);
  await page.waitForFunction(() => [...document.querySelectorAll('.search-results > li')].every((li) => li.classList.contains('kind-faq')));
  assert.equal(await faqChip.getAttribute('aria-pressed'), 'true');
  const top = results.first().locator('h2 a');
  assert.equal(await top.textContent(), '請求書を再発行できますか？');

  // Follow the result link.
  await top.click();
  await page.waitForURL(/\/docs\/guide\/faq\/seikyusho-saihakko\/$/);
  assert.equal(await page.locator('h1').first().textContent(), '請求書を再発行できますか？');
  assert.deepEqual(errors, []);
});

test('the results page reads ?q= and filters from the URL', async () => {
  const page = await newPage();
  await page.goto(new URL('search/?q=' + encodeURIComponent('ＳＳＯ') + '&kind=faq', fixture).href);
  await page.locator('.search-results > li').first().waitFor();
  const kinds = await page.locator('.search-results > li').evaluateAll((lis) => lis.map((li) => li.className));
  assert.ok(kinds.every((k) => k.includes('kind-faq')), kinds.join());
  assert.equal(await page.locator('.chip[data-value="faq"]').getAttribute('aria-pressed'), 'true');
  // The submit button's label stays on one line (it once wrapped as "Searc / h").
  const lines = await page.locator('.search-page-row button').evaluate((b) => {
    const range = document.createRange();
    range.selectNodeContents(b);
    return range.getClientRects().length;
  });
  assert.equal(lines, 1);
  // A query with no match shows the empty-state help.
  await page.locator('#search-page-q').fill('ぴよぴよ');
  await page.waitForFunction(() => document.querySelectorAll('.search-results > li').length === 0);
  await page.waitForFunction(() => !document.querySelector('.search-help').hidden);
  assert.match(await page.locator('.search-status').textContent(), /ぴよぴよ/);
  // A very long query is cut short where the status line repeats it (it is read out aloud).
  const long = 'ぴよ'.repeat(200);
  await page.locator('#search-page-q').fill(long);
  await page.waitForFunction(() => document.querySelector('.search-status').textContent.includes('…'));
  assert.equal(await page.locator('.search-status').textContent(), `「${long.slice(0, 60)}…」に一致するページはありません。`);
  assert.deepEqual(errors, []);
});

test('the header box cuts a long query short in its status line, and the popup stays small', async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(fixture);
  const long = 'zzyzx '.repeat(500).trim();
  await page.locator('#site-search-q').fill(long);
  const status = page.locator('.site-search-status');
  await page.waitForFunction(() => document.querySelector('.site-search-status').textContent.includes('…'));
  assert.ok((await status.textContent()).startsWith(`「${long.slice(0, 60)}…」`), await status.textContent());
  const { height } = await status.boundingBox();
  assert.ok(height < 200, `the status line is ${height}px tall`);
  assert.deepEqual(errors, []);
});

test('without JavaScript the results page shows the note that search needs it, and no search hints', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const q of ['', '?q=' + encodeURIComponent('請求書')]) {
    await page.goto(new URL('search/' + q, fixture).href);
    assert.equal(await page.locator('.search-nojs').isVisible(), true, q);
    assert.equal(await page.locator('.search-help').isVisible(), false, q);
  }
  await context.close();
});

test('English sample site: type, arrow down, Enter follows the result', async () => {
  assert.ok(sample, 'SHIRUBE_SAMPLE_URL');
  const page = await newPage();
  await page.goto(sample);
  await page.locator('#site-search-q').click();
  await typeQuery(page, 'invite admins');
  const first = page.locator('#site-search-listbox [role="option"]').first();
  await first.waitFor();
  assert.equal(await first.locator('.site-search-title').textContent(), 'Invite your admins');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/playbooks\/onboarding\/invite-admins\/$/);
  assert.deepEqual(errors, []);
});

test('English sample site: an option holds no link; a click opens its page, a middle or Ctrl click a new tab', async () => {
  assert.ok(sample, 'SHIRUBE_SAMPLE_URL');
  const page = await newPage();
  await page.goto(sample);
  await page.locator('#site-search-q').click();
  await typeQuery(page, 'invite admins');
  const options = page.locator('#site-search-listbox [role="option"]');
  assert.ok((await options.count()) >= 2);
  // Nothing focusable or interactive inside an option (axe: nested-interactive).
  assert.equal(await options.locator('a, button, input, select, textarea, [tabindex], [href]').count(), 0);
  const first = options.first();
  const url = new URL(await first.getAttribute('data-url'), sample).href;
  assert.equal(url, new URL('playbooks/onboarding/invite-admins/', sample).href);
  for (const how of [{ button: 'middle' }, { modifiers: ['ControlOrMeta'] }]) {
    const [tab] = await Promise.all([page.context().waitForEvent('page'), first.click(how)]);
    await tab.waitForURL(url);
    await tab.close();
    assert.equal(page.url(), sample, `${JSON.stringify(how)} left the page`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'site-search-q');
  }
  await first.click();
  await page.waitForURL(url);
  assert.deepEqual(errors, []);
});

test('English sample site: "/" reaches the box from a checkbox or a radio button, and stays in a text field', async () => {
  assert.ok(sample, 'SHIRUBE_SAMPLE_URL');
  const page = await newPage();
  const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  await page.goto(new URL('playbooks/onboarding/invite-admins/', sample).href);
  const step = page.locator('.step-box').first();
  await step.focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('/');
  assert.equal(await active(), 'site-search-q', 'from a step checkbox');
  assert.equal(await page.locator('#site-search-q').inputValue(), '');
  assert.equal(await step.isChecked(), true);
  await page.goto(sample);
  await page.locator('input[name="tier"]').first().focus();
  await page.keyboard.press('/');
  assert.equal(await active(), 'site-search-q', 'from a tier radio button');
  await page.goto(new URL('search/', sample).href);
  await page.locator('#search-page-q').focus();
  await page.keyboard.type('a/b');
  assert.equal(await active(), 'search-page-q', 'a text field keeps its "/"');
  assert.equal(await page.locator('#search-page-q').inputValue(), 'a/b');
  assert.deepEqual(errors, []);
});

test('English sample site: after Escape has emptied the box, ArrowDown shows no stale option', async () => {
  assert.ok(sample, 'SHIRUBE_SAMPLE_URL');
  const page = await newPage();
  await page.goto(sample);
  const box = page.locator('#site-search-q');
  await box.click();
  await typeQuery(page, 'sso');
  await page.keyboard.press('Escape'); // closes the popup
  await page.keyboard.press('Escape'); // empties the box
  assert.equal(await box.inputValue(), '');
  await page.keyboard.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-activedescendant'), null);
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#site-search-listbox [role="option"]').count(), 0);
  // Escape then ArrowDown with the query still there searches again, and the first result becomes active.
  await box.fill('sso');
  await page.locator('#site-search-listbox .site-search-more[data-url$="?q=sso"]').waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowDown');
  await expect(box, 'aria-expanded', 'true');
  await page.keyboard.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-activedescendant'), 'site-search-opt-0');
  assert.deepEqual(errors, []);
});

test('English sample site: when no page has every word, the box says the results have some of them', async () => {
  assert.ok(sample, 'SHIRUBE_SAMPLE_URL');
  const page = await newPage();
  await page.goto(sample);
  await page.locator('#site-search-q').click();
  await typeQuery(page, 'invite admins zzyzx ');
  const first = page.locator('#site-search-listbox [role="option"]').first();
  await first.waitFor();
  assert.equal(await first.locator('.site-search-title').textContent(), 'Invite your admins');
  await page.waitForFunction(() => /^No page has every word; these have some of them\. \d+\+? results$/.test(
    document.querySelector('.site-search-status').textContent));
  // Each result says which words it lacks.
  assert.equal(await first.locator('.site-search-missing').textContent(), 'Missing: zzyzx');
  // With every word found, just the count, and no result lacks a word.
  await page.locator('#site-search-q').fill('invite admins');
  await page.waitForFunction(() => /^\d+\+? results$/.test(document.querySelector('.site-search-status').textContent));
  assert.equal(await page.locator('#site-search-listbox .site-search-missing').count(), 0);
  assert.deepEqual(errors, []);
});

test('the results page: a chip keeps focus when pressed, and "Clear filters" hands it to the first chip', async () => {
  const page = await newPage();
  await page.goto(new URL('search/?q=' + encodeURIComponent('請求書'), fixture).href);
  await page.locator('.search-results > li').first().waitFor();
  const chip = page.locator('.chip[data-facet="kind"][data-value="faq"]');
  await chip.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/kind=faq/);
  await page.locator('.chip-clear').waitFor();
  const focused = () => page.evaluate(() => ({ tag: document.activeElement.tagName, cls: document.activeElement.className, facet: document.activeElement.dataset.facet, value: document.activeElement.dataset.value }));
  assert.deepEqual(await focused(), { tag: 'BUTTON', cls: 'chip', facet: 'kind', value: 'faq' });
  await page.locator('.chip-clear').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.search.includes('kind='));
  await page.waitForFunction(() => !document.querySelector('.chip-clear'));
  const f = await focused();
  assert.equal(f.tag, 'BUTTON', `focus went to ${JSON.stringify(f)}`);
  assert.equal(f.cls, 'chip');
  assert.equal(await page.locator('.chip[aria-pressed="true"]').count(), 0);
  assert.deepEqual(errors, []);
});

test('Japanese fixture: the results page says which words a result lacks', async () => {
  const page = await newPage();
  await page.goto(new URL('search/?q=' + encodeURIComponent('請求書 送付手段'), fixture).href);
  const hit = page.locator('.search-results > li', { has: page.locator('a[href$="/faq/seikyusho-saihakko/"]') });
  await hit.waitFor();
  assert.equal(await hit.locator('.search-missing').textContent(), '含まれない語：送付手段');
  assert.deepEqual(errors, []);
});

test('Japanese fixture: synonyms from shirube.yaml in the box, the typed word first', async () => {
  const page = await newPage();
  await page.goto(fixture);
  await page.locator('#site-search-q').focus();
  await typeQuery(page, 'MFA');
  const titles = await page.locator('#site-search-listbox .site-search-title').allTextContents();
  assert.deepEqual(titles.slice(0, 2), ['Turn on MFA for admins', '多要素認証を有効にする']);
  assert.deepEqual(errors, []);
});

test('Japanese fixture: "did you mean" on the results page, and its link back to the words as typed', async () => {
  const page = await newPage();
  await page.goto(new URL('search/?q=' + encodeURIComponent('チェクリスト'), fixture).href);
  const note = page.locator('.search-corrected:not([hidden])');
  await note.waitFor();
  assert.equal(await note.locator('span').textContent(), '「チェックリスト」の検索結果を表示しています。');
  assert.match(await page.locator('.search-results > li h2 a').first().getAttribute('href'), /\/tayouso-ninshou\/$/);
  const back = note.locator('a.search-literal');
  assert.equal(await back.textContent(), '「チェクリスト」で検索する');
  await back.click();
  await page.waitForURL(/literal=1/);
  await page.waitForFunction(() => document.querySelector('.search-status')?.textContent === '「チェクリスト」に一致するページはありません。');
  assert.equal(await page.locator('.search-corrected').isHidden(), true);
  assert.equal(await page.locator('.search-results > li').count(), 0);
  assert.deepEqual(errors, []);
});

test('English sample site: "did you mean" in the box, with an option to search the words as typed', async () => {
  assert.ok(sample, 'SHIRUBE_SAMPLE_URL');
  const page = await newPage();
  await page.goto(sample);
  await page.locator('#site-search-q').focus();
  await typeQuery(page, 'calender');
  await page.waitForFunction(() => document.querySelector('.site-search-status')?.textContent.startsWith('Showing results for “calendar”.'));
  const literal = page.locator('#site-search-listbox .site-search-literal');
  assert.equal(await literal.textContent(), 'Search instead for “calender”');
  assert.match(await literal.getAttribute('data-url'), /\/search\/\?q=calender&literal=1$/);
  assert.ok((await page.locator('#site-search-listbox .site-search-title').count()) > 0);
  // Following it shows the results page with no correction (nothing matches calender as typed).
  await literal.click();
  await page.waitForURL(/literal=1/);
  await page.waitForFunction(() => document.querySelector('.search-status')?.textContent === 'No pages match “calender”.');
  assert.equal(await page.locator('.search-corrected').isHidden(), true);
  assert.deepEqual(errors, []);
});

/**
 * Types `text` into the focused search box and waits until the box shows the results of all of it. The box searches
 * whenever typing pauses longer than its debounce, so the first options to appear may be those of a prefix; its
 * last option ("all results") links to the query its results are for.
 */
async function typeQuery(page, text) {
  const pause = Number(process.env.SHIRUBE_SLOW_MS || 0);
  await page.keyboard.type(text.slice(0, 1));
  if (pause > 0) await page.waitForTimeout(pause);
  await page.keyboard.type(text.slice(1));
  const more = `#site-search-listbox .site-search-more[data-url$="?q=${encodeURIComponent(text)}"]`;
  await page.locator(more).waitFor({ timeout: 5000 });
}

async function expect(locator, attr, value) {
  await locator.page().waitForFunction(
    ([sel, a, v]) => document.querySelector(sel)?.getAttribute(a) === v,
    ['#site-search-q', attr, value],
    { timeout: 5000 },
  );
}
