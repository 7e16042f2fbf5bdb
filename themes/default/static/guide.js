/* shirube reader script: the reader's tier, step checklists and progress. Progressive enhancement: every page
 * works without it. The tier (picked, or set by ?tier=ID in a link) filters lists; steps, kickoff items and "I have
 * done this" boxes can be ticked. All of it stays in this browser's localStorage: nothing is sent anywhere.
 * Markup contract: docs/templates.md, "What the scripts rely on".
 */
(() => {
  "use strict";
  const d = document;
  const root = d.documentElement;
  const base = root.dataset.base || "/";
  const PREFIX = "shirube:p:"; // + page URL (which starts with the base path): ticked step ids
  const KICK = "#kickoff"; // PREFIX + URL + KICK: its kickoff item is ticked
  const TIER_KEY = "shirube:tier:" + base;
  const tierIds = words(root.dataset.tierIds);
  const main = d.getElementById("main") || d.body;

  function words(s) {
    return (s || "").split(" ").filter(Boolean);
  }
  function all(sel, el) {
    return Array.from((el || d).querySelectorAll(sel));
  }
  function fmt(tpl, vals) {
    return (tpl || "").replace(/\{(\w+)\}/g, (m, k) => (k in vals ? vals[k] : m));
  }
  // JSON in `s`, or null.
  function json(s) {
    try {
      return JSON.parse(s);
    } catch (e) {
      return null;
    }
  }
  function load(key) {
    try {
      return json(localStorage.getItem(key));
    } catch (e) {
      return null; // storage off
    }
  }
  function store(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage off (private mode, file://): ticks last until the page is left */
    }
  }
  // Ticked step ids of a page. A memory copy keeps ticks working when storage is off.
  const memory = {};
  function ticked(key) {
    const saved = load(PREFIX + key);
    return new Set(Array.isArray(saved) ? saved : memory[key] || []);
  }
  function saveTicked(key, set) {
    memory[key] = Array.from(set);
    store(PREFIX + key, set.size ? memory[key] : null);
  }
  // Whether the page's kickoff item is ticked: the page then counts as done, whatever its steps say.
  function kicked(key) {
    return (load(PREFIX + key + KICK) ?? memory[key + KICK]) === true;
  }
  function saveKicked(key, on) {
    memory[key + KICK] = on;
    store(PREFIX + key + KICK, on || null);
  }

  /* ---- tier ---- */
  let tier = "";
  (function readTier() {
    const params = new URLSearchParams(location.search);
    const q = params.get("tier");
    if (q !== null) {
      if (q === "" || q === "all") store(TIER_KEY, null);
      else if (tierIds.includes(q)) store(TIER_KEY, q);
      params.delete("tier");
      const rest = params.toString();
      history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    }
    savedTier();
  })();
  function savedTier() {
    const saved = load(TIER_KEY);
    tier = tierIds.includes(saved) ? saved : "";
  }

  // Whether a card (or anything with data-tiers) applies to the reader's tier; `ids` as in data-tiers.
  function fitsTiers(ids) {
    const t = words(ids);
    return !tier || !t.length || t.includes("all") || t.includes(tier);
  }
  // Cards and FAQ entries hide (with their list item); tier pages list one tier already and are left alone.
  function filter() {
    root.dataset.tier = tier;
    const filtering = !d.body.classList.contains("layout-tier");
    for (const el of all(".card[data-tiers], details.faq[data-tiers]", main)) {
      const item = el.parentElement && el.parentElement.tagName === "LI" ? el.parentElement : el;
      item.hidden = filtering && !fitsTiers(el.dataset.tiers);
    }
    for (const g of all(".layout-faq-index .group", main)) {
      const entries = all("details.faq", g);
      g.hidden = entries.length > 0 && entries.every((e) => e.hidden);
    }
    for (const note of all("[data-tier-note]")) {
      const page = note.closest("[data-tiers]");
      note.hidden = !page || fitsTiers(page.dataset.tiers);
    }
    for (const a of all("a[data-alt]")) swapLink(a);
    for (const box of all("[data-by-tier]")) tierStats(box);
    for (const more of all("[data-by-tier-label]")) moreLink(more);
    for (const r of all("[data-tier-picker] input[name=tier]")) r.checked = r.value === tier;
    // The tier bar says which tier is on; its menu names the tiers.
    const a = tier && d.querySelector(`[data-set-tier="${tier}"]`);
    const name = a ? a.textContent : tier;
    for (const bar of all("[data-tier-bar]")) bar.hidden = !tier;
    for (const s of all("[data-tier-status]")) s.textContent = fmt(s.dataset.tpl, { tier: name });
    // "Showing 5 of 6 for Tech touch": what the tier hides of the list around each note.
    for (const note of all("[data-filter-note]", main)) {
      const items = all(".card[data-tiers], details.faq[data-tiers]", note.parentElement);
      const shown = items.filter(visible).length;
      note.hidden = !filtering || shown === items.length;
      note.firstChild.textContent = fmt(root.dataset.tplFiltered, { shown, total: items.length, tier: name });
    }
  }
  function setTier(id) {
    tier = tierIds.includes(id) ? id : "";
    store(TIER_KEY, tier || null);
    update();
  }
  function update() {
    filter();
    refresh();
  }
  // Previous / next / up-next links point to what the reader's tier gets.
  function swapLink(a) {
    const title = a.querySelector("[data-alt-title]");
    const phase = a.querySelector("[data-alt-phase]");
    if (!a.dataset.def) {
      a.dataset.def = JSON.stringify({ u: a.getAttribute("href"), t: title && title.textContent, p: phase && phase.textContent });
    }
    const alt = json(a.dataset.alt) || {};
    const v = tier && tier in alt ? alt[tier] : JSON.parse(a.dataset.def);
    (a.closest(".up-next") || a).hidden = !v;
    if (!v) return;
    a.setAttribute("href", v.u);
    if (title && v.t != null) title.textContent = v.t;
    if (phase && v.p != null) phase.textContent = v.p;
  }
  // "All 120 in Onboarding": the count of the reader's tier, or nothing when that tier's list is complete.
  function moreLink(p) {
    const a = p.querySelector("a");
    if (!a) return;
    if (p.dataset.def == null) p.dataset.def = a.textContent;
    const by = tier && json(p.dataset.byTierLabel); // else the count of every tier
    const label = by ? by[tier] : p.dataset.def;
    p.hidden = label === null;
    if (label) a.textContent = label;
  }
  function tierStats(box) {
    if (!box.dataset.def) {
      const def = {};
      for (const dd of all("[data-stat]", box)) def[dd.dataset.stat] = dd.textContent;
      box.dataset.def = JSON.stringify(def);
    }
    const by = tier && json(box.dataset.byTier); // else the totals of every tier
    const v = (by && by[tier]) || JSON.parse(box.dataset.def);
    for (const dd of all("[data-stat]", box)) dd.textContent = v[dd.dataset.stat] == null ? "" : v[dd.dataset.stat];
    for (const b of all("[data-stat-box]", box)) b.hidden = !v[b.dataset.statBox];
  }

  /* ---- steps and progress ---- */
  const page = d.querySelector("article.page[data-steps]");
  // Steps done of the page stored under `key`; `steps` as data-steps: the stepHash of each step id, alternative
  // paths as "a,b|c" (the path furthest along counts).
  function progress(key, steps) {
    const done = new Set(Array.from(ticked(key), stepHash));
    const c = { total: 0, done: 0 };
    for (const group of words(steps)) {
      let best = [0, 0];
      for (const path of group.split("|")) {
        const hs = path.split(",");
        const n = hs.filter((h) => done.has(h)).length;
        if (!best[1] || n / hs.length > best[0] / best[1]) best = [n, hs.length];
      }
      c.done += best[0];
      c.total += best[1];
    }
    if (kicked(key)) c.done = c.total;
    return c;
  }
  function count(el) {
    return progress(el.dataset.key, el.dataset.steps);
  }
  function visible(el) {
    return !el.closest("[hidden]");
  }
  // The step-holding units a progress display adds up: this page, or the visible cards under `scope`.
  function units(scope) {
    return page ? [page] : all(".card[data-steps]", scope).filter(visible);
  }
  function sum(list) {
    return list.reduce((acc, el) => {
      const c = count(el);
      return { total: acc.total + c.total, done: acc.done + c.done };
    }, { total: 0, done: 0 });
  }
  function complete(c) {
    return c.total > 0 && c.done === c.total;
  }
  function pct(c) {
    return c.total ? Math.round((100 * c.done) / c.total) : 0;
  }

  function refresh() {
    if (page) {
      const done = ticked(page.dataset.key);
      const kick = kicked(page.dataset.key);
      for (const step of all("[data-step]", page)) {
        const box = step.querySelector(".step-box");
        if (!box) continue;
        box.disabled = false;
        box.checked = kick || done.has(step.dataset.step);
        step.classList.toggle("done", box.checked);
      }
    }
    for (const card of all(".card[data-steps]", main)) cardProgress(card);
    for (const item of all(".kick-item")) {
      const card = item.querySelector(".card[data-steps]");
      const box = item.querySelector(".kick-box");
      if (!card || !box) continue;
      const c = count(card);
      box.checked = complete(c);
      box.indeterminate = c.done > 0 && c.done < c.total;
      // Done by its own steps: unticking it here would have to erase them, so it is left to the page.
      box.disabled = box.checked && !kicked(card.dataset.key);
      item.classList.toggle("done", box.checked);
    }
    for (const p of all("[data-progress]")) {
      const list = units(main);
      // Kickoff: whole playbooks done; elsewhere: steps.
      const c = p.dataset.progress === "items"
        ? { total: list.length, done: list.filter((el) => complete(count(el))).length }
        : sum(list);
      const text = p.querySelector("[data-progress-text]");
      if (text) text.textContent = fmt(text.dataset.tpl || root.dataset.tplSteps, c);
      const fill = p.querySelector(".bar-fill");
      if (fill) fill.style.width = pct(c) + "%";
      p.classList.toggle("complete", complete(c));
    }
    for (const ring of all("[data-ring]")) {
      const col = ring.closest(".map-phase") || main;
      const c = sum(all(".card[data-steps]", col).filter(visible));
      // A long phase lists its first playbooks only; the others come as [url, tier ids, step hashes].
      for (const [key, tiers, steps] of ringRest(col)) {
        if (!fitsTiers(tiers)) continue;
        const p = progress(key, steps);
        c.total += p.total;
        c.done += p.done;
      }
      const fg = ring.querySelector(".ring-fg");
      if (fg) fg.setAttribute("stroke-dasharray", pct(c) + " 100");
      const label = ring.querySelector(".ring-pct");
      if (label) label.textContent = pct(c) + "%";
      const text = ring.querySelector("[data-ring-text]");
      if (text) text.textContent = fmt(root.dataset.tplSteps, c);
      ring.classList.toggle("complete", complete(c));
    }
    startHere();
  }
  // A step id's stand-in in data-steps and the ring data: FNV-1a (32 bits) of its UTF-8 bytes in base 36, as
  // `step_hash` in shirube's render.rs.
  function stepHash(id) {
    let h = 0x811c9dc5;
    for (const b of new TextEncoder().encode(id)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h.toString(36);
  }
  const rests = new Map();
  function ringRest(col) {
    if (!rests.has(col)) {
      const data = col.querySelector("script[data-ring-rest]");
      const list = data && json(data.textContent);
      rests.set(col, Array.isArray(list) ? list : []);
    }
    return rests.get(col);
  }
  function cardProgress(card) {
    const c = count(card);
    let out = card.querySelector(".card-progress");
    card.classList.toggle("card-done", complete(c));
    if (!c.done) {
      if (out) out.remove();
      return;
    }
    if (!out) out = card.appendChild(el("p", "card-progress"));
    out.title = fmt(root.dataset.tplSteps, c);
    if (complete(c)) {
      out.textContent = "✓ " + root.dataset.tplDone;
      return;
    }
    const shown = el("span", "", c.done + "/" + c.total);
    shown.setAttribute("aria-hidden", "true");
    out.replaceChildren(shown, el("span", "vh", " " + out.title));
  }
  function el(tag, cls, text) {
    const e = d.createElement(tag);
    e.className = cls;
    e.textContent = text || "";
    return e;
  }
  // "Start with": the first visible playbook of the page's lists that is not done yet.
  function startHere() {
    const slot = d.querySelector("[data-start]");
    if (!slot) return;
    const next = all(".card[data-steps]", main).filter(visible).find((c) => !complete(count(c)));
    const link = slot.querySelector("a");
    const title = next && next.querySelector(".card-title a");
    slot.hidden = !title;
    if (title && link) {
      link.href = title.getAttribute("href");
      link.textContent = title.textContent;
    }
  }

  /* ---- events ---- */
  d.addEventListener("change", (e) => {
    const t = e.target;
    if (t.name === "tier" && t.closest("[data-tier-picker]")) {
      setTier(t.value);
    } else if (t.classList.contains("step-box") && page) {
      const step = t.closest("[data-step]");
      if (!step) return;
      const key = page.dataset.key;
      // Ticked from the kickoff checklist, all steps showed done: now they count one by one.
      const set = kicked(key) ? new Set(all("[data-step]", page).map((s) => s.dataset.step)) : ticked(key);
      if (t.checked) set.add(step.dataset.step);
      else set.delete(step.dataset.step);
      saveKicked(key, false);
      saveTicked(key, set);
      refresh();
    } else if (t.classList.contains("kick-box")) {
      const card = t.closest(".kick-item").querySelector(".card[data-steps]");
      if (!card) return;
      saveKicked(card.dataset.key, t.checked);
      refresh();
    }
  });
  d.addEventListener("click", (e) => {
    const set = e.target.closest("a[data-set-tier]");
    if (set) {
      e.preventDefault();
      set.closest("details").open = false;
      setTier(set.dataset.setTier);
      return;
    }
    const t = e.target.closest("button");
    if (!t) return;
    if (t.hasAttribute("data-show-all")) {
      setTier("");
    } else if (t.dataset.reset) {
      if (!window.confirm(t.dataset.confirm)) return;
      if (t.dataset.reset === "page" && page) {
        saveTicked(page.dataset.key, new Set());
        saveKicked(page.dataset.key, false);
      } else {
        for (const k in memory) delete memory[k];
        try {
          for (let i = localStorage.length - 1; i >= 0; i--) {
            const k = localStorage.key(i);
            if (k && k.startsWith(PREFIX + base)) localStorage.removeItem(k);
          }
        } catch (err) {
          /* nothing stored */
        }
      }
      refresh();
    } else if (t.hasAttribute("data-print")) {
      window.print();
    }
  });
  // A deep link to a question opens it.
  function openTarget() {
    let id = location.hash.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch (e) {
      /* keep it as written */
    }
    const el = id && d.getElementById(id);
    const details = el && el.closest("details");
    if (!details) return;
    for (let p = details; p; p = p.parentElement) p.hidden = false;
    details.open = true;
    el.scrollIntoView();
  }
  window.addEventListener("hashchange", openTarget);
  // Another tab ticked something or changed the tier.
  window.addEventListener("storage", () => {
    savedTier();
    update();
  });

  function init() {
    // The printed checklist says when it was printed.
    for (const e of all("[data-print-date]")) e.textContent = " · " + new Date().toLocaleDateString(root.lang);
    update();
    openTarget();
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", init);
  else init();
})();
