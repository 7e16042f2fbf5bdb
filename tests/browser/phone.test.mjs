// The guide on a phone (issue 20) in Debian's Chromium, driven by playwright-core. Run by
// tests/testsuite/browser_phone.rs, which builds the sites, serves them on a loopback port and passes:
//   SHIRUBE_ORIGIN       http://127.0.0.1:PORT: the English sample site under /en/, `shirube init --lang ja` under
//                        /ja/, a playbook with alternative paths and an optional block under /alt/
//   SHIRUBE_CHROMIUM     the browser, SHIRUBE_SCREENSHOTS where screenshots go
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { launch } from "./chromium.mjs";

const env = process.env;
const ORIGIN = env.SHIRUBE_ORIGIN;
const SHOTS = env.SHIRUBE_SCREENSHOTS;
const BASES = { en: `${ORIGIN}/en/`, ja: `${ORIGIN}/ja/` };
const SSO = `${ORIGIN}/en/playbooks/onboarding/connect-sso/`;
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
/** A phone: 360 × 800, a touch screen (so `pointer: coarse` and `hover: none` match). */
const PHONE = { viewport: { width: 360, height: 800 }, hasTouch: true, isMobile: true };
const LAPTOP = { viewport: { width: 1280, height: 800 } };

let browser;
before(async () => {
  assert.ok(ORIGIN, "SHIRUBE_ORIGIN is not set: run these tests through `cargo test --test testsuite browser_phone`");
  browser = await launch(env.SHIRUBE_CHROMIUM);
});
after(async () => {
  await browser?.close();
});

/** A fresh profile and a page that records script errors and failed requests (404s included). */
async function open(t, options = {}) {
  const context = await browser.newContext({ ...LAPTOP, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  const errors = [];
  const failed = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => {
    // The 404 page is served, on purpose, with status 404.
    if (r.status() >= 400 && !/no-such-page/.test(r.url())) failed.push(`${r.status()} ${r.url()}`);
  });
  // A request cut short by the next navigation (the favicon of a page left at once) is not a failure.
  page.on("requestfailed", (r) => r.failure()?.errorText !== "net::ERR_ABORTED" && failed.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
  page.on("dialog", (d) => d.accept());
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors, [], "script errors on the page");
    assert.deepEqual(failed, [], "requests that failed");
  });
  return { context, page };
}

/** Waits until guide.js has filled the page in (it marks <html> with the tier it applied). */
async function settled(page) {
  await page.waitForFunction(() => document.documentElement.hasAttribute("data-tier"));
}

/** Every page of a site, found by following its links from the home page: [{ url, kind }], kind its body class. */
async function crawl(page, base) {
  const seen = new Set([base]);
  const queue = [base];
  const pages = [];
  while (queue.length) {
    const url = queue.shift();
    await page.goto(url);
    const { kind, links } = await page.evaluate(() => ({
      kind: document.body.className,
      links: Array.from(document.querySelectorAll("a[href]"), (a) => a.href),
    }));
    pages.push({ url, kind });
    for (const l of links) {
      const u = new URL(l);
      u.hash = "";
      u.search = "";
      const s = u.href;
      if (s.startsWith(base) && s.endsWith("/") && !seen.has(s)) {
        seen.add(s);
        queue.push(s);
      }
    }
  }
  return pages;
}

/** How far the page is wider than the screen, in px (0 when it fits). */
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/* ---- The first screen of the home page on a phone ---- */

