/*
 * The clinic's booking on the clinic's own website. Paste into any page:
 *
 *   <script src="https://BOOKING-SITE/static/embed.js" async></script>
 *   <div data-medspa-booking></div>
 *
 * Options, as attributes of the div:
 *   data-location="sarasota"   start at this location (its slug)
 *   data-service="…"           start with this service (its slug)
 *   data-provider="12"         start with this provider (their id)
 *   data-accent="#8a3b5c"      the buttons' colour (darkened if white text on it would be hard to read)
 *   data-mode="popup"          a button that opens the booking in a dialog (default: inline)
 *   data-label="Book now"      the popup button's text
 *
 * When a patient books, the div receives a `medspa:booked` event (it bubbles) whose `detail` is
 * { reference, start, end, status, service, location }: never anything about the patient.
 *
 * The booking site must list this website's origin (staff → Website), or browsers refuse to show
 * it. Messages are taken only from the booking's own iframe and origin, and sent only to it.
 */
(() => {
  const script = document.currentScript || document.querySelector('script[src*="/embed.js"]');
  if (!script) return;
  const base = new URL(script.src, window.location.href);
  const ORIGIN = base.origin;
  const PAGE = new URL("/embed/book/", ORIGIN);
  const OPTIONS = ["location", "service", "provider", "accent"];
  const frames = new Map(); // iframe window -> { iframe, host, ready, onReady }

  function frameUrl(host, mode) {
    const url = new URL(PAGE);
    for (const name of OPTIONS) {
      const value = host.dataset[name];
      if (value) url.searchParams.set(name, name === "accent" ? value.replace(/^#/, "") : value);
    }
    if (mode === "popup") url.searchParams.set("mode", "popup");
    return url.href;
  }

  function makeFrame(host, mode) {
    const iframe = document.createElement("iframe");
    iframe.src = frameUrl(host, mode);
    iframe.title = host.dataset.title || "Book an appointment";
    Object.assign(iframe.style, {
      display: "block", width: "100%", minWidth: "0", height: "40rem", border: "0", background: "#fff",
    });
    return { iframe, entry: { iframe, host, ready: false, onReady: null, close: null } };
  }

  function inline(host) {
    const { iframe, entry } = makeFrame(host, "inline");
    host.append(iframe);
    // The frame's window exists once it is in the page, and stays the same object as it loads.
    frames.set(iframe.contentWindow, entry);
  }

  // The dialog's backdrop can only be styled by a stylesheet: a constructed one, which (unlike a
  // <style> element) the clinic's own Content-Security-Policy does not need to allow.
  let dimmed = false;
  function dimBackdrop() {
    if (dimmed) return;
    dimmed = true;
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync("dialog[data-medspa-dialog]::backdrop { background: rgba(20, 16, 18, 0.55); }");
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    } catch {
      // an older browser: its own lighter backdrop
    }
  }

  function popup(host) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = host.dataset.label || "Book online";
    button.setAttribute("aria-haspopup", "dialog");
    const accent = /^#?[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(host.dataset.accent || "")
      ? `#${host.dataset.accent.replace(/^#/, "")}` : "#0f5257";
    Object.assign(button.style, {
      font: "inherit", fontWeight: "600", color: "#fff", background: accent, border: "0",
      borderRadius: "999px", padding: "0.7rem 1.4rem", minHeight: "44px", cursor: "pointer",
    });
    const dialog = document.createElement("dialog");
    dialog.dataset.medspaDialog = "";
    dimBackdrop();
    dialog.setAttribute("aria-label", button.textContent);
    Object.assign(dialog.style, {
      width: "min(44rem, calc(100vw - 1rem))", maxWidth: "none", maxHeight: "calc(100dvh - 1rem)",
      padding: "0", border: "0", borderRadius: "0.75rem", overflow: "auto", background: "#fff",
      boxShadow: "0 1rem 3rem rgba(0, 0, 0, .35)",
    });
    const bar = document.createElement("div");
    Object.assign(bar.style, {
      position: "sticky", top: "0", display: "flex", justifyContent: "flex-end", padding: "0.25rem",
      background: "#fff", zIndex: "1",
    });
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Close");
    Object.assign(close.style, {
      font: "inherit", fontSize: "1.5rem", lineHeight: "1", width: "44px", height: "44px", border: "0",
      borderRadius: "50%", background: "transparent", color: "#1f2a2c", cursor: "pointer",
    });
    close.addEventListener("click", () => dialog.close());
    bar.append(close);
    dialog.append(bar);
    // A click on the backdrop (the dialog itself, outside its content) closes it too.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", () => button.focus());
    let made = null;
    button.addEventListener("click", () => {
      if (!made) {
        made = makeFrame(host, "popup");
        dialog.append(made.iframe);
        frames.set(made.iframe.contentWindow, made.entry);
        made.entry.close = () => dialog.close(); // Escape pressed inside the frame
      }
      dialog.showModal(); // Escape closes it; the page behind is inert meanwhile
      const focus = () => made.iframe.contentWindow.postMessage({ type: "medspa:focus" }, ORIGIN);
      if (made.entry.ready) focus();
      else made.entry.onReady = focus;
    });
    host.append(button, dialog);
  }

  function start(host) {
    if (host.dataset.medspaStarted) return;
    host.dataset.medspaStarted = "1";
    if (host.dataset.mode === "popup") popup(host);
    else inline(host);
  }

  function startAll() {
    document.querySelectorAll("[data-medspa-booking]").forEach(start);
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== ORIGIN) return;
    const entry = frames.get(event.source);
    const data = event.data;
    if (!entry || !data || typeof data.type !== "string") return;
    if (data.type === "medspa:height") {
      const height = Number(data.height);
      if (Number.isFinite(height) && height > 0 && height < 100000) entry.iframe.style.height = `${Math.ceil(height)}px`;
    } else if (data.type === "medspa:close") {
      if (entry.close) entry.close();
    } else if (data.type === "medspa:ready") {
      entry.ready = true;
      if (entry.onReady) entry.onReady();
      entry.onReady = null;
    } else if (data.type === "medspa:booked") {
      const text = (value) => (typeof value === "string" ? value : null);
      const detail = {
        reference: text(data.reference), start: text(data.start), end: text(data.end),
        status: text(data.status), service: text(data.service), location: text(data.location),
      };
      entry.host.dispatchEvent(new CustomEvent("medspa:booked", { bubbles: true, detail }));
    }
  });

  startAll();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
})();
