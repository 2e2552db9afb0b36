/* The kiosk's touch UI. Polls the local agent; never sees an ID number or a full name.
 * The agent says whether it hears the centre (`blocked: "centre_unreachable"` within
 * seconds of a centre that stopped or froze); then, or when the agent itself does not
 * answer, the banner shows, tickets are refused and the waiting counts are greyed out. */
"use strict";

const T = {
  zh: {
    lang_switch: "English", bundles: "“一件事”套餐 · 一次办好", clear: "清除", search: "搜索事项：输入汉字或拼音首字母",
    all: "全部", results: "搜索结果", waiting: (n, m) => (n ? `等候 ${n} 人 · 约 ${m} 分钟` : "等候 0 人 · 无需等候"),
    conditions: "办理条件", materials: "所需材料", none: "无", back: "返回", take: "取号", next: "下一步",
    skip: "不刷卡，直接取号", home: "返回首页", department: "办理部门", windows: "办理窗口",
    legal: (d) => `法定时限 ${d} 个工作日`, window_hours: (a, b) => `取号时间 ${a}–${b}`, on_spot: "即办件：当场办结", commitment: "可实行告知承诺制（部分证明以书面承诺代替）",
    no_commitment: "不适用告知承诺制", bundle_of: "包含事项", now_waiting: (n, m) => `当前等候 ${n} 人，预计约 ${m} 分钟`,
    identify_title: "请刷身份证", identify_hint: "请将身份证放在下方读卡区，读取后即可取号",
    identify_required: "本大厅取号需刷身份证", identified: "已识别", elderly: "老年人优先",
    expired: "证件已过期", confirm_title: "请确认取号", item: "事项", person: "身份", anonymous: "未刷卡",
    need_help: "我需要工作人员帮办协助", confirm: "确认取号", your_number: "您的号码",
    ahead: (n) => `前面还有 ${n} 人`, wait: (m) => `预计等候约 ${m} 分钟`, window: (w) => `请到${w}窗口`,
    printing: "正在打印号票…", printed: "请取走号票，留意叫号", done: (s) => `完成（${s} 秒后返回首页）`,
    print_owed: "打印机暂时无法出票：请记下您的号码，号票将在恢复后补打，或到服务台咨询",
    pending_title: "暂时无法连接服务中心",
    pending_text: "尚未为您取号。正在自动重试，连接恢复后会立即为您出号；您也可以到服务台取号。",
    refused_title: "暂时不能取号",
    printer_out: "打印机缺纸，暂停取号，请到服务台取号", printer_cover_open: "打印机仓盖未关，暂停取号，请到服务台取号",
    printer_offline: "打印机故障，暂停取号，请到服务台取号", printer_near_end: "",
    centre_unreachable: "暂时无法连接服务中心，正在重连… 暂停取号，请到服务台咨询；等候人数可能不是最新",
    card_required: "本大厅取号需刷身份证，请刷卡后再试", unknown_item: "该事项暂不可取号，请返回重选",
    gone: "本次取号已取消，请重新操作", owed: (n) => `有 ${n} 张号票待补打`,
    loading: "正在连接服务中心…",
    quota_left: (n) => `今日剩余 ${n} 个`, quota_full: "今日号源已取完", quota_next: (s) => `下次取号时间：${s}`,
    quota_full_text: "该事项今天的号已经取完，今天不能再取号。", rules_title: "叫号规则：",
    one_tap_hint: (age, item) => `${age} 岁及以上老人：直接刷身份证即可取号（${item}），不用选择`,
    home_card: (name) => `已读取身份证（${name}），请选择要办理的事项`,
    existing: (n) => `您已取的号：${n}`,
    one_tap_off: "请先选择要办理的事项", not_elderly: "请先选择要办理的事项", card_gone: "请重新刷身份证",
    help_hint: (item) => (item ? `将为您取“${item}”的号，到帮代办窗口由工作人员协助办理（不会因此提前叫号）` : "工作人员叫到您的号时会协助办理（不会因此提前叫号）"),
    help_for: (item) => `帮办事项：${item}`,
    id_required_note: "该事项每日限量、每人限取，须刷身份证取号",
    id_reader_needed: "该事项须刷身份证取号，本机暂不能读取身份证，请到服务台取号",
    id_required_for_capped: "该事项每日限量、每人限取，须刷身份证取号",
  },
  en: {
    lang_switch: "中文", bundles: "One-thing packages · all in one visit", clear: "Clear", search: "Search: Chinese or pinyin initials",
    all: "All", results: "Search results", waiting: (n, m) => (n ? `${n} waiting · about ${m} min` : "0 waiting · no wait"),
    conditions: "Conditions", materials: "Materials to bring", none: "None", back: "Back", take: "Take a ticket", next: "Next",
    skip: "Continue without ID card", home: "Home", department: "Department", windows: "Windows",
    legal: (d) => `Legal time limit: ${d} working day(s)`, window_hours: (a, b) => `Tickets ${a}–${b}`, on_spot: "Completed on the spot", commitment: "Signed commitment can replace some proofs (告知承诺)",
    no_commitment: "No commitment option", bundle_of: "Includes", now_waiting: (n, m) => `${n} waiting now, about ${m} min`,
    identify_title: "Please tap your ID card", identify_hint: "Place your ID card on the reader below",
    identify_required: "An ID card is required here", identified: "Identified", elderly: "Senior priority",
    expired: "Card expired", confirm_title: "Please confirm", item: "Service", person: "Identity", anonymous: "No ID card",
    need_help: "I need help from staff", confirm: "Confirm", your_number: "Your number",
    ahead: (n) => `${n} ahead of you`, wait: (m) => `About ${m} min`, window: (w) => `Window ${w}`,
    printing: "Printing your ticket…", printed: "Please take your ticket", done: (s) => `Done (home in ${s} s)`,
    print_owed: "The printer cannot print now: please note your number; the ticket will print when it is back, or ask at the service desk",
    pending_title: "Cannot reach the service centre",
    pending_text: "No ticket has been issued yet. Retrying automatically; you can also ask at the service desk.",
    refused_title: "No ticket now",
    printer_out: "Printer out of paper: please ask at the service desk", printer_cover_open: "Printer cover open: please ask at the service desk",
    printer_offline: "Printer not working: please ask at the service desk", printer_near_end: "",
    centre_unreachable: "Cannot reach the service centre, reconnecting… No tickets now, please ask at the service desk; waiting counts may be out of date",
    card_required: "An ID card is required to take a ticket here", unknown_item: "This service cannot be taken now",
    gone: "This request was cancelled; please start again", owed: (n) => `${n} ticket(s) waiting to print`,
    loading: "Connecting to the service centre…",
    quota_left: (n) => `${n} left today`, quota_full: "Today's tickets are all taken", quota_next: (s) => `Next tickets from ${s}`,
    quota_full_text: "All of today's tickets for this service have been taken.", rules_title: "How numbers are called: ",
    one_tap_hint: (age, item) => `Aged ${age} or over? Just tap your ID card for a ticket (${item}), no menus`,
    home_card: (name) => `ID card read (${name}): please choose a service`,
    existing: (n) => `Your ticket: ${n}`,
    one_tap_off: "Please choose a service first", not_elderly: "Please choose a service first", card_gone: "Please tap your ID card again",
    help_hint: (item) => (item ? `You get a ticket for “${item}”: staff at the assisted window help you (this does not move you up the line)` : "Staff help you when your number is called (this does not move you up the line)"),
    help_for: (item) => `Help with: ${item}`,
    id_required_note: "Limited per day and per person: this service needs your ID card",
    id_reader_needed: "This service needs your ID card and this kiosk cannot read cards now: please ask at the service desk",
    id_required_for_capped: "Limited per day and per person: this service needs your ID card",
  },
};

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