for (const lang of ["en", "ja"]) {
  test(`on a phone the first screen holds the guide's name, search, the plan picker and the kickoff checklist (${lang})`, async (t) => {
    const { page } = await open(t, PHONE);
    await page.goto(BASES[lang]);
    await settled(page);
    const parts = {
      name: ".site-title",
      search: "#site-search-q",
      plan: ".tier-picker h2",
      plans: "[data-tier-picker] .tp-choice:last-of-type",
      kickoff: "#kickoff-title",
      stats: ".cta [data-stat=count]",
      checklist: ".cta a.button",
    };
    const boxes = {};
    for (const [name, sel] of Object.entries(parts)) {
      const box = await page.locator(sel).first().boundingBox();
      assert.ok(box, `${name} (${sel}) is on the page`);
      boxes[name] = box;
      assert.ok(box.y >= 0 && box.y + box.height <= 800, `${name} ends at y=${box.y + box.height}, below the first 800 px`);
      assert.ok(box.x >= 0 && box.x + box.width <= 360, `${name} is outside the 360 px screen: ${JSON.stringify(box)}`);
    }
    // In reading order: name and search, then the plan, then the checklist; the intro comes after.
    assert.ok(boxes.search.y < boxes.plan.y && boxes.plan.y < boxes.kickoff.y, JSON.stringify(boxes));
    const intro = await page.locator(".intro").boundingBox();
    if (intro) assert.ok(intro.y > boxes.checklist.y, "the intro prose comes after the checklist");
    // The menu is one row: every link on the line of the first.
    const tops = await page.$$eval(".site-nav a", (as) => as.map((a) => Math.round(a.getBoundingClientRect().top)));
    assert.ok(tops.length >= 4 && tops.every((y) => y === tops[0]), `menu rows at ${tops}`);
    assert.equal(await overflow(page), 0);
    // The checklist link works.
    await page.locator(".cta a.button").click();
    await page.waitForURL(`${BASES[lang]}kickoff/`);
  });
}

test("without script the one-row menu scrolls to its last link, which works", async (t) => {
  const { page } = await open(t, { ...PHONE, javaScriptEnabled: false });
  await page.goto(BASES.en);
  const last = page.locator(".site-nav a").last();
  const href = await last.getAttribute("href");
  const before = await last.boundingBox();
  assert.ok(before.x + before.width > 360, "the last menu link starts off screen (the row scrolls)");
  await last.scrollIntoViewIfNeeded();
  const box = await last.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `scrolled into view: ${JSON.stringify(box)}`);
  assert.equal(await overflow(page), 0, "the menu scrolls inside itself, not the page");
  await last.click();
  await page.waitForURL(ORIGIN + href);
});

/* ---- Steps: labels, touch targets, the kickoff card ---- */

test("tapping a step's text ticks it, and every box has a 44 px target on a touch screen", async (t) => {
  const { page } = await open(t, PHONE);
  assert.equal(await page.evaluate(() => matchMedia("(pointer: coarse)").matches), true, "the phone has a coarse pointer");
  await page.goto(SSO);
  await settled(page);
  const step = page.locator("li.step").nth(4); // the first Entra ID step
  const box = step.locator(".step-box");
  const label = step.locator("label.step-label");
  assert.equal(await label.count(), 1, "the step's text is a <label>");
  assert.equal(await box.isChecked(), false);
  // Tap the words, well right of the box (taps are at screen coordinates: scroll to it first).
  await label.scrollIntoViewIfNeeded();
  const lb = await label.boundingBox();
  const bb = await box.boundingBox();
  assert.ok(lb.height >= 44, `the label is ${lb.height}px tall`);
  await page.touchscreen.tap(lb.x + lb.width / 2, lb.y + lb.height / 2);
  await page.waitForFunction((el) => el.checked, await box.elementHandle());
  assert.ok(lb.x + lb.width / 2 > bb.x + bb.width + 20, "the tap was on the text, not the box");
  assert.match(await page.locator("[data-progress-text]").textContent(), /^1 of 7 steps done$/);
  await page.touchscreen.tap(lb.x + lb.width / 2, lb.y + lb.height / 2);
  await page.waitForFunction((el) => !el.checked, await box.elementHandle());
  // Every step label is at least 44 px tall.
  const heights = await page.$$eval("label.step-label", (ls) => ls.map((l) => l.getBoundingClientRect().height));
  assert.ok(heights.length >= 11 && heights.every((h) => h >= 44), `label heights ${heights}`);

  // Kickoff: the box's target is 44 px, and the card keeps the screen's width.
  await page.goto(`${BASES.en}kickoff/`);
  await settled(page);
  await page.locator(".kick-hit").first().scrollIntoViewIfNeeded();
  const hit = await page.locator(".kick-hit").first().boundingBox();
  assert.ok(hit.width >= 44 && hit.height >= 44, `kickoff box target ${JSON.stringify(hit)}`);
  const widths = await page.$$eval(".kick-item .card", (cs) => cs.map((c) => c.getBoundingClientRect().width));
  assert.ok(widths.every((w) => w >= 320), `kickoff cards are ${widths} px wide at 360 px`);
  await page.touchscreen.tap(hit.x + hit.width - 4, hit.y + hit.height - 4); // the target's corner, off the box
  await page.waitForFunction(() => document.querySelector(".kick-box").checked);
});

