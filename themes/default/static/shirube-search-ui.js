// shirube-search-ui.js: the default theme's search box (header) and results page (search/?q=).
// Loads the engine (shirube-search.js) on first use, so pages that nobody searches from pay nothing.
// The box is an ARIA 1.2 combobox: the input owns a listbox popup; up/down move the active option
// (aria-activedescendant), Enter opens it, Escape closes the popup (and clears the box when it is closed).
// Tab from the box moves into the list, where the same keys work.
// Page text only reaches the DOM as textContent, or as the engine's excerpts (escaped, with <mark>).

const DEBOUNCE_MS = 120;
const BOX_LIMIT = 6;
const PAGE_LIMIT = 50;

const form = document.querySelector('form.site-search');
let enginePromise = null;

function engine() {
  if (!enginePromise) {
    const src = form?.dataset.engine || new URL('shirube-search.js', import.meta.url).href;
    enginePromise = import(new URL(src, location.href).href);
    enginePromise.catch(() => (enginePromise = null));
  }
  return enginePromise;
}

function t(key, vars = {}) {
  const s = (form && form.dataset['t' + key[0].toUpperCase() + key.slice(1)]) || '';
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : ''));
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// "12 results", or, when no page has every word of the query, a note that these have some of them.
function found(results, limit) {
  const count = t('count', { n: results.length >= limit ? `${limit}+` : results.length });
  return results[0]?.partial ? `${t('partial')} ${count}` : count;
}

// "Showing results for “Slack”." when the engine searched a corrected spelling, or ''.
function corrected(results) {
  return results[0]?.corrected ? t('corrected', { q: clip(results[0].corrected) }) : '';
}

// "Missing: errors" under a result that lacks some words of the query, or nothing.
function missing(r, cls) {
  return r.missing?.length ? [el('span', { class: cls }, t('missing', { words: r.missing.join(' ') }))] : [];
}

// The query as the status line repeats it: at most 60 characters, so a pasted page is not read out aloud whole.
function clip(q) {
  const c = [...q];
  return c.length > 60 ? c.slice(0, 60).join('') + '…' : q;
}

function kindLabel(kind) {
  return t(kind) || kind;
}

// --------------------------------------------------------------------------------------------------------------
// Header box

