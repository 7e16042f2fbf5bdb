// The search runtime in Node, on the fixture site built by tests/search_js.rs (SHIRUBE_SITE_DIR, built with
// --base-url /guide/). Covers what Pagefind gets wrong (see the issue): width folding, kana strings that occur
// nowhere, English pages found from a Japanese site; and filters, facets, sections, escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { search, facets, stats, reset } from '../../themes/default/static/shirube-search.js';

const dir = process.env.SHIRUBE_SITE_DIR;
const opts = (extra = {}) => ({ baseDir: dir, ...extra });
const urls = (results) => results.map((r) => r.url);

test('SHIRUBE_SITE_DIR is set', () => assert.ok(dir, 'run through cargo test --test search_js'));

test('result shape, URLs under the base path', async () => {
  const [r] = await search('SSOの設定', opts({ limit: 1 }));
  assert.equal(r.url, '/guide/playbooks/onboarding/sso-settei/');
  assert.equal(r.title, 'SSO（シングルサインオン）を設定する');
  assert.equal(r.kind, 'playbook');
  assert.equal(r.phase, 'onboarding');
  assert.deepEqual(r.tier, ['low', 'mid', 'high']);
  assert.ok(r.score > 0);
  assert.match(r.excerpt, /<mark>/);
  assert.ok(Array.isArray(r.sections));
});

test('half-width and full-width forms match (sso finds ＳＳＯ, ｶﾀｶﾅ finds カタカナ)', async () => {
  assert.ok(urls(await search('sso 必須', opts())).includes('/guide/faq/sso-hissu-ja/'));
  assert.ok(urls(await search('シングルサインオン', opts())).includes('/guide/playbooks/onboarding/sso-settei/'));
  assert.ok(urls(await search('ｼﾝｸﾞﾙｻｲﾝｵﾝ', opts())).includes('/guide/playbooks/onboarding/sso-settei/'));
  assert.ok(urls(await search('フリガナ', opts())).includes('/guide/faq/hankaku-kana/'));
});

test('substrings of compounds match, 東京都-style false hits do not', async () => {
  assert.ok(urls(await search('更新', opts())).includes('/guide/playbooks/renewal/keiyaku-koshin/'));
  assert.ok(urls(await search('請求書', opts())).includes('/guide/faq/seikyusho-saihakko/'));
  // 並行 and 稼働 both occur in the page, but not as 行稼 in another order.
  assert.deepEqual(await search('稼働並行', opts()), []);
});

test('a kana string that occurs nowhere matches nothing', async () => {
  assert.deepEqual(await search('ぴよぴよ', opts()), []);
  assert.deepEqual(await search('ほげほげ', opts()), []);
});

test('drafts are not searchable', async () => {
  assert.deepEqual(await search('draftcanaryword', opts()), []);
  // The draft's title; other pages have 手順 ("steps"), so some come as partial matches, never the draft.
  const found = await search('下書きの手順', opts({ limit: 100 }));
  assert.ok(found.every((r) => r.partial && !r.url.includes('draft')), JSON.stringify(urls(found)));
  assert.deepEqual(await search('下書き', opts()), []);
});

test('when no page has every word, the pages with some of them, most words first', async () => {
  // No page has zzyzx; the invite-admins page has both other words.
  const some = await search('invite admins zzyzx', opts());
  assert.ok(some.length > 0);
  assert.ok(some.every((r) => r.partial === true));
  assert.equal(some[0].url, '/guide/playbooks/onboarding/invite-admins/');
  // Each says which words it lacks, as normalized query words (unstemmed, lowercase).
  assert.deepEqual(some[0].missing, ['zzyzx']);
  assert.ok(some.every((r) => r.missing.includes('zzyzx')));
  const other = await search('Invite Admins zzyzx', opts({ limit: 100 }));
  assert.ok(other.some((r) => r.missing.length === 2 && r.missing.includes('zzyzx')), JSON.stringify(other.map((r) => r.missing)));
  const all = await search('invite admins', opts());
  assert.ok(all.every((r) => r.partial === false && r.missing.length === 0));
  // Japanese: 請求書 is in the fixture, 送付手段 is not.
  const ja = await search('請求書 送付手段', opts());
  assert.ok(ja.length > 0 && ja.every((r) => r.partial));
  assert.ok(urls(ja).includes('/guide/faq/seikyusho-saihakko/'));
  // A chain of bigrams is reported as the word typed.
  assert.deepEqual(ja.find((r) => r.url === '/guide/faq/seikyusho-saihakko/').missing, ['送付手段']);
  // One word that no page has still finds nothing.
  assert.deepEqual(await search('zzyzx', opts()), []);
  assert.deepEqual(await search('zzyzx qqxqq', opts()), []);
});

