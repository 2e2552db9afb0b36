/* The kiosk's touch UI. Polls the local agent; never sees an ID number or a full name.
 * The agent says whether it hears the centre (`blocked: "centre_unreachable"` within
 * seconds of a centre that stopped or froze); then, or when the agent itself does not
 * answer, the banner shows, tickets are refused and the waiting counts are greyed out. */
"use strict";

/* The screen's words, both languages, as the agent's page gives them from the message
 * catalogue (queue_server/wire/words.py): only the codes this script and its page name, and
 * the agent's refusals. A template's {name}s are filled from `params`. */
const WORDS = window.KIOSK_WORDS || { zh: {}, en: {} };

const DEFAULT_LANG = document.body.dataset.lang || "zh";
let lang = DEFAULT_LANG;
let state = null;
let cat = null;
let catVersion = "";
let screen = "home";
let domain = null;
let query = "";
let selected = null; // "service:A101"
let job = null;
let lastTouch = Date.now();
let resultShownAt = 0;
let retryTimer = null;
let jobTimer = null;
let seenCard = null; // the newest card serial this page has seen (null: not polled yet)
let homeCard = null; // {serial, at}: a card tapped on the home screen, kept briefly for the next steps
let tapping = false;
const HOME_CARD_MS = 30000;
/* Check-in (预约签到 / 线上取号签到): the booking's code on the keypad or from a scanner
 * (it types like a keyboard, then Enter), and/or the booker's ID card: a card read while
 * the screen is open checks in at once, with the code if one was typed (the centre then
 * checks they are one person's). The keypad's letters are the codes' own, without
 * look-alikes (engine.booking.CODE_ALPHABET; a test keeps them equal). */
const CODE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY";
const CODE_MAX = 20;
let checkinSeen = 0; // the newest card serial when the check-in screen opened
let checkingIn = false;
let lastWasCheckIn = false; // the refusal or ticket shown answers a check-in

const $ = (id) => document.getElementById(id);
const t = (key, params) => {
  let s = WORDS[lang][key] ?? key;
  for (const [k, v] of Object.entries(params || {})) s = s.split(`{${k}}`).join(v);
  return s;
};
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const setHTML = (id, html) => { const el = $(id); if (el.dataset.html !== html) { el.innerHTML = html; el.dataset.html = html; } };
const nameOf = (o) => (lang === "en" ? o.name_en || o.name : o.name);

/* Every call carries X-Hallqueue-Kiosk: the agent refuses a change without it, and no
 * page of another origin can send it (kiosk/local_guard.py). */
const HEADERS = { "Content-Type": "application/json", "X-Hallqueue-Kiosk": "1" };

