// The booking flow, over the public JSON API. Used by /book/ (a new booking) and by the
// manage page (mode "reschedule"). Times are shown in the location's zone, whatever the
// phone's own zone is.

const $ = (selector, root = document) => root.querySelector(selector);

export function formatter(timeZone, options) {
  return new Intl.DateTimeFormat("en-US", { timeZone, ...options });
}

export function zoneNote(location, instant) {
  const name = formatter(location.timezone, { timeZoneName: "long" })
    .formatToParts(instant).find((p) => p.type === "timeZoneName")?.value;
  const offset = formatter(location.timezone, { timeZoneName: "longOffset" })
    .formatToParts(instant).find((p) => p.type === "timeZoneName")?.value;
  return `Times are ${location.name} time (${name}, ${offset.replace("GMT", "UTC")}).`;
}

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

function addDays(isoDay, days) {
  const d = new Date(`${isoDay}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

function localDay(iso, timeZone) {
  return formatter(timeZone, { year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date(iso))
    .reduce((acc, p) => ({ ...acc, [p.type]: p.value }), {});
}

function dayKey(iso, timeZone) {
  const { year, month, day } = localDay(iso, timeZone);
  return `${year}-${month}-${day}`;
}

function todayIn(timeZone) {
  return dayKey(new Date().toISOString(), timeZone);
}

async function api(base, path, options = {}) {
  const response = await fetch(base + path, {
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    ...options,
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

function radio(name, value, label, description, checked = false) {
  const id = `${name}-${value}`;
  const wrapper = document.createElement("div");
  wrapper.className = "choice";
  wrapper.innerHTML = `
    <input class="btn-check" type="radio" name="${name}" id="${id}" value="${value}" ${checked ? "checked" : ""}>
    <label class="btn choice-label w-100 text-start" for="${id}">
      <span class="d-block fw-semibold"></span>
      <span class="d-block small choice-note"></span>
    </label>`;
  wrapper.querySelector(".fw-semibold").textContent = label;
  wrapper.querySelector(".choice-note").textContent = description || "";
  return wrapper;
}

/** Scrolls a day strip sideways, never the page, so that `button` is fully in it. */
function keepInStrip(strip, button) {
  const outer = strip.getBoundingClientRect();
  const inner = button.getBoundingClientRect();
  const margin = 8;
  if (inner.left < outer.left) strip.scrollLeft -= outer.left - inner.left + margin;
  else if (inner.right > outer.right) strip.scrollLeft += inner.right - outer.right + margin;
}

/**
 * Days and slots for one service at one location/provider, with paging by `daysPerPage`.
 *
 * The day strip is one tab stop (a toolbar with a roving tabindex): arrow keys, Home and End
 * move between days, Enter, Space or a tap chooses one and moves focus to its first time.
 * Days without times stay focusable (aria-disabled), so a screen reader hears "Closed" or
 * "No times" instead of skipping them.
 */
export class SlotPicker {
  constructor({ root, config, onPick }) {
    this.root = root;
    this.config = config;
    this.onPick = onPick;
    this.dayStrip = $("[data-choices=day]", root);
    this.slotGrid = $("[data-choices=slot]", root);
    this.zoneNote = $("#zone-note", root);
    this.status = $("[data-slot-status]", root);
    this.from = null;
    this.selectedDay = null;
    this.slots = [];
    this.closed = new Set();
    $("[data-action=earlier]", root).addEventListener("click", () => this.page(-1));
    $("[data-action=later]", root).addEventListener("click", () => this.page(1));
    this.dayStrip.addEventListener("keydown", (event) => this.onDayKey(event));
  }

  async load({ service, location, provider, from }) {
    this.query = { service, location, provider };
    this.today = todayIn(location.timezone);
    this.from = from && from > this.today ? from : this.today;
    await this.refresh();
  }

  async page(direction) {
    const next = addDays(this.from, direction * this.config.daysPerPage);
    this.from = next < this.today ? this.today : next;
    this.selectedDay = null;
    await this.refresh();
    // "Earlier dates" is disabled on the first page: keep keyboard focus in the picker.
    if (document.activeElement === document.body || document.activeElement?.disabled) this.focusDay(this.tabStop());
    this.announce();
  }

  async refresh() {
    const { service, location, provider } = this.query;
    const params = new URLSearchParams({ service, date: this.from, days: this.config.daysPerPage });
    if (location.slug) params.set("location", location.slug);
    if (provider) params.set("provider", provider);
    this.slotGrid.innerHTML = `<p class="text-muted small mb-0">Looking for free times…</p>`;
    const { status, body } = await api(this.config.api, `/availability?${params}`);
    if (status !== 200) {
      this.slotGrid.innerHTML = `<p class="text-danger">We couldn't load times. Please try again or call us.</p>`;
      return;
    }
    this.slots = body.slots;
    this.closed = new Set(body.closed || []);
    this.zoneNote.textContent = zoneNote(location, new Date(`${this.from}T12:00:00Z`));
    $("[data-action=earlier]", this.root).disabled = this.from <= this.today;
    this.renderDays(location);
  }

  days() {
    return [...this.dayStrip.querySelectorAll(".day")];
  }

  tabStop() {
    return this.days().find((button) => button.tabIndex === 0);
  }

  renderDays(location) {
    const byDay = new Map();
    for (const slot of this.slots) {
      const key = dayKey(slot.start, location.timezone);
      if (!byDay.has(key)) byDay.set(key, []);
      byDay.get(key).push(slot);
    }
    this.byDay = byDay;
    const hadFocus = this.dayStrip.contains(document.activeElement);
    this.dayStrip.innerHTML = "";
    const weekday = formatter("UTC", { weekday: "short" });
    const month = formatter("UTC", { month: "short", day: "numeric" });
    let firstOpen = null;
    for (let i = 0; i < this.config.daysPerPage; i += 1) {
      const key = addDays(this.from, i);
      const count = (byDay.get(key) || []).length;
      const noon = new Date(`${key}T12:00:00Z`);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn day";
      button.dataset.day = key;
      button.tabIndex = i === 0 ? 0 : -1;
      button.setAttribute("aria-pressed", "false");
      if (!count) button.setAttribute("aria-disabled", "true");
      // Spaces between the parts: the visible text reads "Mon Jun 3 8 free", not "MonJun 3".
      button.innerHTML = `<span class="d-block small"></span> <span class="d-block fw-semibold"></span>
        <span class="d-block day-status"></span>`;
      const parts = [weekday.format(noon), month.format(noon), count ? `${count} free` : this.closed.has(key) ? "Closed" : "No times"];
      button.querySelectorAll(".d-block").forEach((span, index) => { span.textContent = parts[index]; });
      // The spoken name is exactly the visible text, with commas so it is read as three parts.
      button.setAttribute("aria-label", parts.join(", "));
      button.addEventListener("click", () => {
        if (!this.byDay.has(key)) return;
        this.selectDay(key);
        $("input", this.slotGrid)?.focus();
      });
      this.dayStrip.append(button);
      if (count && !firstOpen) firstOpen = key;
    }
    const keep = this.selectedDay && byDay.has(this.selectedDay) ? this.selectedDay : firstOpen;
    if (keep) {
      this.selectDay(keep);
    } else {
      this.selectedDay = null;
      this.slotGrid.innerHTML = `<p class="mb-0">No free times in these two weeks. Try later dates${
        this.query.provider ? ", or choose \u201canyone\u201d" : ""
      }.</p>`;
    }
    if (hadFocus) this.focusDay(this.tabStop());
  }

  onDayKey(event) {
    const days = this.days();
    const index = days.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: days.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    this.focusDay(days[Math.min(Math.max(moves[event.key], 0), days.length - 1)]);
  }

  focusDay(button) {
    if (!button) return;
    for (const day of this.days()) day.tabIndex = day === button ? 0 : -1;
    button.focus({ preventScroll: true });
    keepInStrip(this.dayStrip, button);
  }

  announce() {
    if (!this.status) return;
    const count = (this.byDay?.get(this.selectedDay) || []).length;
    this.status.textContent = this.selectedDay
      ? `${formatter("UTC", { weekday: "long", month: "long", day: "numeric" })
        .format(new Date(`${this.selectedDay}T12:00:00Z`))}: ${count} time${count === 1 ? "" : "s"} free.`
      : "No free times in these two weeks.";
  }

  selectDay(key) {
    this.selectedDay = key;
    for (const button of this.days()) {
      const chosen = button.dataset.day === key;
      button.setAttribute("aria-pressed", String(chosen));
      button.tabIndex = chosen ? 0 : -1;
      if (chosen) keepInStrip(this.dayStrip, button);
    }
    const { location } = this.query;
    const time = formatter(location.timezone, { hour: "numeric", minute: "2-digit" });
    this.slotGrid.innerHTML = "";
    for (const slot of this.byDay.get(key) || []) {
      const value = `${slot.start}|${slot.provider}|${slot.location}`;
      const wrapper = radio("slot", value.replaceAll(/[^A-Za-z0-9]/g, "_"), time.format(new Date(slot.start)), "");
      const input = wrapper.querySelector("input");
      input.value = value;
      input.addEventListener("change", () => this.onPick(slot));
      this.slotGrid.append(wrapper);
    }
  }
}

