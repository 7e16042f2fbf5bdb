// shirube serve: live reload and the error overlay. Injected into HTML by `shirube serve` only; never in a build.
(() => {
  "use strict";
  // The live state: a JSON data block just before this script (a file, so that the Content-Security-Policy
  // needs no 'unsafe-inline').
  let live = null;
  try {
    live = JSON.parse(document.getElementById("shirube-live").textContent);
  } catch (_) { /* not a page from shirube serve */ }
  if (!live) return;
  window.__shirubeLive = live;
  const SCROLL = "shirube-serve-scroll";
  let source = null;
  let retries = 0;
  let timer = 0;

  // Back where the reader was before the reload.
  try {
    const saved = JSON.parse(sessionStorage.getItem(SCROLL) || "null");
    sessionStorage.removeItem(SCROLL);
    if (saved && saved.path === location.pathname) {
      const go = () => window.scrollTo(saved.x, saved.y);
      if (document.readyState === "complete") go();
      else addEventListener("load", go, { once: true });
    }
  } catch (_) { /* storage may be disabled */ }

  function reload() {
    try {
      sessionStorage.setItem(SCROLL, JSON.stringify({ path: location.pathname, x: scrollX, y: scrollY }));
    } catch (_) { /* reload anyway */ }
    location.reload();
  }

  function swapStylesheets() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("shirube-live", String(Date.now()));
      const next = link.cloneNode();
      next.href = url.href;
      next.addEventListener("load", () => link.remove(), { once: true });
      next.addEventListener("error", () => next.remove(), { once: true });
      link.after(next);
    }
  }

  function hideOverlay() {
    const old = document.getElementById("shirube-overlay");
    if (old) old.remove();
  }

  // Text only (textContent), so a message can never inject markup.
  function showOverlay(errors) {
    hideOverlay();
    if (!errors || !errors.length) return;
    const box = document.createElement("div");
    box.id = "shirube-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#f4f4f5;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem;";
    const head = document.createElement("div");
    head.style.cssText = "display:flex;justify-content:space-between;align-items:baseline;gap:1rem;";
    const title = document.createElement("strong");
    title.style.cssText = "color:#fca5a5;font-size:16px;";
    // The line that sums up errors left out counts as that many.
    const n = errors.filter((d) => d.severity === "error").reduce((n, d) => n + (d.more || 1), 0);
    title.textContent = `shirube: the guide has ${n} error${n === 1 ? "" : "s"}; this is the last good version`;
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide");
    close.style.cssText = "background:none;border:0;color:inherit;font-size:24px;cursor:pointer;";
    close.addEventListener("click", hideOverlay);
    head.append(title, close);
    box.append(head);
    for (const d of errors) {
      const pre = document.createElement("pre");
      pre.className = "shirube-diagnostic";
      pre.style.cssText =
        "white-space:pre-wrap;margin:1rem 0 0;padding:.75rem 1rem;border-radius:6px;background:#27272a;" +
        (d.severity === "error" ? "border-left:4px solid #f87171;" : "border-left:4px solid #fbbf24;");
      pre.textContent = d.text;
      box.append(pre);
    }
    const hint = document.createElement("p");
    hint.style.cssText = "color:#a1a1aa;margin-top:1rem;";
    hint.textContent = "Fix the files and save: this page updates by itself.";
    box.append(hint);
    (document.body || document.documentElement).append(box);
  }

  // One event from the stream, or from the tab that holds the stream for all tabs.
  function handle(name, data) {
    const d = JSON.parse(data);
    if (name === "hello") {
      retries = 0;
      if (d.errors && d.errors.length) showOverlay(d.errors);
      else if (d.id !== live.id) reload(); // a build we missed while away
    } else if (name === "reload") {
      if (d.id !== live.id) reload();
    } else if (name === "css") {
      live.id = d.id;
      hideOverlay();
      swapStylesheets();
    } else if (name === "errors") {
      showOverlay(d.errors);
    }
  }

  let channel = null;
  try {
    channel = new BroadcastChannel("shirube-live:" + live.events);
  } catch (_) { /* not shared then */ }

  function connect(shared) {
    if (source || (!shared && document.hidden)) return;
    source = new EventSource(live.events);
    for (const name of ["hello", "reload", "css", "errors"]) {
      source.addEventListener(name, (e) => {
        if (shared) channel.postMessage({ name, data: e.data });
        handle(name, e.data);
      });
    }
    source.onerror = () => {
      // The server restarted or went away: try again, more slowly each time.
      disconnect();
      clearTimeout(timer);
      timer = setTimeout(() => connect(shared), Math.min(5000, 200 * 2 ** retries++));
    };
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  if (live.errors && live.errors.length) showOverlay(live.errors);
  // Browsers allow six connections per host, and an open event stream holds one: with one per tab, a seventh
  // tab would wait forever. So one tab holds the stream for all of them (the holder of a lock, which passes on
  // when that tab closes) and passes events on over a BroadcastChannel.
  if (channel && navigator.locks) {
    channel.onmessage = (e) => handle(e.data.name, e.data.data);
    navigator.locks.request("shirube-live:" + live.events, () => new Promise(() => connect(true)));
  } else {
    // Nothing to share with (no locks outside secure contexts): only visible tabs keep a stream open.
    document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect(false)));
    addEventListener("pagehide", disconnect);
    addEventListener("pageshow", () => connect(false));
    connect(false);
  }
})();