async function api(path, options = {}, timeoutMs = 0) {
  const abort = new AbortController();
  const timer = timeoutMs ? setTimeout(() => abort.abort(), timeoutMs) : null;
  const response = await fetch(path, { ...options, headers: HEADERS, signal: abort.signal })
    .finally(() => clearTimeout(timer));
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

function show(name) {
  screen = name;
  for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== `screen-${name}`;
  lastTouch = Date.now();
  window.scrollTo(0, 0);
  renderRules();
}

function translateStatic() {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  $("lang-switch").textContent = t("kiosk_lang_switch");
  $("search").placeholder = t("kiosk_search");
  $("refused-title").textContent = t(lastWasCheckIn ? "kiosk_checkin_refused_title" : "kiosk_refused_title");
  if (cat) $("site-name").textContent = nameOf(cat.site);
}

function blocked() { return state ? state.blocked : "centre_unreachable"; }

function renderBanner() {
  const banner = $("banner");
  const reason = !state ? "loading" : state.blocked;
  document.body.classList.toggle("offline", reason === "loading" || reason === "centre_unreachable");
  if (!reason) { banner.hidden = true; banner.textContent = ""; return; }
  banner.hidden = false;
  banner.className = "banner error";
  banner.id = "banner";
  banner.dataset.reason = reason;
  banner.textContent = t(reason === "loading" ? "kiosk_loading" : reason);
}

function waitText(item) {
  // A window shared with other queues can keep a queue nobody waits in waiting: the band says so.
  const band = item.wait_band;
  if (band && item.estimated_wait_minutes) return t("kiosk_waiting_band", { n: item.waiting, low: band.low, high: band.high });
  return item.waiting ? t("kiosk_waiting", { n: item.waiting, m: item.estimated_wait_minutes }) : t("kiosk_waiting_none");
}

/* What is left of an item's daily cap, or null for an item without one. */
function quotaText(item) {
  const q = item.quota;
  if (!q) return null;
  return q.full ? t("kiosk_quota_full") : t("kiosk_quota_left", { n: q.remaining });
}

function nextIssueText(next) { return next ? t("kiosk_quota_next", { s: next[lang] || next.zh }) : ""; }

function tile(key, extraClass) {
  const item = cat.items[key];
  const disabled = blocked() ? " disabled" : "";
  const full = item.quota && item.quota.full ? " full" : "";
  const quota = quotaText(item);
  return `<button type="button" class="tile ${extraClass}${disabled}${full}" data-key="${esc(key)}">
    <span class="name">${esc(nameOf(item))}</span><span class="wait">${esc(waitText(item))}</span>` +
    (quota ? `<span class="quota">${esc(quota)}</span>` : "") + `</button>`;
}

function oneTapItem() {
  const key = cat && cat.site.elderly_one_tap;
  return key && identification() !== "off" && state && state.id_reader === "ok" ? cat.items[key] : null;
}

function renderHomeNotes() {
  const item = oneTapItem();
  const hint = $("one-tap-hint");
  hint.hidden = !item;
  if (item) hint.textContent = t("kiosk_one_tap_hint", { age: cat.site.elderly_age, item: nameOf(item) });
  const note = $("home-note");
  const card = homeCardFresh() ? state.card : null;
  note.hidden = !card;
  note.textContent = card ? t("kiosk_home_card", { name: card.masked_name }) : "";
}

function renderRules() {
  const rules = cat && screen === "home" ? cat.site.rules[lang] || {} : {};
  $("rules").hidden = !rules.mixing && !rules.no_show;
  $("rule-mixing").textContent = rules.mixing || "";
  $("rule-no-show").textContent = rules.no_show || "";
}

function renderHome() {
  if (!cat) { setHTML("bundles", ""); setHTML("services", `<p>${esc(t("kiosk_loading"))}</p>`); return; }
  renderHomeNotes();
  $("checkin-open").disabled = !!blocked();
  setHTML("bundles", cat.bundles.map((code) => tile(`bundle:${code}`, "bundle")).join(""));
  if (!domain && cat.domains.length) domain = cat.domains[0].code;
  setHTML("domains", cat.domains.map((d) =>
    `<button type="button" data-domain="${esc(d.code)}" class="${!query && d.code === domain ? "active" : ""}">${esc(nameOf(d))}</button>`).join(""));
  let keys;
  if (query) {
    const q = query.toLowerCase();
    keys = Object.keys(cat.items).filter((k) => {
      const it = cat.items[k];
      return it.name.includes(query) || it.initials.includes(q) || (it.name_en || "").toLowerCase().includes(q);
    });
  } else {
    const d = cat.domains.find((x) => x.code === domain);
    keys = d ? d.services.map((c) => `service:${c}`) : [];
  }
  setHTML("services", keys.map((k) => tile(k, "service")).join("") || `<p>${esc(t("kiosk_none"))}</p>`);
}

function renderLetterPad() {
  setHTML("letter-pad", "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").map((c) =>
    `<button type="button" data-letter="${c}">${c}</button>`).join(""));
}