const $ = (id) => document.getElementById(id);
const t = (key, ...args) => { const v = T[lang][key]; return typeof v === "function" ? v(...args) : (v ?? key); };
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
  $("lang-switch").textContent = t("lang_switch");
  $("search").placeholder = t("search");
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
  banner.textContent = t(reason);
}

function waitText(item) { return t("waiting", item.waiting, item.estimated_wait_minutes); }

/* What is left of an item's daily cap, or null for an item without one. */
function quotaText(item) {
  const q = item.quota;
  if (!q) return null;
  return q.full ? t("quota_full") : t("quota_left", q.remaining);
}

function nextIssueText(next) { return next ? t("quota_next", next[lang] || next.zh) : ""; }

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
  if (item) hint.textContent = t("one_tap_hint", cat.site.elderly_age, nameOf(item));
  const note = $("home-note");
  const card = homeCardFresh() ? state.card : null;
  note.hidden = !card;
  note.textContent = card ? t("home_card", card.masked_name) : "";
}

function renderRules() {
  const rules = cat && screen === "home" ? cat.site.rules[lang] || {} : {};
  $("rules").hidden = !rules.mixing && !rules.no_show;
  $("rule-mixing").textContent = rules.mixing || "";
  $("rule-no-show").textContent = rules.no_show || "";
}