test("on a laptop, clicking a step's text ticks it too", async (t) => {
  const { page } = await open(t);
  await page.goto(SSO);
  await settled(page);
  const step = page.locator("li.step").first();
  await step.locator("label.step-label").click({ position: { x: 120, y: 10 } });
  await page.waitForFunction((el) => el.checked, await step.locator(".step-box").elementHandle());
});

/* ---- Alternative paths and optional steps ---- */

test("one path of a playbook with alternatives completes it; optional steps do not count", async (t) => {
  const { page } = await open(t, PHONE);
  const url = `${ORIGIN}/alt/playbooks/onboarding/sso/`;
  await page.goto(url);
  await settled(page);
  const text = page.locator("[data-progress-text]");
  const steps = await page.$$eval("li.step", (ls) => ls.map((l) => l.dataset.step));
  assert.deepEqual(steps, [
    "open-the-security-settings",
    "add-the-okta-app",
    "copy-the-okta-metadata",
    "add-the-entra-app",
    "paste-the-metadata",
    "tell-your-team-it-is-ready",
  ]);
  // Required 2 + the first (longest) path's 2.
  assert.equal(await text.textContent(), "0 of 4 steps done");
  assert.equal(await page.locator(".choose-one").count(), 1, "a note says to choose one");
  assert.equal(await page.locator("aside.admonition.optional li.step").count(), 1);
  const tick = async (id) => {
    await page.locator(`li[data-step="${id}"] label`).click();
    await page.waitForFunction((i) => document.querySelector(`li[data-step="${i}"] .step-box`).checked, id);
  };
  await tick("tell-your-team-it-is-ready");
  assert.equal(await text.textContent(), "0 of 4 steps done", "an optional step does not count");
  await tick("open-the-security-settings");
  await tick("add-the-entra-app");
  // The Entra path (1 step) is done: it counts, not the Okta one.
  assert.equal(await text.textContent(), "2 of 3 steps done");
  await tick("paste-the-metadata");
  assert.equal(await text.textContent(), "3 of 3 steps done");
  assert.equal(await page.locator(".progress").evaluate((p) => p.classList.contains("complete")), true);
  // A tick on the other path too changes nothing.
  await tick("add-the-okta-app");
  assert.equal(await text.textContent(), "3 of 3 steps done");
  // The kickoff checklist and the home page count it done.
  await page.goto(`${ORIGIN}/alt/kickoff/`);
  await settled(page);
  assert.equal(await page.locator(".kick-box").first().isChecked(), true);
  assert.equal(await page.locator("[data-progress-text]").textContent(), "1 of 1 done");
  await page.goto(`${ORIGIN}/alt/`);
  await settled(page);
  assert.equal(await page.locator(".map-phase .ring-pct").first().textContent(), "100%");
  await page.screenshot({ path: join(SHOTS, "alt-home-360.png"), fullPage: true });
  await page.goto(url);
  await page.screenshot({ path: join(SHOTS, "alt-playbook-360.png"), fullPage: true });
});

test("the sample SSO playbook counts one identity provider's steps: 7, not 11", async (t) => {
  const { page } = await open(t);
  await page.goto(SSO);
  await settled(page);
  assert.equal(await page.locator("li.step").count(), 11);
  assert.equal(await page.locator("[data-progress-text]").textContent(), "0 of 7 steps done");
  const boxes = page.locator("li.step .step-box");
  for (const i of [4, 5, 6, 7, 8, 9, 10]) await boxes.nth(i).check(); // Entra ID, then Connect
  assert.equal(await page.locator("[data-progress-text]").textContent(), "7 of 7 steps done");
});

/* ---- Every page at 360 px: nothing wider than the screen; tables fit or say that they scroll ---- */

