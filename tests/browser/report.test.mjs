// `shirube report` in Debian's Chromium, driven by playwright-core. Run by tests/testsuite/browser_report.rs, which
// writes each report with the real binary beside the `status --format json` of the same site and day, serves them
// on a loopback port and passes:
//   SHIRUBE_ORIGIN       http://127.0.0.1:PORT; report NAME is at /NAME/report.html
//   SHIRUBE_REPORT_DIR   the served folder: NAME/status.json is the status of the report's site
//   SHIRUBE_REPORTS      the NAMEs to test, separated by commas
//   SHIRUBE_CHROMIUM     the browser, SHIRUBE_SCREENSHOTS where screenshots go
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { launch } from "./chromium.mjs";

const env = process.env;
const ORIGIN = env.SHIRUBE_ORIGIN;
const DIR = env.SHIRUBE_REPORT_DIR;
const SHOTS = env.SHIRUBE_SCREENSHOTS;
const NAMES = (env.SHIRUBE_REPORTS || "").split(",").filter(Boolean);
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const STATES = ["published", "stale", "unproven", "expired", "draft"];

let browser;
before(async () => {
  assert.ok(ORIGIN && DIR && NAMES.length, "run these tests through `cargo test --test testsuite browser_report`");
  browser = await launch(env.SHIRUBE_CHROMIUM);
});
after(async () => {
  await browser?.close();
});

/** The report NAME in a fresh context, recording every request and script error. */
async function open(t, name, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  const url = `${ORIGIN}/${name}/report.html`;
  await page.goto(url, { waitUntil: "load", timeout: 120_000 });
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors, [], "script errors on the page");
    // The report is one file: it asks for nothing, from this host or any other.
    const others = requests.filter((r) => r.split("#")[0] !== url);
    assert.deepEqual(others, [], "requests besides the report itself");
  });
  return page;
}

const statusOf = (name) => JSON.parse(readFileSync(join(DIR, name, "status.json"), "utf8"));