function renderHome() {
  if (!cat) { setHTML("bundles", ""); setHTML("services", `<p>${esc(t("loading"))}</p>`); return; }
  renderHomeNotes();
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
  setHTML("services", keys.map((k) => tile(k, "service")).join("") || `<p>${esc(t("none"))}</p>`);
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
  if (item.department) meta.push(`${t("department")}：${item.department}`);
  if (item.counters.length) meta.push(`${t("windows")}：${windowText(item)}`);
  if (item.kind === "bundle" && item.services) meta.push(`${t("bundle_of")}：${item.services.map(nameOf).join("、")}`);
  if (item.description) meta.push(item.description);
  setHTML("item-meta", meta.map((m) => `<div>${esc(m)}</div>`).join(""));
  setHTML("item-conditions", (item.conditions.length ? item.conditions : [t("none")]).map((c) => `<li>${esc(c)}</li>`).join(""));
  setHTML("item-materials", (item.materials.length ? item.materials : [t("none")]).map((c) => `<li>${esc(c)}</li>`).join(""));
  const facts = [];
  if (item.legal_limit_days) facts.push(`<div class="fact">${esc(t("legal", item.legal_limit_days))}</div>`);
  if (item.issue_window) facts.push(`<div class="fact">${esc(t("window_hours", item.issue_window[0], item.issue_window[1]))}</div>`);
  if (item.on_the_spot) facts.push(`<div class="fact">${esc(t("on_spot"))}</div>`);
  facts.push(`<div class="fact ${item.commitment_allowed ? "promise" : ""}">${esc(t(item.commitment_allowed ? "commitment" : "no_commitment"))}</div>`);
  facts.push(`<div class="fact">${esc(t("now_waiting", item.waiting, item.estimated_wait_minutes))}</div>`);
  const quota = quotaText(item);
  if (quota && !item.quota.full) facts.push(`<div class="fact quota" id="item-remaining">${esc(quota)}</div>`);
  setHTML("item-facts", facts.join(""));
  // A full day is explained here, before anyone taps through to a refusal.
  const full = item.quota && item.quota.full;
  $("item-quota").hidden = !full;
  setHTML("item-quota", full ? `<b>${esc(t("quota_full"))}</b><div>${esc(t("quota_full_text"))}</div>` +
    (item.quota.next_issue ? `<div id="item-next-issue">${esc(nextIssueText(item.quota.next_issue))}</div>` : "") : "");
  // An ID card is needed (a capped item where the site says so): said here, before anything else.
  const needsCard = !!item.id_required && !full;
  const cannotRead = needsCard && !canReadCards();
  $("item-id-required").hidden = !needsCard;
  $("item-id-required").textContent = needsCard ? t(cannotRead ? "id_reader_needed" : "id_required_note") : "";
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
  const suffix = lang === "en" ? "" : "号";
  return ranges.map(([a, b]) => (a === b ? `${a}${suffix}` : `${a}–${b}${suffix}`)).join(lang === "en" ? ", " : "、");
}

function identification() { return (state && state.identification) || "off"; }