for (const lang of ["en", "ja"]) {
  test(`no page of the ${lang} site is wider than a 360 px screen, and tables fit or fade where they scroll`, async (t) => {
    const { page } = await open(t, PHONE);
    const pages = await crawl(page, BASES[lang]);
    assert.ok(pages.length >= (lang === "en" ? 30 : 10), `${pages.length} pages found`);
    const wide = [];
    let scrolling = 0;
    for (const { url } of [...pages, { url: `${BASES[lang]}search/?q=admin` }, { url: `${BASES[lang]}no-such-page/` }]) {
      await page.goto(url);
      const o = await overflow(page);
      if (o > 0) wide.push(`${url} by ${o}px`);
      // A table wider than its box fades at the side that has more (the mask of the scroll-driven animation).
      // (Tables in a closed FAQ answer are not laid out, and have nothing to show.)
      const tables = await page.$$eval(".table-wrap", (ws) =>
        ws.filter((w) => w.checkVisibility()).map((w) => ({ scrolls: w.scrollWidth > w.clientWidth, mask: getComputedStyle(w).maskImage })),
      );
      for (const tb of tables) {
        if (!tb.scrolls) continue;
        scrolling += 1;
        assert.match(tb.mask, /linear-gradient/, `${url}: a scrolling table shows that it scrolls`);
        assert.match(tb.mask, /2\.5rem|40px/, `${url}: the fade is on (${tb.mask})`);
      }
    }
    assert.deepEqual(wide, [], "pages wider than the screen");
    if (lang === "en") assert.ok(scrolling > 0, "the sample has a table that scrolls at 360 px");
  });
}

test("Japanese table cells wrap between phrases, never inside a word", async (t) => {
  const { page } = await open(t, PHONE);
  // A cell whose text must wrap at 360 px: each line of it must end at a phrase boundary. "オーナー" and
  // "一致" are words that a character-by-character wrap would cut.
  await page.goto(`${BASES.ja}`);
  await page.evaluate(() => {
    const main = document.querySelector("main");
    main.insertAdjacentHTML(
      "afterbegin",
      '<div class="prose" id="t"><div class="table-wrap"><table><tr><th>権限</th><td id="c">アカウントオーナーだけが請求先と契約内容を変更でき、席数と金額が合意内容と一致しているかを確認します</td></tr></table></div></div>',
    );
  });
  const lines = await page.evaluate(() => {
    const cell = document.getElementById("c");
    const text = cell.firstChild;
    const out = [];
    let line = "";
    let top = null;
    const r = document.createRange();
    for (let i = 0; i < text.length; i++) {
      r.setStart(text, i);
      r.setEnd(text, i + 1);
      const y = Math.round(r.getClientRects()[0].top);
      if (top !== null && y !== top) {
        out.push(line);
        line = "";
      }
      top = y;
      line += text.data[i];
    }
    out.push(line);
    return { out, style: getComputedStyle(cell).wordBreak };
  });
  assert.equal(lines.style, "auto-phrase");
  assert.ok(lines.out.length >= 2, `the cell wraps: ${JSON.stringify(lines.out)}`);
  for (const cut of ["オー|ナー", "アカ|ウント", "一|致", "請|求", "契|約", "確|認"]) {
    const [a, b] = cut.split("|");
    const bad = lines.out.some((l, i) => l.endsWith(a) && (lines.out[i + 1] || "").startsWith(b));
    assert.ok(!bad, `a line break inside 「${a}${b}」: ${JSON.stringify(lines.out)}`);
  }
});

/* ---- Small things: favicon, 404, the search hint, print ---- */

test("the favicon loads on every page type, from the theme", async (t) => {
  const { page } = await open(t);
  for (const url of [BASES.en, SSO, `${BASES.en}kickoff/`, BASES.ja, `${BASES.en}no-such-page/`]) {
    await page.goto(url);
    const href = await page.locator("link[rel=icon]").getAttribute("href");
    const res = await page.request.get(new URL(href, page.url()).href);
    assert.equal(res.status(), 200, `${href} from ${url}`);
    assert.match(res.headers()["content-type"], /image\/svg\+xml/);
    assert.match(await res.text(), /^<svg /);
  }
});

