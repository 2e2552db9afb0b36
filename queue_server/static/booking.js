/* The citizens' booking phone page (/book/<site>) and a booking's own page (/book/code/<code>).
 *
 * Booking: an item (those with a slot plan; the page lists them with the days each may be
 * booked for), a day (each day's slots are read at once, so closed days show closed — the
 * centre's calendar decides), a slot (full ones disabled), then who books. The ID number
 * is checked here first (18 characters, GB 11643 check digit, as devices/id_card.py) and
 * a wrong one never reaches the centre. Each attempt carries a request_id made once for
 * its values: a double tap or a retry after a lost answer gets the same booking back,
 * never a second one. The centre's refusals are shown as its message, which is already in
 * the page's language (Accept-Language), next to the field it names.
 *
 * Where the site allows it, "当日线上取号" takes a same-day ticket instead (a remote
 * ticket: called once its citizen checks in at the hall).
 */
(function () {
  "use strict";
  const HQ = window.HQ;
  const $ = (id) => document.getElementById(id);
  const root = $("booking");
  const siteId = root.dataset.site;
  let timezone = root.dataset.timezone || undefined;
  const locale = HQ.lang === "en" ? "en-GB" : "zh-CN";
  const pageState = (window.hallqueueBooking = { requests: 0 });

  // --- shared -----------------------------------------------------------------------

  const nameOf = (entry) => (HQ.lang === "en" && entry.name_en ? entry.name_en : entry.name);

  function problem(text) {
    $("b-problem").textContent = text || "";
    $("b-problem").hidden = !text;
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: timezone });
  }

  /* A local day (YYYY-MM-DD) as people read it: 12月8日 周二 / Tue 8 Dec. */
  function dayText(day) {
    const [y, m, d] = day.split("-").map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.toLocaleDateString(locale, { month: "short", day: "numeric", weekday: "short", timeZone: "UTC" });
  }

  function nextDay(day) {
    const [y, m, d] = day.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  }

  function whenText(appointment) {
    if (!appointment.slot_minutes) return dayText(appointment.day) + " " + clock(appointment.start);
    const end = new Date(Date.parse(appointment.start) + appointment.slot_minutes * 60000).toISOString();
    return dayText(appointment.day) + " " + clock(appointment.start) + "–" + clock(end);
  }

  /* The materials to bring: a service's own, a bundle's those of its services. */
  function materials(detail, appointment) {
    const services = detail.services || [];
    const codes = appointment.service ? [appointment.service] : (detail.bundles.find((b) => b.code === appointment.bundle) || {}).services || [];
    const found = [];
    for (const code of codes) {
      const service = services.find((s) => s.code === code);
      for (const m of (service && service.materials) || []) if (!found.includes(m)) found.push(m);
    }
    return found;
  }

  function itemOf(detail, appointment) {
    const list = appointment.service ? detail.services : detail.bundles;
    return list.find((e) => e.code === (appointment.service || appointment.bundle));
  }

  // --- the booking's card (the answer of a booking, and /book/code/<code>) --------------

  let siteDetail = null;
  async function readSite(id) {
    if (!siteDetail) siteDetail = await HQ.api("/sites/" + encodeURIComponent(id));
    timezone = siteDetail.site.timezone || timezone;
    return siteDetail;
  }

  function showBooking(answer, detail, justBooked) {
    const a = answer.appointment;
    const card = $("b-booking");
    card.hidden = false;
    card.dataset.status = a.status;
    $("b-booking-title").textContent = HQ.t(justBooked ? "book_done" : "book_title");
    $("b-code").textContent = a.code;
    $("b-status").textContent = HQ.t("book_status_" + a.status);
    $("b-status").dataset.status = a.status;
    const item = itemOf(detail, a);
    $("b-item").textContent = item ? nameOf(item) : a.service || a.bundle;
    $("b-when").textContent = whenText(a);
    $("b-person").textContent = a.person || "—";
    $("b-phone-label").hidden = $("b-phone-value").hidden = !a.phone;
    $("b-phone-value").textContent = a.phone || "";
    const open = a.status === "booked" || a.status === "awaiting_arrival";
    $("b-code-hint").hidden = !open;
    const bring = open ? materials(detail, a) : [];
    $("b-material-list").replaceChildren(...bring.map((m) => HQ.el("li", { text: m })));
    $("b-materials").hidden = bring.length === 0;
    if (answer.url) {
      const url = new URL(answer.url, location.href).toString();
      $("b-link").href = url;
      $("b-link").textContent = url;
    }
    $("b-link-row").hidden = !(justBooked && answer.url);
    $("b-ticket-row").hidden = !a.ticket;
    if (a.ticket) $("b-ticket-link").href = "/t/" + encodeURIComponent(a.ticket);
    $("b-cancel-row").hidden = a.status !== "booked";
    $("b-cancel-confirm").hidden = true;
    $("b-cancel").hidden = false;
    showRules(detail, open, a.slot_minutes > 0);
    const again = $("b-again-row");
    if (again) again.hidden = !justBooked;
    cancelling = a.code;
  }

  /* How to check in; the on-time rule only for a booked slot (a remote ticket has none). */
  function showRules(detail, open, slot) {
    const said = (detail.rules && (detail.rules[HQ.lang] || detail.rules.zh)) || {};
    $("b-appointment-rule").textContent = slot ? said.appointment || "" : "";
    $("b-appointment-rule").hidden = !slot;
    $("b-rules").hidden = !open;
  }

  let cancelling = null;
  $("b-cancel").addEventListener("click", () => {
    $("b-cancel").hidden = true;
    $("b-cancel-confirm").hidden = false;
    $("b-cancel-error").textContent = "";
  });
  $("b-cancel-no").addEventListener("click", () => {
    $("b-cancel-confirm").hidden = true;
    $("b-cancel").hidden = false;
  });
  $("b-cancel-yes").addEventListener("click", async () => {
    const yes = $("b-cancel-yes");
    if (yes.disabled) return;
    yes.disabled = true;
    try {
      const answer = await HQ.api("/appointments/" + encodeURIComponent(cancelling) + "/cancel", { method: "POST" });
      showBooking(answer, await readSite(answer.appointment.site), false);
      $("b-booking-title").textContent = HQ.t("book_cancelled");
    } catch (e) {
      $("b-cancel-error").textContent = e.message;
    } finally {
      yes.disabled = false;
    }
  });

  // --- /book/code/<code> ------------------------------------------------------------------

  async function showByCode(code) {
    try {
      const answer = await HQ.api("/appointments/" + encodeURIComponent(code));
      const detail = await readSite(answer.appointment.site);
      $("b-site-name").textContent = nameOf(detail.site);
      showBooking(answer, detail, false);
    } catch (e) {
      problem(e.status ? e.message : HQ.t("book_load_failed"));
    }
  }

  // --- /book/<site>: choosing ---------------------------------------------------------

  const plans = JSON.parse(root.dataset.items || "[]");
  const planOf = (kind, code) => plans.find((p) => p.kind === kind && p.code === code);
  const remoteAllowed = root.dataset.remote === "true";
  const chosen = { mode: "book", kind: null, code: null, day: null, start: null, name: "" };

  function press(list, button) {
    for (const b of list.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
  }

  function reveal(section) {
    section.hidden = false;
    if (section.scrollIntoView) section.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function offered(detail) {
    return [
      ...detail.services.map((s) => ({ kind: "service", code: s.code, entry: s })),
      ...detail.bundles.map((b) => ({ kind: "bundle", code: b.code, entry: b })),
    ];
  }

  function showItems(detail) {
    const list = $("b-item-list");
    const others = $("b-other-list");
    const buttons = [];
    const closed = [];
    for (const item of offered(detail)) {
      const bookable = chosen.mode === "remote" || !!planOf(item.kind, item.code);
      if (!bookable) {
        closed.push(HQ.el("li", { "data-item": item.code }, nameOf(item.entry), " ", HQ.el("span", { class: "b-tag", text: HQ.t("book_not_bookable") })));
        continue;
      }
      const button = HQ.el(
        "button",
        { type: "button", "data-kind": item.kind, "data-item": item.code, "aria-pressed": "false" },
        HQ.el("span", { class: "b-item-name", text: nameOf(item.entry) }),
      );
      button.addEventListener("click", () => chooseItem(item, button));
      buttons.push(button);
    }
    list.replaceChildren(...buttons);
    others.replaceChildren(...closed);
    $("b-other").hidden = closed.length === 0;
    $("b-no-items").hidden = buttons.length > 0;
  }

  function resetAfterItem() {
    chosen.kind = chosen.code = chosen.day = chosen.start = null;
    $("b-days").hidden = $("b-slots").hidden = $("b-form").hidden = true;
  }

  function chooseItem(item, button) {
    press($("b-item-list"), button);
    chosen.kind = item.kind;
    chosen.code = item.code;
    chosen.name = nameOf(item.entry);
    chosen.day = chosen.start = null;
    $("b-slots").hidden = true;
    $("b-form").hidden = true;
    if (chosen.mode === "remote") {
      showForm();
      return;
    }
    showDays(planOf(item.kind, item.code));
  }

  function slotsPath(day) {
    return "/sites/" + encodeURIComponent(siteId) + "/slots?" + chosen.kind + "=" + encodeURIComponent(chosen.code) + "&date=" + day;
  }

  /* The days open to booking, each with its places left; `quiet`: read again in place (after
   * a refusal), keeping the day chosen and not scrolling. */
  let dayRead = 0;
  function showDays(plan, quiet) {
    const mine = ++dayRead;
    const list = $("b-day-list");
    const buttons = [];
    for (let day = plan.first; day <= plan.last; day = nextDay(day)) {
      const pressed = quiet && day === chosen.day;
      const button = HQ.el("button", { type: "button", "data-day": day, "aria-pressed": String(pressed), disabled: true }, HQ.el("span", { text: dayText(day) }), HQ.el("small", { text: "…" }));
      buttons.push(button);
      readSlots(day).then((found) => {
        if (mine !== dayRead) return;
        const open = found && found.some((s) => s.left > 0);
        button.disabled = !open;
        button.classList.toggle("closed", !found || found.length === 0);
        button.lastChild.textContent = !found ? "—" : found.length ? (open ? HQ.t("book_left", { n: found.reduce((n, s) => n + s.left, 0) }) : HQ.t("book_full")) : HQ.t(day === plan.first ? "book_none_today" : "book_closed"); // today's slots may all have begun
        button.onclick = () => chooseDay(day, button, found);
      });
    }
    list.replaceChildren(...buttons);
    if (!quiet) reveal($("b-days"));
  }

  /* A day's slots, or null when they cannot be read. */
  function readSlots(day) {
    return HQ.api(slotsPath(day)).then(
      (answer) => answer.slots,
      () => null,
    );
  }

  async function chooseDay(day, button, known) {
    press($("b-day-list"), button);
    chosen.day = day;
    chosen.start = null;
    $("b-form").hidden = true;
    const fresh = await readSlots(day); // places go while a citizen hesitates
    if (chosen.day === day) showSlots(fresh || known || [], false);
  }

  function showSlots(slots, quiet) {
    const list = $("b-slot-list");
    if (quiet && !slots.some((s) => s.start === chosen.start && s.left > 0)) chosen.start = null;
    list.replaceChildren(
      ...slots.map((slot) => {
        const full = slot.left <= 0;
        const button = HQ.el(
          "button",
          { type: "button", "data-start": slot.start, "aria-pressed": String(!full && slot.start === chosen.start), disabled: full, class: full ? "full" : null },
          HQ.el("span", { text: clock(slot.start) }),
          HQ.el("small", { text: full ? HQ.t("book_full") : HQ.t("book_left", { n: slot.left }) }),
        );
        button.addEventListener("click", () => {
          press(list, button);
          chosen.start = slot.start;
          showForm();
        });
        return button;
      }),
    );
    $("b-no-slots").hidden = slots.length > 0;
    if (!quiet) reveal($("b-slots"));
  }

  /* After the centre refused a slot (full meanwhile, no longer bookable): what is left now. */
  async function readAgain() {
    const plan = planOf(chosen.kind, chosen.code);
    if (!plan) return;
    showDays(plan, true);
    const day = chosen.day;
    const fresh = day && (await readSlots(day));
    if (fresh && chosen.day === day) showSlots(fresh, true);
  }

  function showForm() {
    const remote = chosen.mode === "remote";
    $("b-chosen").textContent = remote ? chosen.name + " · " + HQ.t("book_mode_remote") : chosen.name + " · " + dayText(chosen.day) + " " + clock(chosen.start);
    $("b-submit").textContent = HQ.t(remote ? "book_submit_remote" : "book_submit");
    $("b-form-error").textContent = "";
    reveal($("b-form"));
  }

  function setMode(mode) {
    chosen.mode = mode;
    press($("b-modes"), document.querySelector('#b-modes [data-mode="' + mode + '"]'));
    $("b-remote-intro").hidden = mode !== "remote";
    resetAfterItem();
    if (siteDetail) showItems(siteDetail);
  }
  for (const b of document.querySelectorAll("#b-modes button")) b.addEventListener("click", () => setMode(b.dataset.mode));

  // --- /book/<site>: who books, checked here first ----------------------------------------

  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  /* GB 11643's check character of the first 17 digits (devices/id_card.py id_check_digit). */
  function idCheckDigit(first17) {
    let total = 0;
    for (let i = 0; i < 17; i++) total += Number(first17[i]) * ID_WEIGHTS[i];
    return "10X98765432"[total % 11];
  }
  function validIdNumber(text) {
    return /^\d{17}[\dX]$/.test(text) && idCheckDigit(text.slice(0, 17)) === text[17];
  }

  const FIELDS = { id_number: "b-id-number", name: "b-name", phone: "b-phone" };

  function fieldError(field, text) {
    const box = $(FIELDS[field] + "-error");
    box.textContent = text || "";
    $(FIELDS[field]).setAttribute("aria-invalid", String(!!text));
  }

  function readForm() {
    const values = {
      id_number: $("b-id-number").value.replace(/\s+/g, "").toUpperCase(),
      name: $("b-name").value.trim(),
      phone: $("b-phone").value.replace(/\s+/g, ""),
    };
    const errors = {};
    if (!validIdNumber(values.id_number)) errors.id_number = HQ.t("book_bad_id");
    if (!values.name) errors.name = HQ.t("book_bad_name");
    if (values.phone && !/^1[3-9]\d{9}$/.test(values.phone)) errors.phone = HQ.t("field_phone");
    for (const field of Object.keys(FIELDS)) fieldError(field, errors[field]);
    return Object.keys(errors).length ? null : values;
  }

  /* One request id per attempt: the same values again (a retry, a double tap) reuse it. */
  let attempt = { key: null, id: null };
  function requestId(body) {
    const key = JSON.stringify(body);
    if (attempt.key !== key) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      attempt = { key, id: "page-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") };
    }
    return attempt.id;
  }

  let sending = false;
  async function submit(event) {
    event.preventDefault();
    if (sending) return; // a double tap: the first attempt is under way
    $("b-form-error").textContent = "";
    const values = readForm();
    if (!values) return;
    const remote = chosen.mode === "remote";
    if (!remote && !chosen.start) {
      reveal($("b-slots")); // the slot chosen was taken meanwhile: choose another
      return;
    }
    const body = { [chosen.kind]: chosen.code, id_number: values.id_number, name: values.name };
    if (values.phone) body.phone = values.phone;
    if (!remote) body.start = chosen.start;
    body.request_id = requestId(body);
    sending = true;
    const button = $("b-submit");
    button.disabled = true;
    button.textContent = HQ.t("book_sending");
    pageState.requests += 1;
    const path = "/sites/" + encodeURIComponent(siteId) + (remote ? "/remote-tickets" : "/appointments");
    try {
      const answer = await HQ.api(path, { body });
      $("b-choose").hidden = true;
      $("b-find").hidden = true;
      if (remote) showTicket(answer);
      else showBooking(answer, siteDetail, true);
      window.scrollTo(0, 0);
    } catch (e) {
      const field = /^field_(\w+)$/.exec(e.code || ""); // field_id_number, field_phone
      if (field && FIELDS[field[1]]) fieldError(field[1], e.message);
      else $("b-form-error").textContent = e.status ? e.message : HQ.t("book_load_failed");
      if (!remote && (e.code === "slot_full" || e.code === "not_bookable")) readAgain();
    } finally {
      sending = false;
      button.disabled = false;
      button.textContent = HQ.t(remote ? "book_submit_remote" : "book_submit");
    }
  }

  function showTicket(answer) {
    $("b-ticket").hidden = false;
    $("b-ticket-number").textContent = answer.ticket.number;
    $("b-remote-code").textContent = answer.appointment.code;
    const link = "/t/" + encodeURIComponent(answer.ticket.id) + "#k=" + encodeURIComponent(answer.key || "");
    $("b-remote-link").href = link;
    showRules(siteDetail, true, false);
    $("b-again-row").hidden = false;
  }

  async function start() {
    try {
      const detail = await readSite(siteId);
      showItems(detail);
    } catch (e) {
      problem(e.status ? e.message : HQ.t("book_load_failed"));
    }
  }

  $("lang-switch").addEventListener("click", HQ.switchLang);
  if (root.dataset.code) {
    showByCode(root.dataset.code);
  } else {
    $("b-modes").hidden = !remoteAllowed;
    $("b-form").addEventListener("submit", submit);
    for (const field of Object.keys(FIELDS)) $(FIELDS[field]).addEventListener("input", () => fieldError(field, ""));
    $("b-find").addEventListener("submit", (event) => {
      event.preventDefault();
      const code = $("b-find-code").value.toUpperCase().replace(/[^0-9A-Z]/g, "");
      if (code) location.assign("/book/code/" + encodeURIComponent(code));
    });
    start();
  }
})();