test('a chain whose bigrams a page has, but never in a row, is missing from that page', async () => {
  // custom-report-ja has 設定 and 定期, never 設定期; no page has 設定期.
  const found = await search('レポート 設定期', opts({ limit: 100 }));
  assert.ok(urls(found).includes('/guide/playbooks/adoption/custom-report-ja/'), JSON.stringify(urls(found)));
  assert.ok(found.every((r) => r.partial && r.missing.includes('設定期')), JSON.stringify(found.map((r) => r.missing)));
});

test('partial results come in the same order whatever the limit', async () => {
  // One word found (the others nowhere) and several words found take different paths in the runtime.
  for (const q of ['レポート 設定期', '請求書 送付手段', 'invite admins zzyzx', 'Invite Admins zzyzx', 'レポート 送付手段 設定期']) {
    const all = (await search(q, opts({ limit: 100 }))).map((r) => [r.url, r.score, r.missing]);
    assert.ok(all.length >= 3, q);
    for (const limit of [1, 3]) {
      const few = (await search(q, opts({ limit }))).map((r) => [r.url, r.score, r.missing]);
      assert.deepEqual(few, all.slice(0, limit), `${q} with limit ${limit}`);
    }
  }
});

test('the words of a page\'s URL find it', async () => {
  // faq/csv-import-errors.md says "CSV" and "fail to validate", never "import" or "error": its file name does.
  assert.ok(urls(await search('csv import errors', opts())).includes('/guide/faq/csv-import-errors/'));
});

test('English pages are found from the Japanese site, and Japanese ones from English queries', async () => {
  assert.equal((await search('invite admins', opts()))[0].url, '/guide/playbooks/onboarding/invite-admins/');
  assert.ok(urls(await search('Okta', opts())).includes('/guide/playbooks/onboarding/sso-settei/'));
});

test('prefix of the last word while typing, but not once a space follows', async () => {
  assert.ok(urls(await search('invit', opts())).includes('/guide/playbooks/onboarding/invite-admins/'));
  assert.deepEqual(await search('invit ', opts({ literal: true })), []);
  // Without `literal`, a finished word on no page is corrected instead (here to the word it would have completed).
  assert.equal((await search('invit ', opts()))[0].corrected, 'invite');
});

test('filters: any value within a facet, all facets', async () => {
  const all = await search('SSO', opts({ limit: 50 }));
  const faqs = await search('SSO', opts({ limit: 50, filters: { kind: ['faq'] } }));
  assert.ok(faqs.length > 0 && faqs.length < all.length);
  assert.ok(faqs.every((r) => r.kind === 'faq'));
  const adoption = await search('SSO', opts({ limit: 50, filters: { phase: ['adoption'], kind: ['faq', 'playbook'] } }));
  assert.ok(adoption.length > 0 && adoption.every((r) => r.phase === 'adoption'));
  const high = await search('SSO', opts({ limit: 50, filters: { tier: ['high'] } }));
  assert.ok(high.every((r) => r.tier.includes('high')));
  assert.deepEqual(await search('SSO', opts({ filters: { phase: ['no-such-phase'] } })), []);
});