function renderItem() {
  const item = cat && cat.items[selected];
  if (!item) return goHome();
  $("item-name").textContent = nameOf(item);
  const meta = [];
  if (item.department) meta.push(`${t("kiosk_department")}：${item.department}`);
  if (item.counters.length) meta.push(`${t("kiosk_windows")}：${windowText(item)}`);
  if (item.kind === "bundle" && item.services) meta.push(`${t("kiosk_bundle_of")}：${item.services.map(nameOf).join(t("kiosk_list_sep"))}`);
  if (item.description) meta.push(item.description);
  setHTML("item-meta", meta.map((m) => `<div>${esc(m)}</div>`).join(""));
  setHTML("item-conditions", (item.conditions.length ? item.conditions : [t("kiosk_none")]).map((c) => `<li>${esc(c)}</li>`).join(""));
  setHTML("item-materials", (item.materials.length ? item.materials : [t("kiosk_none")]).map((c) => `<li>${esc(c)}</li>`).join(""));
  const facts = [];
  if (item.legal_limit_days) facts.push(`<div class="fact">${esc(t("kiosk_legal", { d: item.legal_limit_days }))}</div>`);
  if (item.issue_window) facts.push(`<div class="fact">${esc(t("kiosk_window_hours", { a: item.issue_window[0], b: item.issue_window[1] }))}</div>`);
  if (item.on_the_spot) facts.push(`<div class="fact">${esc(t("kiosk_on_spot"))}</div>`);
  facts.push(`<div class="fact ${item.commitment_allowed ? "promise" : ""}">${esc(t(item.commitment_allowed ? "kiosk_commitment" : "kiosk_no_commitment"))}</div>`);
  facts.push(`<div class="fact">${esc(nowWaitingText(item))}</div>`);
  const quota = quotaText(item);
  if (quota && !item.quota.full) facts.push(`<div class="fact quota" id="item-remaining">${esc(quota)}</div>`);
  setHTML("item-facts", facts.join(""));
  // A full day is explained here, before anyone taps through to a refusal.
  const full = item.quota && item.quota.full;
  $("item-quota").hidden = !full;
  setHTML("item-quota", full ? `<b>${esc(t("kiosk_quota_full"))}</b><div>${esc(t("kiosk_quota_full_text"))}</div>` +
    (item.quota.next_issue ? `<div id="item-next-issue">${esc(nextIssueText(item.quota.next_issue))}</div>` : "") : "");
  // An ID card is needed (a capped item where the site says so): said here, before anything else.
  const needsCard = !!item.id_required && !full;
  const cannotRead = needsCard && !canReadCards();
  $("item-id-required").hidden = !needsCard;
  $("item-id-required").textContent = needsCard ? t(cannotRead ? "kiosk_id_reader_needed" : "kiosk_id_required_note") : "";
  $("item-take").disabled = !!blocked() || !!full || cannotRead;
}

function canReadCards() { return identification() !== "off" && !!state && state.id_reader === "ok"; }

function selectedNeedsCard() { const item = cat && cat.items[selected]; return !!(item && item.id_required); }

function windowText(item) {
  const ranges = [];
  for (const n of [...item.counters].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last && n === last[1] + 1) last[1] = n; else ranges.push([n, n]);
  }
  return ranges.map(([a, b]) => (a === b ? t("kiosk_window_label", { n: a }) : t("kiosk_window_range", { first: a, last: b })))
    .join(t("kiosk_list_sep"));
}

function identification() { return (state && state.identification) || "off"; }

function renderIdentify() {
  const card = state && state.card;
  const mode = identification();
  $("identify-skip").hidden = mode !== "optional" || selectedNeedsCard();
  const why = mode === "required" ? t("kiosk_identify_required") : selectedNeedsCard() ? t("kiosk_id_required_note") : "";
  $("identify-hint").textContent = why ? `${t("kiosk_identify_hint")}（${why}）` : t("kiosk_identify_hint");
  const box = $("identify-result");
  if (card) {
    box.hidden = false;
    box.innerHTML = `${esc(t("kiosk_identified"))}：<span id="masked-name">${esc(card.masked_name)}</span>` +
      (card.elderly ? `<span class="badge" id="elderly-badge">${esc(t("kiosk_elderly"))}</span>` : "") +
      (card.expired ? `<span class="badge">${esc(t("kiosk_expired"))}</span>` : "");
  } else {
    box.hidden = true;
    box.innerHTML = "";
  }
  $("identify-next").disabled = !card;
}

function renderConfirm() {
  const item = cat && cat.items[selected];
  if (!item) return goHome();
  const card = state && state.card;
  const who = card ? `${esc(card.masked_name)}${card.elderly ? ` <span class="badge">${esc(t("kiosk_elderly"))}</span>` : ""}` : esc(t("kiosk_anonymous"));
  $("confirm-summary").innerHTML =
    `<div>${esc(t("kiosk_item"))}：<b>${esc(nameOf(item))}</b></div>` +
    `<div>${esc(nowWaitingText(item))}</div>` +
    (item.counters.length ? `<div>${esc(t("kiosk_windows"))}：${esc(windowText(item))}</div>` : "") +
    (identification() !== "off" ? `<div>${esc(t("kiosk_person"))}：${who}</div>` : "");
  const helper = cat.site.help_item && cat.items[cat.site.help_item];
  $("help-hint").textContent = helper && helper !== item ? t("kiosk_help_hint_item", { item: nameOf(helper) }) : t("kiosk_help_hint");
  $("confirm-go").disabled = state && state.blocked && state.blocked.startsWith("printer");
}