for (const name of NAMES) {
  test(`${name}: the heatmap's cells and figures are status --format json's`, async (t) => {
    const status = statusOf(name);
    const page = await open(t, name);
    // Expected: per phase and tier (a page counts in each tier it targets), pages by state.
    const expected = new Map();
    for (const p of status.pages) {
      for (const tier of p.tiers) {
        const key = `${p.phase ?? ""}|${tier}`;
        const cell = expected.get(key) ?? { total: 0, live: 0, ...Object.fromEntries(STATES.map((s) => [s, 0])) };
        cell.total += 1;
        cell.live += p.published ? 1 : 0;
        cell[p.state] += 1;
        expected.set(key, cell);
      }
    }
    const cells = await page.$$eval("td.heat", (tds) =>
      tds.map((td) => ({
        key: `${td.dataset.phase}|${td.dataset.tier}`,
        data: Object.fromEntries(Object.entries(td.dataset).filter(([k]) => k !== "phase" && k !== "tier").map(([k, v]) => [k, Number(v)])),
        links: [...td.querySelectorAll("li")].map((li) => li.textContent.trim()),
        total: td.querySelector("a.total")?.textContent ?? "",
      })),
    );
    assert.ok(cells.length >= 4, `the heatmap has cells (${cells.length})`);
    const seen = new Set();
    for (const c of cells) {
      seen.add(c.key);
      const want = expected.get(c.key) ?? { total: 0, live: 0, ...Object.fromEntries(STATES.map((s) => [s, 0])) };
      assert.deepEqual(c.data, want, `cell ${c.key}`);
      // What the cell says is what its data says.
      if (want.total > 0) {
        assert.equal(c.total, `${want.total} page${want.total === 1 ? "" : "s"}`, `cell ${c.key}`);
        for (const s of STATES) {
          const shown = c.links.find((l) => l.startsWith(`${s} `));
          if (shown !== undefined) assert.equal(shown, `${s} ${want[s]}`, `cell ${c.key}`);
          else assert.equal(want[s], 0, `cell ${c.key} hides ${s} ${want[s]}`);
        }
      }
    }
    for (const key of expected.keys()) assert.ok(seen.has(key), `no heatmap cell for ${key}`);
    // The summary figures.
    const figures = await page.$$eval("dd[data-state]", (dds) => Object.fromEntries(dds.map((d) => [d.dataset.state, Number(d.textContent)])));
    for (const s of STATES) {
      const n = status.pages.filter((p) => p.state === s).length;
      if (s in figures || n > 0) assert.equal(figures[s], n, `summary: ${s}`);
    }
  });

  test(`${name}: a heatmap link shows exactly its pages, without a script`, async (t) => {
    const status = statusOf(name);
    const page = await open(t, name);
    assert.equal(await page.$$eval("script", (s) => s.length), 0, "the report has no script");
    const visibleRows = () =>
      page.$$eval("#pages tbody tr", (rows) => rows.filter((r) => r.checkVisibility()).map((r) => r.querySelector(".path").textContent));
    assert.equal((await visibleRows()).length, status.pages.length, "every gated page has a row");
    // The link of the largest unproven count, and a whole cell.
    const link = await page.$$eval("td.heat li a", (as) =>
      as
        .map((a) => ({ href: a.getAttribute("href"), text: a.textContent, td: a.closest("td").dataset }))
        .filter((a) => a.text.startsWith("unproven "))
        .sort((a, b) => Number(b.text.split(" ")[1]) - Number(a.text.split(" ")[1]))[0],
    );
    assert.ok(link, "some cell has unproven pages");
    await page.click(`a[href="${link.href}"]`);
    const want = status.pages
      .filter((p) => (p.phase ?? "") === link.td.phase && p.tiers.includes(link.td.tier) && p.state === "unproven")
      .map((p) => p.path)
      .sort();
    assert.deepEqual((await visibleRows()).sort(), want, `${link.href} shows its pages`);
    assert.ok(await page.locator(link.href).isVisible(), "a note says the table is filtered");
    await page.locator(`${link.href} a`).click();
    assert.equal((await visibleRows()).length, status.pages.length, "Show all pages shows them all again");
  });

  test(`${name}: what to prove next is status's to_prove and expiring`, async (t) => {
    const status = statusOf(name);
    const page = await open(t, name);
    const byPath = new Map(status.pages.map((p) => [p.path, p]));
    const rows = (id) =>
      page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => ({ path: tr.dataset.path, needs: Number(tr.dataset.needs), expires: Number(tr.dataset.expires) })));
    const near = await rows("prove-near");
    const far = await rows("prove-far");
    assert.deepEqual(near.map((r) => r.path), status.to_prove.filter((p) => byPath.get(p).needs <= 1), "one engagement away");
    assert.deepEqual(far.map((r) => r.path), status.to_prove.filter((p) => byPath.get(p).needs > 1), "further away");
    for (const r of [...near, ...far]) assert.equal(r.needs, byPath.get(r.path).needs, r.path);
    assert.equal(near.length + far.length, status.to_prove.length);
    const expiring = await rows("expiring");
    assert.deepEqual(expiring.map((r) => r.path), status.expiring);
    for (const r of expiring) assert.equal(r.expires, byPath.get(r.path).expires_in_days, r.path);
    if (status.expiring.length === 0) {
      assert.equal(await page.locator("#expiring-h + .note + .empty").textContent(), "None.");
    }
  });

  test(`${name}: helpfulness is status's helpful, lowest first`, async (t) => {
    const status = statusOf(name);
    const page = await open(t, name);
    const withFeedback = status.pages.filter((p) => p.helpful);
    if (withFeedback.length === 0) {
      assert.equal(await page.locator("#helpful").count(), 0, "no helpfulness section without feedback");
      return;
    }
    const rows = await page.$$eval("#helpful-table tbody tr", (trs) =>
      trs.map((tr) => ({ path: tr.dataset.path, yes: Number(tr.dataset.yes), no: Number(tr.dataset.no), rate: tr.querySelector(".rate").textContent.trim() })),
    );
    const gatedRows = rows.filter((r) => status.pages.some((p) => p.path === r.path));
    assert.equal(gatedRows.length, withFeedback.length);
    for (const r of gatedRows) {
      const h = status.pages.find((p) => p.path === r.path).helpful;
      assert.deepEqual({ yes: r.yes, no: r.no }, { yes: h.yes, no: h.no }, r.path);
      assert.equal(r.rate, `${Math.round(h.rate * 100)}%`, r.path);
    }
    const rates = rows.map((r) => r.yes / (r.yes + r.no));
    assert.deepEqual(rates, [...rates].sort((a, b) => a - b), "lowest yes rate first");
  });

  test(`${name}: axe-core finds no serious or critical violation, light and dark; screenshots`, async (t) => {
    const found = [];
    for (const colorScheme of ["light", "dark"]) {
      const page = await open(t, name, { colorScheme });
      await page.addScriptTag({ content: AXE });
      // On a large report axe checks the parts whose markup grows with the site (heatmap, charts) and leaves out
      // the long tables, whose rows are written by the same code as the sample report's, which it checks whole:
      // on thousands of rows it takes many minutes.
      const large = statusOf(name).pages.length > 1000;
      const context = large ? { include: [["header"], ["nav"], ["#coverage"], ["#over-time"], ["#age"]] } : null;
      const result = await page.evaluate((context) =>
        window.axe.run(
          context === null ? document : context,
          {
            runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
          },
        ),
      large ? context : null);
      assert.ok(result.passes.length > 15, `axe ran: ${result.passes.length} rules passed`);
      for (const v of result.violations) {
        found.push({ colorScheme, id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target.join(" ") });
      }
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, `report-${name}-${colorScheme}.png`) });
        await page.locator("#age").scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, `report-${name}-${colorScheme}-charts.png`) });
      }
    }
    if (SHOTS) writeFileSync(join(SHOTS, `report-${name}-axe.json`), JSON.stringify(found, null, 2));
    const bad = found.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad, [], "serious or critical accessibility violations");
  });

  test(`${name}: on paper, the navigation is left out and the charts keep their colours`, async (t) => {
    const page = await open(t, name);
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator("nav").isVisible(), false, "no navigation on paper");
    const fill = await page.$eval("rect.c-success", (r) => getComputedStyle(r).fill);
    assert.equal(fill, "rgb(26, 127, 55)", "success bars print green");
    // Printing thousands of rows takes minutes: only the small report is printed to PDF.
    if (statusOf(name).pages.length <= 1000) {
      const pdf = await page.pdf({ format: "A4" });
      assert.ok(pdf.length > 10_000, `a PDF was printed (${pdf.length} bytes)`);
    }
    if (SHOTS) {
      await page.screenshot({ path: join(SHOTS, `report-${name}-print.png`) });
    }
  });
}