function setupBox() {
  if (!form) return;
  const input = form.querySelector('.site-search-input');
  const popup = form.querySelector('.site-search-popup');
  const list = form.querySelector('.site-search-list');
  const status = form.querySelector('.site-search-status');
  if (!input || !popup || !list || !status) return;
  let active = -1;
  let seq = 0;

  const options = () => [...list.querySelectorAll('[role="option"]')];
  const open = () => {
    popup.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const close = () => {
    popup.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    for (const x of [input, list]) x.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const setActive = (i) => {
    const opts = options();
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach((o, k) => o.setAttribute('aria-selected', k === active ? 'true' : 'false'));
    for (const x of [input, list]) x.setAttribute('aria-activedescendant', opts[active].id);
    opts[active].scrollIntoView({ block: 'nearest' });
  };
  const allUrl = (q, literal) => `${form.getAttribute('action')}?q=${encodeURIComponent(q)}${literal ? '&literal=1' : ''}`;

  const run = async () => {
    const q = input.value;
    const mine = ++seq;
    if (!q.trim()) {
      list.replaceChildren();
      status.textContent = '';
      close();
      return;
    }
    let results;
    try {
      const { search } = await engine();
      results = await search(q, { limit: BOX_LIMIT });
    } catch (e) {
      if (mine !== seq) return;
      list.replaceChildren();
      status.textContent = t('error');
      open();
      return;
    }
    if (mine !== seq) return;
    active = -1;
    for (const x of [input, list]) x.removeAttribute('aria-activedescendant');
    const items = results.map((r, i) => {
      // No link inside: an option holds no interactive element (the list's click handlers open data-url).
      const li = el('li', { role: 'option', id: `site-search-opt-${i}`, 'aria-selected': 'false', 'data-url': r.url });
      li.append(el('span', { class: 'site-search-title' }, r.title));
      li.append(el('span', { class: 'site-search-kind' }, kindLabel(r.kind)));
      const x = el('span', { class: 'site-search-excerpt' });
      x.innerHTML = r.excerpt; // escaped by the engine; only <mark> is markup
      li.append(x, ...missing(r, 'site-search-missing'));
      return li;
    });
    if (results.length) {
      items.push(el('li', { role: 'option', id: `site-search-opt-${results.length}`, 'aria-selected': 'false', 'data-url': allUrl(q), class: 'site-search-more' }, t('all')));
      // A corrected spelling: the status says so, and the last option searches the words as typed.
      if (results[0].corrected) {
        items.push(el('li', { role: 'option', id: `site-search-opt-${results.length + 1}`, 'aria-selected': 'false', 'data-url': allUrl(q, true), class: 'site-search-literal' }, t('literal', { q: clip(q) })));
      }
      status.textContent = [corrected(results), found(results, BOX_LIMIT)].filter(Boolean).join(' ');
    } else {
      status.textContent = `${t('none', { q: clip(q) })} ${t('help')}`;
    }
    list.replaceChildren(...items);
    open();
  };
  const later = debounce(run, DEBOUNCE_MS);

  input.addEventListener('input', (e) => {
    if (e.isComposing) return; // wait for the IME to commit
    later();
  });
  input.addEventListener('compositionend', later);
  input.addEventListener('focus', () => {
    // Start loading while the user types: the engine, then the index's manifest (facets() without a query reads
    // only that), so the first query waits for its shards alone.
    engine()
      .then((m) => m.facets())
      .catch(() => {});
    if (input.value.trim() && list.children.length) open();
  });
  const keys = (e) => {
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      // A closed popup's options are stale: search again (an empty box has nothing to show).
      if (!popup.hidden) setActive(active + 1);
      else if (input.value.trim()) run();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (!popup.hidden) setActive(active - 1);
    } else if (e.key === 'Enter') {
      const opts = options();
      if (!popup.hidden && active >= 0 && opts[active]) {
        e.preventDefault();
        location.href = opts[active].dataset.url;
      }
    } else if (e.key === 'Escape') {
      if (!popup.hidden) {
        e.preventDefault();
        close();
      } else if (input.value) {
        e.preventDefault();
        input.value = '';
        ++seq; // a search still running must not bring the old results back
        list.replaceChildren();
        status.textContent = '';
      }
    }
  };
  input.addEventListener('keydown', keys);
  list.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') input.focus(); // before the popup hides
    keys(e);
  });
  list.addEventListener('focus', () => active < 0 && setActive(0));
  list.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus in the input while clicking
  // A click opens the option's page; a middle click, or a click with Ctrl, Cmd or Shift, opens it in a new tab,
  // as on a link.
  const follow = (e) => {
    const url = e.target.closest('[role="option"]')?.dataset.url;
    if (!url) return;
    if (e.button === 1 || e.ctrlKey || e.metaKey || e.shiftKey) window.open(url, '_blank', 'noopener');
    else if (e.button === 0) location.href = url;
  };
  list.addEventListener('click', follow);
  list.addEventListener('auxclick', (e) => e.button === 1 && follow(e));
  form.addEventListener('focusout', (e) => {
    if (!form.contains(e.relatedTarget)) close();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    // "/" stays in what takes text; from a checkbox, radio button or button it goes to the box.
    const tgt = e.target;
    const text = tgt.tagName === 'INPUT' ? !/^(checkbox|radio|button|submit|reset|range|color|file|image)$/.test(tgt.type) : /^(TEXTAREA|SELECT)$/.test(tgt.tagName);
    if (text || tgt.isContentEditable) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
}

// --------------------------------------------------------------------------------------------------------------
// Results page

const FACETS = ['kind', 'phase', 'tier'];

function setupPage() {
  const root = document.querySelector('[data-search-page]');
  if (!root) return;
  const input = root.querySelector('input[name="q"]');
  const chips = root.querySelector('.search-facets');
  const status = root.querySelector('.search-status');
  const list = root.querySelector('.search-results');
  const help = root.querySelector('.search-help');
  const note = root.querySelector('.search-corrected');
  const params = new URLSearchParams(location.search);
  // literal: the reader chose "Search instead for …" (no corrections), until the query changes.
  const state = { q: params.get('q') || '', filters: {}, literal: params.get('literal') === '1' };
  for (const f of FACETS) state.filters[f] = params.getAll(f).filter(Boolean);
  input.value = state.q;
  const headerInput = form?.querySelector('.site-search-input');
  if (headerInput) headerInput.value = state.q;
  let seq = 0;

  const writeUrl = () => {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.q && state.literal) p.set('literal', '1');
    for (const f of FACETS) for (const v of state.filters[f]) p.append(f, v);
    const qs = p.toString();
    history.replaceState(null, '', qs ? `?${qs}` : location.pathname);
  };

  const render = async () => {
    const mine = ++seq;
    const q = state.q;
    if (!q.trim()) {
      list.replaceChildren();
      if (note) note.hidden = true;
      chips.hidden = true;
      status.textContent = '';
      help.hidden = false;
      return;
    }
    let results;
    let counts;
    try {
      const { search, facets } = await engine();
      const literal = state.literal;
      [results, counts] = await Promise.all([search(q, { limit: PAGE_LIMIT, filters: state.filters, literal }), facets(q, { literal })]);
    } catch (e) {
      if (mine !== seq) return;
      status.textContent = t('error');
      return;
    }
    if (mine !== seq) return;
    renderChips(counts);
    if (note) {
      // "Showing results for “Slack”. Search instead for “Slakc”" (a link to this page with literal=1).
      const fix = corrected(results);
      note.hidden = !fix;
      if (fix) {
        const p = new URLSearchParams({ q, literal: '1' });
        for (const f of FACETS) for (const v of state.filters[f]) p.append(f, v);
        const a = el('a', { href: `?${p}`, class: 'search-literal' }, t('literal', { q: clip(q) }));
        a.addEventListener('click', (e) => {
          e.preventDefault();
          state.literal = true;
          writeUrl();
          render();
        });
        note.replaceChildren(el('span', {}, fix), ' ', a);
      } else note.replaceChildren();
    }
    status.textContent = results.length ? found(results, PAGE_LIMIT) : t('none', { q: clip(q) });
    help.hidden = results.length > 0;
    const names = {};
    for (const f of ['phase', 'tier']) for (const v of counts[f]) names[f + ':' + v.id] = v.name;
    list.replaceChildren(
      ...results.map((r) => {
        const li = el('li', { class: `search-result kind-${r.kind}` });
        const h = el('h2', { class: 'search-result-title' });
        h.append(el('a', { href: r.url }, r.title));
        li.append(h);
        const meta = el('p', { class: 'search-result-meta' });
        meta.append(el('span', { class: 'badge badge-kind' }, kindLabel(r.kind)));
        if (r.phase) meta.append(el('span', { class: 'badge badge-phase' }, names['phase:' + r.phase] || r.phase));
        li.append(meta);
        const x = el('p', { class: 'search-result-excerpt' });
        x.innerHTML = r.excerpt; // escaped by the engine; only <mark> is markup
        li.append(x);
        li.append(...missing(r, 'search-missing'));
        if (r.sections.length) {
          const ul = el('ul', { class: 'search-result-sections', role: 'list' });
          for (const s of r.sections) {
            const sli = el('li');
            sli.append(el('a', { href: s.url }, s.title));
            ul.append(sli);
          }
          li.append(ul);
        }
        return li;
      }),
    );
  };

  const renderChips = (counts) => {
    const groups = [];
    for (const f of FACETS) {
      const values = counts[f].filter((v) => v.count > 0 || state.filters[f].includes(v.id));
      if (values.length < 2 && !state.filters[f].length) continue;
      const g = el('div', { class: 'search-facet', role: 'group', 'aria-label': t(f) });
      g.append(el('span', { class: 'search-facet-label', 'aria-hidden': 'true' }, t(f)));
      for (const v of values) {
        const on = state.filters[f].includes(v.id);
        const b = el('button', { type: 'button', class: 'chip', 'aria-pressed': on ? 'true' : 'false', 'data-facet': f, 'data-value': v.id });
        b.append(el('span', {}, f === 'kind' ? kindLabel(v.id) : v.name));
        b.append(el('span', { class: 'chip-count' }, String(v.count)));
        g.append(b);
      }
      groups.push(g);
    }
    if (FACETS.some((f) => state.filters[f].length)) {
      groups.push(el('button', { type: 'button', class: 'chip chip-clear', 'data-clear': '' }, t('clear')));
    }
    chips.replaceChildren(...groups);
    chips.hidden = groups.length === 0;
  };

  chips.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    const { facet, value } = b.dataset;
    if (b.hasAttribute('data-clear')) {
      for (const f of FACETS) state.filters[f] = [];
    } else {
      const list = state.filters[facet];
      state.filters[facet] = list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
    }
    writeUrl();
    // Focus stays on the chip, or (after "Clear filters", which is gone then) goes to the first one.
    render().then(() => ((facet && chips.querySelector(`button[data-facet="${facet}"][data-value="${value}"]`)) || chips.querySelector('button') || input).focus());
  });
  const later = debounce(() => {
    if (state.q !== input.value) state.literal = false;
    state.q = input.value;
    writeUrl();
    render();
  }, DEBOUNCE_MS);
  input.addEventListener('input', (e) => {
    if (!e.isComposing) later();
  });
  input.addEventListener('compositionend', later);
  root.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (state.q !== input.value) state.literal = false;
    state.q = input.value;
    writeUrl();
    render();
  });
  render();
}

setupBox();
setupPage();