// The wait as a band (约 15–25 分钟); nobody ahead: next; a centre without bands: one number.
function ticketWaitText(tk) {
  const band = tk.wait_band;
  if (!band) return t("kiosk_wait", { m: tk.estimated_wait_minutes });
  if (!tk.estimated_wait_minutes) return t("kiosk_wait_next");
  return t("kiosk_wait_band", { low: band.low, high: band.high });
}

// The queue now and what a ticket taken now is promised (a band; one number from a
// centre without bands).
function nowWaitingText(item) {
  const band = item.wait_band;
  if (band && item.estimated_wait_minutes) return t("kiosk_now_waiting_band", { n: item.waiting, low: band.low, high: band.high });
  return t("kiosk_now_waiting", { n: item.waiting, m: item.estimated_wait_minutes });
}

function renderResult() {
  if (!job || !job.ticket) return;
  const tk = job.ticket;
  $("result-number").textContent = tk.number;
  $("result-item").textContent = nameOf(job.item);
  const facts = [`<div class="fact">${esc(t("kiosk_ahead", { n: tk.ahead }))}</div>`, `<div class="fact" id="result-wait">${esc(ticketWaitText(tk))}</div>`];
  if (tk.windows && tk.windows.length) facts.push(`<div class="fact">${esc(t("kiosk_window", { w: tk.windows.join(t("kiosk_list_sep")) }))}</div>`);
  if (job.help_for) facts.push(`<div class="fact" id="result-help">${esc(t("kiosk_help_for", { item: nameOf(job.help_for) }))}</div>`);
  if (tk.person) facts.push(`<div class="fact" id="result-person">${esc(tk.person)}</div>`);
  if (tk.priority === "elderly") facts.push(`<div class="fact promise">${esc(t("kiosk_elderly"))}</div>`);
  const booked = tk.appointment;
  if (booked) {
    const said = booked.remote ? "kiosk_checkin_remote" : booked.late ? "kiosk_checkin_late" : "kiosk_checkin_on_time";
    facts.unshift(`<div class="fact ${booked.late ? "warn" : "promise"}" id="result-checkin" data-code="${said}">${esc(t(said))}</div>`);
  }
  setHTML("result-facts", facts.join(""));
  $("result-rule").textContent = tk.no_show_rule || "";
  const line = $("result-print");
  if (job.printed) { line.textContent = t("kiosk_printed"); line.className = "print-line"; line.dataset.state = "printed"; }
  else if (job.printer && !["ok", "near_end"].includes(job.printer)) { line.textContent = t("kiosk_print_owed"); line.className = "print-line warn"; line.dataset.state = "owed"; }
  else { line.textContent = t("kiosk_printing"); line.className = "print-line"; line.dataset.state = "printing"; }
  const left = Math.max(0, Math.ceil(((state ? state.return_seconds : 20) * 1000 - (Date.now() - resultShownAt)) / 1000));
  $("result-done").textContent = t("kiosk_done", { s: left });
}

const cleanCode = (s) => String(s || "").toUpperCase().replace(/[^0-9A-Z]/g, "").slice(0, CODE_MAX);

function renderCodePad() {
  setHTML("code-pad", CODE_ALPHABET.split("").map((c) => `<button type="button" data-code-key="${c}">${c}</button>`).join(""));
}

function renderCheckIn() {
  const card = state && state.card && state.card.serial > checkinSeen ? state.card : null;
  $("checkin-card").hidden = !card;
  $("checkin-card").textContent = card ? t("kiosk_checkin_card", { name: card.masked_name }) : "";
  $("checkin-go").disabled = !!blocked() || checkingIn;
}

function openCheckIn() {
  if (blocked()) return render();
  $("checkin-code").value = "";
  $("checkin-note").hidden = true;
  // A card tapped on the home screen just now checks in at once; an older one is forgotten.
  const fresh = homeCardFresh();
  checkinSeen = fresh ? homeCard.serial - 1 : Math.max(seenCard || 0, (state && state.card && state.card.serial) || 0);
  if (!fresh) api("/api/card/forget", { method: "POST" });
  show("checkin");
  render();
  $("checkin-code").focus();
}

