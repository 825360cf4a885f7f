// Inside the iframe of /embed/book/: the booking flow of booking.js, plus what the page around it
// needs. It tells that page its height (so the iframe never scrolls) and the booking's outcome,
// by postMessage to that page's origin only, and only when the origin is one a manager listed
// (or this site: the demo page). Nothing about the patient's health or contact details is sent.

const config = JSON.parse(document.getElementById("booking-config").textContent);
const allowed = new Set(config.embed.origins);

/** The origin of the page that frames this one, if it may be told anything; else null. */
function parentOrigin() {
  if (window.parent === window) return null;
  // Chromium and Safari name the framing page's origin; elsewhere the referrer carries it (the
  // default referrer policy sends the origin across sites).
  let origin = window.location.ancestorOrigins?.[0] || null;
  if (!origin && document.referrer) {
    try {
      origin = new URL(document.referrer).origin;
    } catch {
      origin = null;
    }
  }
  return origin && allowed.has(origin) ? origin : null;
}

const target = parentOrigin();

function tell(message) {
  if (target) window.parent.postMessage(message, target);
}

// The accent colour: darkened until white text on it is readable (WCAG AA, 4.5:1).
function luminance([r, g, b]) {
  const linear = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r / 255) + 0.7152 * linear(g / 255) + 0.0722 * linear(b / 255);
}

function hex(rgb) {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

export function readableAccent(colour) {
  let rgb = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  for (let step = 0; step < 40 && 1.05 / (luminance(rgb) + 0.05) < 4.5; step += 1) {
    rgb = rgb.map((c) => c * 0.92);
  }
  return hex(rgb);
}

if (config.embed.accent) {
  const brand = readableAccent(config.embed.accent);
  const rgb = [1, 3, 5].map((i) => parseInt(brand.slice(i, i + 2), 16));
  const root = document.documentElement.style; // CSSOM, not a style attribute: allowed by the CSP
  root.setProperty("--brand", brand);
  root.setProperty("--brand-dark", hex(rgb.map((c) => c * 0.8)));
  root.setProperty("--brand-soft", hex(rgb.map((c) => 255 - (255 - c) * 0.1)));
  root.setProperty("--bs-link-color", brand);
  root.setProperty("--bs-link-color-rgb", rgb.join(", "));
  root.setProperty("--bs-link-hover-color", hex(rgb.map((c) => c * 0.8)));
}

// Height: the whole document, whenever it changes (steps revealed, times loaded, errors shown).
let lastHeight = 0;
function reportHeight() {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (height !== lastHeight) {
    lastHeight = height;
    tell({ type: "medspa:height", height });
  }
}
if (target) {
  document.documentElement.classList.add("told-height");
  new ResizeObserver(reportHeight).observe(document.documentElement);
}

// The outcome: shown here (the manage page is not framed: it opens in a new tab), told outside.
const form = document.getElementById("booking");
form.addEventListener("booking:booked", (event) => {
  event.preventDefault();
  const booking = event.detail;
  const zone = booking.location?.timezone;
  const when = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, weekday: "long", month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
  }).format(new Date(booking.start));
  const done = document.getElementById("embed-booked");
  done.querySelector("[data-booked-when]").textContent = `${booking.service?.name || "Your appointment"}, ${when} (${booking.location?.name} time).`;
  done.querySelector("[data-booked-reference]").textContent = booking.reference;
  done.querySelector("[data-booked-manage]").href = booking.manage_url;
  form.hidden = true;
  document.querySelector(".embed-book > p.text-muted")?.setAttribute("hidden", "");
  done.hidden = false;
  done.focus();
  tell({
    type: "medspa:booked",
    reference: booking.reference,
    start: booking.start,
    end: booking.end,
    status: booking.status,
    service: booking.service?.slug,
    location: booking.location?.slug,
  });
});

// From the page around: only "move focus here" (the popup just opened), from that page only.
window.addEventListener("message", (event) => {
  if (!target || event.source !== window.parent || event.origin !== target) return;
  if (event.data?.type === "medspa:focus") document.querySelector("h1")?.focus();
});

// In the popup, Escape closes the dialog: keys pressed in here never reach the page around, so
// the frame passes Escape on (unless something in here used it, such as an open list).
if (config.embed.mode === "popup") {
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) tell({ type: "medspa:close" });
  });
}

document.querySelector("h1").tabIndex = -1;
tell({ type: "medspa:ready" });