for (const lang of ["en", "ja"]) {
  test(`the 404 page offers search, the FAQ and the kickoff checklist (${lang})`, async (t) => {
    const { page } = await open(t, PHONE);
    const res = await page.goto(`${BASES[lang]}no-such-page/`);
    assert.equal(res.status(), 404);
    const hrefs = await page.$$eval(".not-found a", (as) => as.map((a) => new URL(a.href).pathname));
    const base = new URL(BASES[lang]).pathname;
    for (const want of [`${base}faq/`, `${base}kickoff/`, base]) assert.ok(hrefs.includes(want), `${want} in ${hrefs}`);
    const q = page.locator(".not-found input[type=search]");
    await q.fill("admin");
    await q.press("Enter");
    await page.waitForURL(`${BASES[lang]}search/?q=admin`);
  });
}

test("the search box hints at the / key only where there is a keyboard", async (t) => {
  for (const [options, shown] of [[PHONE, false], [LAPTOP, true]]) {
    const { page } = await open(t, options);
    await page.goto(BASES.en);
    const box = page.locator("#site-search-q");
    assert.doesNotMatch(await box.getAttribute("placeholder"), /\//, "no key in the placeholder");
    assert.equal(await page.locator(".site-search-key").isVisible(), shown, `the / hint with ${JSON.stringify(options.viewport)}`);
    if (shown) {
      await box.focus();
      assert.equal(await page.locator(".site-search-key").isVisible(), false, "the hint hides while typing");
    }
  }
});

test("the printed checklist carries the guide's name and the day it was printed", async (t) => {
  const { page } = await open(t);
  await page.goto(`${BASES.en}kickoff/`);
  await settled(page);
  assert.equal(await page.locator(".print-head").isVisible(), false, "not on screen");
  await page.emulateMedia({ media: "print" });
  const head = page.locator(".print-head");
  assert.equal(await head.isVisible(), true);
  const today = await page.evaluate(() => new Date().toLocaleDateString("en"));
  assert.equal((await head.textContent()).trim(), `Kumo HR Guide · ${today}`);
  mkdirSync(SHOTS, { recursive: true });
  await page.pdf({ path: join(SHOTS, "en-kickoff-print-a4.pdf"), format: "A4" });
  await page.screenshot({ path: join(SHOTS, "en-kickoff-print.png"), fullPage: true });
});

/* ---- The search popup: the whole list in sight, and the keyboard inside it ---- */

for (const [name, options] of [["360", PHONE], ["1280", LAPTOP]]) {
  test(`search: Tab moves into the results, arrows choose, Enter opens; the count and "see all" stay in sight (${name} px)`, async (t) => {
    const { page } = await open(t, { ...options, hasTouch: false, isMobile: false });
    await page.goto(BASES.en);
    const box = page.locator("#site-search-q");
    await box.fill("admin");
    const more = page.locator("#site-search-listbox .site-search-more");
    await more.waitFor();
    // The popup is within the screen, "see all" and the count are visible, neither hidden by the scroll.
    const list = await page.locator("#site-search-listbox").boundingBox();
    const status = await page.locator(".site-search-status").boundingBox();
    const m = await more.boundingBox();
    const vh = options.viewport.height;
    assert.ok(m.y >= list.y && m.y + m.height <= list.y + list.height + 0.5, `"see all" ${JSON.stringify(m)} in the list ${JSON.stringify(list)}`);
    assert.ok(status.y >= list.y + list.height - 0.5 && status.y + status.height <= vh, `count ${JSON.stringify(status)}`);
    assert.ok(list.x >= 0 && list.x + list.width <= options.viewport.width, `popup ${JSON.stringify(list)}`);
    // The last result above "see all" is not under it once scrolled to the end.
    await page.locator("#site-search-listbox").evaluate((l) => (l.scrollTop = l.scrollHeight));
    const opts = page.locator("#site-search-listbox [role=option]:not(.site-search-more):not(.site-search-literal)");
    const last = await opts.last().boundingBox();
    const m2 = await more.boundingBox();
    assert.ok(last.y + last.height <= m2.y + 0.5, `the last result ${JSON.stringify(last)} is clear of "see all" ${JSON.stringify(m2)}`);

    await box.press("Tab");
    const listbox = page.locator("#site-search-listbox");
    assert.equal(await page.evaluate(() => document.activeElement.id), "site-search-listbox");
    assert.equal(await listbox.getAttribute("aria-activedescendant"), "site-search-opt-0");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    assert.equal(await listbox.getAttribute("aria-activedescendant"), "site-search-opt-1");
    assert.equal(await page.locator("#site-search-opt-1").getAttribute("aria-selected"), "true");
    const url = await page.locator("#site-search-opt-1").getAttribute("data-url");
    await page.keyboard.press("Enter");
    await page.waitForURL(new URL(url, ORIGIN).href);
    // Escape from the list goes back to the box.
    await page.goto(BASES.en);
    await box.fill("admin");
    await more.waitFor();
    await box.press("Tab");
    await page.keyboard.press("Escape");
    assert.equal(await page.evaluate(() => document.activeElement.id), "site-search-q");
    assert.equal(await page.locator(".site-search-popup").isHidden(), true);
  });
}

/* ---- Accessibility at phone width ---- */

test("axe-core finds no serious or critical violation at 360 px, light and dark", async (t) => {
  const bad = [];
  for (const colorScheme of ["light", "dark"]) {
    const { page } = await open(t, { ...PHONE, colorScheme });
    for (const url of [BASES.en, SSO, `${BASES.en}kickoff/`, `${BASES.en}no-such-page/`, BASES.ja, `${BASES.ja}kickoff/`, `${ORIGIN}/alt/playbooks/onboarding/sso/`]) {
      await page.goto(url);
      await page.addScriptTag({ content: AXE });
      const result = await page.evaluate(() =>
        window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } }),
      );
      assert.ok(result.passes.length > 15, `axe ran on ${url}`);
      for (const v of result.violations) {
        console.log(`axe ${v.impact}: ${v.id} on ${url} (${colorScheme}): ${v.nodes[0]?.target.join(" ")}`);
        if (v.impact === "serious" || v.impact === "critical") bad.push(`${v.id} on ${url} (${colorScheme})`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

/* ---- Screenshots of every page type: 360 and 1280 px, light and dark, English and Japanese ---- */

test("screenshots of every page type at 360 and 1280 px, light and dark, in English and Japanese", async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const written = [];
  for (const lang of ["en", "ja"]) {
    const { page: crawler } = await open(t);
    const pages = await crawl(crawler, BASES[lang]);
    // One page of each kind (its body class, less the phase or tier id), then search results and the 404 page.
    const kinds = new Map();
    for (const p of pages) {
      const kind = p.kind.replace(/ (phase|tier-page)-\S+/, "").replace(/^layout-/, "").replace(/ kind-/, "-");
      if (!kinds.has(kind)) kinds.set(kind, p.url);
    }
    kinds.set("search", `${BASES[lang]}search/?q=${lang === "en" ? "admin" : encodeURIComponent("管理者")}`);
    kinds.set("404", `${BASES[lang]}no-such-page/`);
    for (const colorScheme of ["light", "dark"]) {
      for (const width of [360, 1280]) {
        const { page } = await open(t, width === 360 ? { ...PHONE, colorScheme } : { ...LAPTOP, colorScheme });
        for (const [kind, url] of kinds) {
          await page.goto(url);
          if (kind === "search") await page.locator(".search-results > li").first().waitFor();
          else if (kind !== "404") await settled(page);
          const file = `${lang}-${kind}-${width}-${colorScheme}.png`;
          await page.screenshot({ path: join(SHOTS, file), fullPage: true });
          written.push({ file, url: url.slice(ORIGIN.length) });
        }
      }
    }
  }
  // An index page to look at them side by side.
  const rows = written.map((w) => `<figure><img src="${w.file}" loading="lazy"><figcaption>${w.file}<br>${w.url}</figcaption></figure>`);
  writeFileSync(
    join(SHOTS, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>Screenshots</title><style>body{display:flex;flex-wrap:wrap;gap:1rem;font:12px sans-serif}figure{margin:0;width:300px}img{width:300px;height:500px;object-fit:cover;object-position:top;border:1px solid #888}</style>${rows.join("")}`,
  );
  assert.ok(written.length >= 2 * 2 * 2 * 8, `${written.length} screenshots`);
  console.log(`${written.length} screenshots in ${SHOTS}`);
});
