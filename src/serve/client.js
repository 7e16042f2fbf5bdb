// shirube serve: live reload and the error overlay. Injected into HTML by `shirube serve` only; never in a build.
(() => {
  "use strict";
  const live = window.__shirubeLive;
  if (!live) return;
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
    const n = errors.filter((d) => d.severity === "error").length;
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

  function connect() {
    if (source || document.hidden) return;
    source = new EventSource(live.events);
    source.addEventListener("hello", (e) => {
      retries = 0;
      const d = JSON.parse(e.data);
      if (d.errors && d.errors.length) showOverlay(d.errors);
      else if (d.id !== live.id) reload(); // a build we missed while away
    });
    source.addEventListener("reload", (e) => {
      if (JSON.parse(e.data).id !== live.id) reload();
    });
    source.addEventListener("css", (e) => {
      live.id = JSON.parse(e.data).id;
      hideOverlay();
      swapStylesheets();
    });
    source.addEventListener("errors", (e) => showOverlay(JSON.parse(e.data).errors));
    source.onerror = () => {
      // The server restarted or went away: try again, more slowly each time.
      disconnect();
      clearTimeout(timer);
      timer = setTimeout(connect, Math.min(5000, 200 * 2 ** retries++));
    };
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  // Browsers allow six connections per host: only visible tabs keep one open, so a seventh tab never hangs.
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  addEventListener("pagehide", disconnect);
  addEventListener("pageshow", connect);
  if (live.errors && live.errors.length) showOverlay(live.errors);
  connect();
})();