/* A card tapped on the check-in screen checks in at once (with the code typed, if any). */
function watchCheckInCard() {
  const card = state && state.card;
  if (screen !== "checkin" || !card || card.serial <= checkinSeen || checkingIn || blocked()) return;
  checkinSeen = card.serial;
  checkIn(true);
}

async function checkIn(withCard) {
  const code = cleanCode($("checkin-code").value);
  if (!code && !withCard) {
    $("checkin-note").hidden = false;
    $("checkin-note").textContent = t("kiosk_checkin_nothing");
    return;
  }
  checkingIn = true;
  renderCheckIn();
  try {
    const { body } = await api("/api/check-in", { method: "POST", body: JSON.stringify({ code, language: lang, use_card: withCard }) });
    lastWasCheckIn = true;
    handleJob(body);
  } finally {
    checkingIn = false;
  }
}

function render() {
  translateStatic();
  renderBanner();
  renderRules();
  if (screen === "home") renderHome();
  else if (screen === "item") renderItem();
  else if (screen === "identify") renderIdentify();
  else if (screen === "confirm") renderConfirm();
  else if (screen === "result") renderResult();
  else if (screen === "checkin") renderCheckIn();
}

async function poll() {
  try {
    const { body } = await api("/api/state", {}, 2000); // an agent that hangs is no answer
    state = body;
    if (state.catalogue_version && state.catalogue_version !== catVersion) {
      const answer = await api("/api/catalogue");
      if (answer.status === 200) { cat = answer.body; catVersion = cat.version; tick(); }
    }
  } catch (e) {
    state = null; // the agent itself is restarting
  }
  if (watchCard()) return;
  watchCheckInCard();
  if (screen !== "result") render(); else { renderBanner(); }
}

function homeCardFresh() {
  return !!(homeCard && state && state.card && state.card.serial === homeCard.serial && Date.now() - homeCard.at < HOME_CARD_MS);
}

/* A card tapped on the home screen (or on the ticket screen, which is done): an elderly
 * citizen gets the site's one-tap ticket at once; anyone else is asked to choose a
 * service, and the card is kept for that for a short while. Returns true when it acted. */
function watchCard() {
  const card = state && state.card;
  const serial = card ? card.serial : 0;
  if (seenCard === null || (screen !== "home" && screen !== "result") || serial <= seenCard) {
    seenCard = Math.max(seenCard || 0, serial); // a card from before or from another screen
    return false;
  }
  seenCard = serial;
  if (screen === "result") goHome(true);
  if (cat && card.elderly && oneTapItem() && !blocked() && !tapping) { oneTap(serial); return true; }
  homeCard = { serial, at: Date.now() };
  return false;
}

async function oneTap(serial) {
  tapping = true;
  try {
    const { body } = await api("/api/one-tap", { method: "POST", body: JSON.stringify({ serial, language: lang }) });
    homeCard = null;
    handleJob(body);
  } finally {
    tapping = false;
  }
}

function goHome(keepCard = false) {
  if (job && job.state === "issuing") api(`/api/jobs/${job.id}/abandon`, { method: "POST" });
  clearInterval(retryTimer); clearInterval(jobTimer);
  job = null; selected = null; query = ""; $("search").value = ""; $("need-help").checked = false;
  lang = DEFAULT_LANG;
  homeCard = null;
  lastWasCheckIn = false;
  $("checkin-code").value = "";
  if (!keepCard) api("/api/card/forget", { method: "POST" });
  show("home");
  render();
}

function openItem(key) {
  if (!cat || !cat.items[key]) return;
  selected = key;
  show("item");
  render();
}

function startTaking() {
  if (blocked()) return render();
  if (identification() === "off") { show("confirm"); return render(); }
  if (homeCardFresh()) { show("identify"); return render(); } // tapped on the home screen just now
  api("/api/card/forget", { method: "POST" }).then(() => { if (state) state.card = null; show("identify"); render(); });
}