test('limit', async () => {
  assert.equal((await search('SSO', opts({ limit: 2 }))).length, 2);
  assert.deepEqual(await search('SSO', opts({ limit: 0 })), []);
  // Infinity is every result (it was `Infinity | 0`, that is 0); a fraction is rounded down; a number beyond
  // 32 bits is not wrapped round; a negative one gives nothing; what is not a number gives the default.
  const all = await search('SSO', opts({ limit: 1000 }));
  assert.ok(all.length > 10, `${all.length} results`);
  assert.deepEqual(urls(await search('SSO', opts({ limit: Infinity }))), urls(all));
  assert.deepEqual(urls(await search('SSO', opts({ limit: 2 ** 32 }))), urls(all));
  assert.equal((await search('SSO', opts({ limit: 2.7 }))).length, 2);
  assert.deepEqual(await search('SSO', opts({ limit: -1 })), []);
  assert.equal((await search('SSO', opts({ limit: 'many' }))).length, 10);
  assert.equal((await search('SSO', opts({ limit: null }))).length, 10);
});

test('facets: site-wide, and for a query', async () => {
  const f = await facets(undefined, opts());
  assert.deepEqual(await facets(opts()), f, 'the query may be left out');
  assert.deepEqual(f.kind.map((k) => k.id), ['playbook', 'faq', 'page']);
  // Named in the guide's language, like phases and tiers.
  assert.deepEqual(f.kind.map((k) => k.name), ['手順ガイド', 'よくある質問', 'ページ']);
  assert.deepEqual(f.phase.map((p) => p.name), ['導入', '定着', '継続利用', '契約更新']);
  const total = f.kind.reduce((n, k) => n + k.count, 0);
  assert.ok(total > 50);
  const q = await facets('請求書', opts());
  const qTotal = q.kind.reduce((n, k) => n + k.count, 0);
  assert.ok(qTotal >= 2 && qTotal < total);
});

test('sections link to the heading that matches', async () => {
  const [r] = await search('送付先 メールアドレス', opts({ limit: 1 }));
  assert.equal(r.url, '/guide/playbooks/onboarding/seikyusho-sofusaki/');
  assert.equal(r.sections[0].url, '/guide/playbooks/onboarding/seikyusho-sofusaki/#mail');
  assert.equal(r.sections[0].title, '送付先メールアドレスを変更する');
  assert.match(r.sections[0].excerpt, /<mark>送付先<\/mark>/);
});

test('excerpts escape page text', async () => {
  const [r] = await search('見出し 記号', opts({ limit: 1 }));
  assert.equal(r.url, '/guide/faq/hankaku-kana/');
  assert.match(r.excerpt, /&lt;氏名&gt;/);
  assert.match(r.excerpt, /&amp;/);
  assert.doesNotMatch(r.excerpt.replace(/<\/?mark>/g, ''), /[<>]/);
});

test('empty and punctuation-only queries', async () => {
  assert.deepEqual(await search('', opts()), []);
  assert.deepEqual(await search('   ', opts()), []);
  assert.deepEqual(await search('。、！？', opts()), []);
});

test('a query reads only a small part of the index', async () => {
  reset();
  await search('請求書 送付先', opts({ limit: 5 }));
  const s = stats(opts());
  assert.ok(s.files.includes('search/manifest.json'));
  const shards = s.files.filter((f) => f.includes('/s/'));
  const fragments = s.files.filter((f) => f.includes('/f/'));
  assert.ok(shards.length >= 1 && shards.length <= 3, JSON.stringify(s.files));
  assert.ok(fragments.length <= 5);
});

test('a missing index is an error, not an empty result', async () => {
  await assert.rejects(search('sso', { baseDir: '/nonexistent-shirube-dir' }), {
    message: "shirube-search: cannot read the search index: /nonexistent-shirube-dir/search/manifest.json not found (is baseDir the site's output folder?)",
  });
});

// Issue 24: spelling variants, synonyms and typos. The fixture's shirube.yaml has
// search.synonyms: [[MFA, 多要素認証, multi-factor authentication], [給与明細, ペイスリップ, payslip]].
const MFA_JA = '/guide/playbooks/onboarding/tayouso-ninshou/';
const MFA_EN = '/guide/playbooks/onboarding/turn-on-mfa/';