function renderIdentify() {
  const card = state && state.card;
  const mode = identification();
  $("identify-skip").hidden = mode !== "optional" || selectedNeedsCard();
  const why = mode === "required" ? t("identify_required") : selectedNeedsCard() ? t("id_required_note") : "";
  $("identify-hint").textContent = why ? `${t("identify_hint")}（${why}）` : t("identify_hint");
  const box = $("identify-result");
  if (card) {
    box.hidden = false;
    box.innerHTML = `${esc(t("identified"))}：<span id="masked-name">${esc(card.masked_name)}</span>` +
      (card.elderly ? `<span class="badge" id="elderly-badge">${esc(t("elderly"))}</span>` : "") +
      (card.expired ? `<span class="badge">${esc(t("expired"))}</span>` : "");
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
  const who = card ? `${esc(card.masked_name)}${card.elderly ? ` <span class="badge">${esc(t("elderly"))}</span>` : ""}` : esc(t("anonymous"));
  $("confirm-summary").innerHTML =
    `<div>${esc(t("item"))}：<b>${esc(nameOf(item))}</b></div>` +
    `<div>${esc(t("now_waiting", item.waiting, item.estimated_wait_minutes))}</div>` +
    (item.counters.length ? `<div>${esc(t("windows"))}：${esc(windowText(item))}</div>` : "") +
    (identification() !== "off" ? `<div>${esc(t("person"))}：${who}</div>` : "");
  const helper = cat.site.help_item && cat.items[cat.site.help_item];
  $("help-hint").textContent = t("help_hint", helper && helper !== item ? nameOf(helper) : "");
  $("confirm-go").disabled = state && state.blocked && state.blocked.startsWith("printer");
}

function renderResult() {
  if (!job || !job.ticket) return;
  const tk = job.ticket;
  $("result-number").textContent = tk.number;
  $("result-item").textContent = nameOf(job.item);
  const facts = [`<div class="fact">${esc(t("ahead", tk.ahead))}</div>`, `<div class="fact">${esc(t("wait", tk.estimated_wait_minutes))}</div>`];
  if (tk.windows && tk.windows.length) facts.push(`<div class="fact">${esc(t("window", tk.windows.join(lang === "en" ? ", " : "、")))}</div>`);
  if (job.help_for) facts.push(`<div class="fact" id="result-help">${esc(t("help_for", nameOf(job.help_for)))}</div>`);
  if (tk.person) facts.push(`<div class="fact" id="result-person">${esc(tk.person)}</div>`);
  if (tk.priority === "elderly") facts.push(`<div class="fact promise">${esc(t("elderly"))}</div>`);
  setHTML("result-facts", facts.join(""));
  $("result-rule").textContent = tk.no_show_rule || "";
  const line = $("result-print");
  if (job.printed) { line.textContent = t("printed"); line.className = "print-line"; line.dataset.state = "printed"; }
  else if (job.printer && !["ok", "near_end"].includes(job.printer)) { line.textContent = t("print_owed"); line.className = "print-line warn"; line.dataset.state = "owed"; }
  else { line.textContent = t("printing"); line.className = "print-line"; line.dataset.state = "printing"; }
  const left = Math.max(0, Math.ceil(((state ? state.return_seconds : 20) * 1000 - (Date.now() - resultShownAt)) / 1000));
  $("result-done").textContent = t("done", left);
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
    $("refused-message").textContent = answer.message || t(answer.error || "gone");
    $("refused-message").dataset.code = answer.error || "gone";
    const existing = answer.existing && answer.existing.number;
    $("refused-existing").hidden = !existing;
    $("refused-existing").textContent = existing ? t("existing", existing) : "";
    $("refused-next").hidden = !answer.next_issue;
    $("refused-next").textContent = nextIssueText(answer.next_issue);
    show("refused");
    render();
  }
}

async function confirmTicket() {
  const item = cat.items[selected];
  $("confirm-go").disabled = true;
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
  }
});
$("search").addEventListener("input", (e) => { query = e.target.value.trim(); renderHome(); });

renderLetterPad();
render();
poll();
setInterval(poll, 500);
setInterval(tick, 1000);
tick();