function handleJob(answer) {
  clearInterval(retryTimer); clearInterval(jobTimer);
  job = answer;
  if (answer.state === "printing" || answer.state === "printed") {
    resultShownAt = Date.now();
    show("result");
    renderResult();
    jobTimer = setInterval(followJob, 500);
  } else if (answer.state === "issuing") {
    show("pending");
    render();
    retryTimer = setInterval(retryJob, 2000);
  } else {
    $("screen-refused").classList.toggle("checkin", lastWasCheckIn);
    $("refused-message").textContent = answer.message || t(answer.error || "kiosk_gone");
    $("refused-message").dataset.code = answer.error || "gone";
    const existing = answer.existing && answer.existing.number;
    $("refused-existing").hidden = !existing;
    $("refused-existing").textContent = existing ? t("kiosk_existing", { n: existing }) : "";
    $("refused-next").hidden = !answer.next_issue;
    $("refused-next").textContent = nextIssueText(answer.next_issue);
    show("refused");
    render();
  }
}

async function confirmTicket() {
  const item = cat.items[selected];
  $("confirm-go").disabled = true;
  lastWasCheckIn = false;
  const { body } = await api("/api/tickets", {
    method: "POST",
    body: JSON.stringify({ kind: item.kind, code: item.code, language: lang, help: $("need-help").checked, use_card: identification() !== "off" }),
  });
  $("confirm-go").disabled = false;
  handleJob(body);
}

async function retryJob() {
  if (!job || screen !== "pending") return clearInterval(retryTimer);
  const { body } = await api(`/api/jobs/${job.id}/retry`, { method: "POST" });
  if (body.state !== "issuing") handleJob(body);
}

async function followJob() {
  if (!job || screen !== "result") return clearInterval(jobTimer);
  const { body } = await api(`/api/jobs/${job.id}`);
  if (body.ticket) job = body;
  renderResult();
  if (Date.now() - resultShownAt > (state ? state.return_seconds : 20) * 1000) goHome();
}

function tick() {
  const now = new Date();
  const zone = cat && cat.site.timezone ? { timeZone: cat.site.timezone } : {};
  $("clock").textContent = now.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, ...zone });
  const idle = (state ? state.idle_seconds : 60) * 1000;
  if (screen !== "home" && screen !== "result" && Date.now() - lastTouch > idle) goHome();
  if (screen === "home" && homeCard && !homeCardFresh()) goHome(); // an unused card is forgotten
}

document.addEventListener("pointerdown", () => { lastTouch = Date.now(); }, true);
document.addEventListener("click", (event) => {
  const el = event.target.closest("button");
  if (!el) return;
  if (el.dataset.key) { if (!el.classList.contains("disabled")) openItem(el.dataset.key); return; }
  if (el.dataset.domain) { domain = el.dataset.domain; query = ""; $("search").value = ""; return renderHome(); }
  if (el.dataset.codeKey) {
    const field = $("checkin-code");
    field.value = cleanCode(field.value + el.dataset.codeKey);
    $("checkin-note").hidden = true;
    return field.focus();
  }
  if (el.dataset.letter) { query += el.dataset.letter.toLowerCase(); $("search").value = query; return renderHome(); }
  switch (el.id) {
    case "lang-switch": lang = lang === "zh" ? "en" : "zh"; return render();
    case "search-clear": query = ""; $("search").value = ""; return renderHome();
    case "item-back": case "identify-back": case "pending-home": case "refused-home": return goHome();
    case "item-take": return startTaking();
    case "identify-skip": api("/api/card/forget", { method: "POST" }); if (state) state.card = null; show("confirm"); return render();
    case "identify-next": show("confirm"); return render();
    case "confirm-back": show("item"); return render();
    case "confirm-go": return confirmTicket();
    case "result-done": return goHome();
    case "checkin-open": return openCheckIn();
    case "checkin-back": return goHome();
    case "checkin-delete": $("checkin-code").value = $("checkin-code").value.slice(0, -1); return $("checkin-code").focus();
    case "checkin-go": return checkIn(true);
  }
});
$("search").addEventListener("input", (e) => { query = e.target.value.trim(); renderHome(); });
// Typed or scanned: case, spaces and dashes do not matter; a scanner's Enter checks in.
$("checkin-code").addEventListener("input", (e) => { e.target.value = cleanCode(e.target.value); $("checkin-note").hidden = true; });
// A scanner types wherever the focus is: on this screen, into the code field.
document.addEventListener("keydown", (e) => {
  if (screen === "checkin" && e.target !== $("checkin-code") && e.key.length === 1) $("checkin-code").focus();
}, true);
$("checkin-code").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); if (!checkingIn) checkIn(true); } });

renderLetterPad();
renderCodePad();
render();
poll();
setInterval(poll, 500);
setInterval(tick, 1000);
tick();