test('synonyms from shirube.yaml reach the runtime through the manifest, and match both ways', async () => {
  // MFA is only on the English page; 多要素認証 only on the Japanese one: each finds both, its own page first.
  assert.deepEqual(urls(await search('MFA', opts())).slice(0, 2), [MFA_EN, MFA_JA]);
  assert.deepEqual(urls(await search('多要素認証', opts())).slice(0, 2), [MFA_JA, MFA_EN]);
  assert.deepEqual(urls(await search('multi-factor authentication', opts())).slice(0, 2), [MFA_EN, MFA_JA]);
  // ペイスリップ is on no page: it finds the pages of 給与明細 and payslip, as if they had been typed.
  const viaSynonym = urls(await search('ペイスリップ', opts({ limit: 50 })));
  const direct = new Set([...urls(await search('給与明細', opts({ limit: 50 }))), ...urls(await search('payslip', opts({ limit: 50 })))]);
  assert.ok(viaSynonym.length >= 3 && viaSynonym.every((u) => direct.has(u)), JSON.stringify(viaSynonym));
  // The synonym is matched where it occurs, and its excerpt marks it.
  const [r] = await search('MFA', opts({ limit: 2 })).then((x) => x.slice(1));
  assert.equal(r.url, MFA_JA);
  assert.match(r.excerpt, /<mark>多要素認証<\/mark>/);
});

test('synonyms are a penalty below the exact word: the page with the word as typed ranks first', async () => {
  for (const [q, exact] of [['MFA', MFA_EN], ['多要素認証', MFA_JA]]) {
    const [a, b] = await search(q, opts({ limit: 2 }));
    assert.equal(a.url, exact, q);
    assert.ok(a.score > b.score, `${q}: ${a.score} > ${b.score}`);
  }
});

test('variants: final ー and okurigana are optional, and 東京都 still does not match 京都と東京', async () => {
  for (const q of ['プロバイダ', 'プロバイダー', 'マネージャ', 'コンピュータ', 'ブラウザ', '申込', '申込み', '申し込み', '受付', '受け付け', '取り扱い', '振り込み']) {
    assert.ok(urls(await search(q, opts())).includes(MFA_JA), q);
  }
  assert.ok(urls(await search('プロバイダ', opts())).includes('/guide/playbooks/onboarding/sso-settei/'));
  assert.deepEqual(await search('稼働並行', opts()), []);
});

test('typos: a word on no page is searched as its nearest spelling, and the results say so', async () => {
  for (const [q, fixed, url] of [
    ['Slakc', 'Slack', MFA_EN],
    ['Zendsk', 'Zendesk', MFA_EN],
    ['authentcation', 'authentication', MFA_EN],
    ['チェクリスト', 'チェックリスト', MFA_JA],
    ['ダッシュボド', 'ダッシュボード', '/guide/playbooks/adoption/custom-report-ja/'],
  ]) {
    const results = await search(q, opts());
    assert.equal(results[0]?.corrected, fixed, q);
    assert.ok(urls(results).includes(url), q);
    // literal: the words as typed, no correction.
    assert.deepEqual(await search(q, opts({ literal: true })), [], q);
  }
  // Exact queries are never corrected.
  for (const r of await search('Zendesk', opts())) assert.equal(r.corrected, null);
});

test('typos: never for short words, acronyms or short katakana; a word found anywhere is never corrected', async () => {
  // 4 letters (Slak would be a prefix of slack, so another), acronyms in capitals, katakana of 3 characters
  // or fewer (シト is one ー away from シート, an unrelated word).
  assert.deepEqual(await search('Slck', opts()), []);
  assert.deepEqual(await search('SLAKC', opts()), []);
  assert.deepEqual(await search('シト', opts()), []);
  // enrol is on one page; enroll (one edit away) on others: only the word as typed (and its completions).
  const enrol = await search('enrol', opts({ limit: 50 }));
  assert.ok(enrol.length > 0 && enrol.every((r) => r.corrected === null));
  assert.equal(enrol[0].url, MFA_EN);
});

test('facets follow the corrected query', async () => {
  const f = await facets('Slakc', opts());
  assert.equal(f.kind.find((k) => k.id === 'playbook').count, 1);
  const literal = await facets('Slakc', opts({ literal: true }));
  assert.equal(literal.kind.find((k) => k.id === 'playbook').count, 0);
});