function showAlert(kind, text) {
  const alert = $("#book-alert");
  alert.className = `alert alert-${kind}`;
  alert.textContent = text;
  alert.focus();
}

function clearFieldErrors(form) {
  for (const input of form.querySelectorAll(".is-invalid")) input.classList.remove("is-invalid");
  for (const feedback of form.querySelectorAll(".invalid-feedback")) feedback.textContent = "";
}

function showFieldErrors(form, errors) {
  let first = null;
  const other = [];
  for (const [field, messages] of Object.entries(errors)) {
    const name = field.replace(/^patient\./, "");
    const input = form.querySelector(`[name="${name}"]`);
    const feedback = form.querySelector(`#${CSS.escape(name)}-error`);
    if (input && feedback) {
      input.classList.add("is-invalid");
      feedback.textContent = messages.join(" ");
      first ||= input;
    } else {
      other.push(messages.join(" "));
    }
  }
  if (other.length) showAlert("danger", other.join(" "));
  if (first) first.focus();
  else if (!other.length) showAlert("danger", "Please check the form.");
}

function reveal(step) {
  if (step.hidden) {
    step.hidden = false;
  }
}

/** Under a service new patients can't book online: say so, with a one-click switch to the consultation. */
function newPatientNote(choices, consultation) {
  const note = document.createElement("p");
  note.className = "small mb-0 mt-1 ms-1 new-patient-note";
  note.textContent = "Returning patients only. New here? ";
  if (!consultation) {
    note.append("Please call us to start with a consultation.");
    return note;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-link btn-sm p-0 align-baseline";
  button.textContent = `Start with a ${consultation.name.toLowerCase()}`;
  button.addEventListener("click", () => {
    const input = choices.querySelector(`input[value="${consultation.slug}"]`);
    input.checked = true;
    input.dispatchEvent(new Event("change"));
    input.focus();
  });
  note.append(button);
  return note;
}

function book(config) {
  const form = $("#booking");
  form.classList.remove("d-none");
  const state = { location: null, service: null, areas: new Set(), provider: "", slot: null };
  const steps = {
    location: $("#step-location"),
    service: $("#step-service"),
    areas: $("#step-areas"),
    provider: $("#step-provider"),
    time: $("#step-time"),
    details: $("#step-details"),
    confirm: $("#step-confirm"),
  };
  const picker = new SlotPicker({
    root: steps.time,
    config,
    onPick: (slot) => {
      state.slot = slot;
      reveal(steps.details);
      reveal(steps.confirm);
      summarize();
    },
  });

  function hideFrom(name) {
    const order = ["areas", "provider", "time", "details", "confirm"];
    for (const step of order.slice(order.indexOf(name))) steps[step].hidden = true;
    state.slot = null;
  }

  function summarize() {
    const where = state.location;
    $("#summary-where").textContent = where
      ? `${where.name}: ${where.address}${where.phone ? `. Questions? Call ${where.phone}.` : ""}`
      : "";
    if (!state.slot) {
      $("#summary").textContent = "Pick a time above.";
      $("#book-button").textContent = "Book";
      return;
    }
    const tz = state.location.timezone;
    const when = formatter(tz, { weekday: "long", month: "long", day: "numeric", hour: "numeric", minute: "2-digit" })
      .format(new Date(state.slot.start));
    const who = state.providers?.find((p) => p.id === state.slot.provider);
    $("#summary").textContent = `${state.service.name}, ${when} (${state.location.name} time)${
      who ? ` with ${who.name}` : ""
    }.`;
    $("#book-button").textContent = `Book ${formatter(tz, { weekday: "short", hour: "numeric", minute: "2-digit" })
      .format(new Date(state.slot.start))}`;
  }

  async function loadTimes() {
    hideFrom("time");
    reveal(steps.time);
    const waitlist = $("#waitlist-link");
    const query = new URLSearchParams({ service: state.service.slug, location: state.location.slug });
    waitlist.href = `${waitlist.pathname}?${query}`;
    const from = /^\d{4}-\d{2}-\d{2}$/.test(config.preselect.date || "") ? config.preselect.date : undefined;
    await picker.load({ service: state.service.slug, location: state.location, provider: state.provider, from });
  }

  async function chooseService(service) {
    state.service = service;
    hideFrom("areas");
    if (service.kind !== "review") {
      reveal(steps.areas);
    }
    const params = new URLSearchParams({ service: service.slug });
    if (state.location.slug) params.set("location", state.location.slug);
    const { body } = await api(config.api, `/providers?${params}`);
    state.providers = body || [];
    const choices = $("[data-choices=provider]", steps.provider);
    choices.innerHTML = "";
    choices.append(radio("provider", "anyone", "Anyone available", "The first free injector", true));
    for (const provider of state.providers) {
      choices.append(radio("provider", provider.id, provider.name, provider.title));
    }
    for (const input of choices.querySelectorAll("input")) {
      input.addEventListener("change", () => {
        state.provider = input.value === "anyone" ? "" : input.value;
        loadTimes();
      });
    }
    state.provider = "";
    const named = state.providers.find((p) => String(p.id) === config.preselect.provider);
    if (named) {
      choices.querySelector(`input[value="${named.id}"]`).checked = true;
      state.provider = String(named.id);
    }
    reveal(steps.provider);
    await loadTimes();
  }

  function chooseLocation(location) {
    state.location = location;
    hideFrom("areas");
    const choices = $("[data-choices=service]", steps.service);
    choices.innerHTML = "";
    const consultation = config.services.find((s) => s.kind === "consultation" && s.new_patients_online);
    for (const service of config.services) {
      const note = [`${service.duration_minutes} min`, service.price_note].filter(Boolean).join(" · ");
      const item = radio("service", service.slug, service.name, note);
      const input = item.querySelector("input");
      input.addEventListener("change", () => chooseService(service));
      if (!service.new_patients_online) item.append(newPatientNote(choices, consultation));
      choices.append(item);
    }
    reveal(steps.service);
    const preselected = config.services.find((s) => s.slug === config.preselect.service);
    if (preselected) {
      choices.querySelector(`input[value="${preselected.slug}"]`).checked = true;
      chooseService(preselected);
    }
  }

  // Areas of concern, grouped like the home page, behind one "Choose areas" disclosure so the
  // keyboard reaches the times in a few steps; open when an area page sent the patient here.
  const areaRoot = $("[data-choices=areas]", steps.areas);
  const areasChosen = () => {
    $("[data-areas-chosen]", steps.areas).textContent = state.areas.size ? ` · ${state.areas.size} chosen` : "";
  };
  for (const region of config.regions) {
    const group = document.createElement("div");
    group.className = "mb-2";
    group.innerHTML = `<p class="small fw-semibold mb-1"></p><div class="d-flex flex-wrap gap-2"></div>`;
    group.firstElementChild.textContent = region.label;
    for (const area of region.areas) {
      const id = `area-${area.slug}`;
      const chip = document.createElement("span");
      chip.innerHTML = `<input class="btn-check" type="checkbox" id="${id}" value="${area.slug}">
        <label class="btn btn-sm btn-outline-primary rounded-pill" for="${id}"></label>`;
      chip.querySelector("label").textContent = area.name;
      const input = chip.querySelector("input");
      input.checked = area.slug === config.preselect.area;
      if (input.checked) state.areas.add(area.slug);
      input.addEventListener("change", () => {
        if (input.checked) state.areas.add(area.slug);
        else state.areas.delete(area.slug);
        areasChosen();
      });
      group.lastElementChild.append(chip);
    }
    areaRoot.append(group);
  }
  $("#areas-picker").open = state.areas.size > 0;
  areasChosen();

  // Locations: a choice only when there is more than one.
  if (config.locations.length === 1) {
    chooseLocation(config.locations[0]);
  } else {
    const choices = $("[data-choices=location]", steps.location);
    for (const location of config.locations) {
      const item = radio("location", location.slug, location.name, location.address);
      item.querySelector("input").addEventListener("change", () => chooseLocation(location));
      choices.append(item);
    }
    reveal(steps.location);
    const preselected = config.locations.find((l) => l.slug === config.preselect.location);
    if (preselected) {
      choices.querySelector(`input[value="${preselected.slug}"]`).checked = true;
      chooseLocation(preselected);
    }
  }

  const phone = () => state.location?.phone || config.clinicPhone;

  // Texts only with the patient's explicit opt-in; then they choose the channel.
  const smsConsent = $("#sms_consent");
  smsConsent.addEventListener("change", () => {
    $("#channel-choice").hidden = !smsConsent.checked;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    if (!state.slot) {
      showAlert("warning", "Please pick a time first.");
      return;
    }
    const data = new FormData(form);
    const payload = {
      service: state.service.slug,
      start: state.slot.start,
      location: state.slot.location,
      areas: [...state.areas],
      accept_policy: data.get("accept_policy") === "on",
      patient: {
        first_name: data.get("first_name"),
        last_name: data.get("last_name"),
        email: data.get("email"),
        phone: data.get("phone"),
        date_of_birth: data.get("date_of_birth") || null,
        sms_consent: data.get("sms_consent") === "on",
        preferred_channel: data.get("sms_consent") === "on" ? data.get("preferred_channel") || "sms" : "email",
      },
    };
    if (state.provider) payload.provider = Number(state.provider);
    if (config.source) payload.source = config.source;
    const button = $("#book-button");
    button.disabled = true;
    button.textContent = "Booking…";
    try {
      const { status, body } = await api(config.api, "/bookings", { method: "POST", body: JSON.stringify(payload) });
      if (status === 201) {
        // The embed (embed-frame.js) shows the outcome in place and tells the page around it.
        const booked = new CustomEvent("booking:booked", { detail: body, cancelable: true });
        if (form.dispatchEvent(booked)) window.location.assign(`${new URL(body.manage_url).pathname}?booked=1`);
        return;
      }
      if (status === 409 && body?.error === "slot_unavailable") {
        const taken = formatter(state.location.timezone, { hour: "numeric", minute: "2-digit" })
          .format(new Date(state.slot.start));
        showAlert(
          "warning",
          `Sorry, someone booked ${taken} a moment ago. Here are the times that are still free; your details are kept.`,
        );
        state.slot = null;
        await picker.refresh();
        steps.time.scrollIntoView({ behavior: "smooth", block: "start" });
      } else if (status === 400 && body?.errors) {
        showFieldErrors(form, body.errors);
      } else {
        showAlert("danger", body?.detail || `Something went wrong. Please try again or call us on ${phone()}.`);
      }
    } catch {
      showAlert("danger", `We couldn't reach the clinic's server. Check your connection, or call us on ${phone()}.`);
    } finally {
      button.disabled = false;
      summarize();
    }
  });
}

function reschedule(config) {
  const root = $("#reschedule");
  if (!root) return;
  root.classList.remove("d-none");
  const confirm = $("#reschedule-confirm", root);
  let chosen = null;
  const picker = new SlotPicker({
    root,
    config,
    onPick: (slot) => {
      chosen = slot;
      confirm.disabled = false;
      const when = formatter(config.location.timezone, {
        weekday: "long", month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
      }).format(new Date(slot.start));
      confirm.textContent = `Move to ${when}`;
    },
  });
  $("#reschedule-open").addEventListener("click", async (event) => {
    event.currentTarget.hidden = true;
    $("#reschedule-panel").hidden = false;
    await picker.load({ service: config.service, location: config.location, provider: config.provider });
    // The button that had focus is gone: carry the keyboard on to the days.
    picker.focusDay(picker.tabStop());
  });
  confirm.addEventListener("click", async () => {
    if (!chosen) return;
    confirm.disabled = true;
    const { status, body } = await api(config.api, `/bookings/${config.token}/reschedule`, {
      method: "POST",
      body: JSON.stringify({ start: chosen.start }),
    });
    if (status === 200) {
      window.location.assign(`${window.location.pathname}?moved=1`);
    } else if (status === 409 && body?.error === "slot_unavailable") {
      showAlert("warning", "Sorry, that time was just taken. Here are the times still free.");
      chosen = null;
      confirm.textContent = "Move to this time";
      await picker.refresh();
    } else {
      showAlert("danger", body?.detail || Object.values(body?.errors || {}).flat().join(" ") || "That didn't work.");
      confirm.disabled = false;
    }
  });
}

const configElement = document.getElementById("booking-config");
if (configElement) {
  const config = JSON.parse(configElement.textContent);
  if (config.token) reschedule(config);
  else book(config);
}
