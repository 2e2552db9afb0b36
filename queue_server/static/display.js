/* The hall display: follows the site's events, shows the board, announces each call.
 *
 * A call is highlighted (class `flash`, on its row and in the recent list) from the
 * moment it arrives until its announcement, repeats included, has ended and then for
 * LINGER_MS more — and for at least FLASH_MS in all; the call being spoken right now
 * also has class `speaking`. While the centre is not heard from, the body has class
 * `offline`: the banner shows and the board is greyed out.
 */
(function () {
  "use strict";
  const HQ = window.HQ;
  const root = document.getElementById("display");
  const site = root.dataset.site;
  const layout = root.dataset.layout;
  const token = new URL(location.href).searchParams.get("token") || "";
  const FLASH_MS = 10000;
  const LINGER_MS = 3000;
  const ANNOUNCE_MISSED_WITHIN_MS = 60000;
  const MAX_NOW = layout === "small" ? 3 : 6;
  const MAX_RECENT = layout === "small" ? 4 : 10;
  const MAX_WAITING = layout === "small" ? 4 : 12;

  const flashUntil = new Map(); // ticket id → time (ms) until which its call flashes
  const unspoken = new Map(); // ticket id → announcements of it queued or being spoken
  const announcer = new HQ.Announcer(
    {},
    {
      onStart: () => paint(),
      onEnd: (record) => {
        const left = (unspoken.get(record.ticket) || 1) - 1;
        if (left > 0) unspoken.set(record.ticket, left);
        else unspoken.delete(record.ticket);
        flashUntil.set(record.ticket, Math.max(flashUntil.get(record.ticket) || 0, Date.now() + LINGER_MS));
        paint();
      },
    }
  );
  let timezone = root.dataset.timezone || "Asia/Shanghai";
  let follower = null;
  window.hallqueueDisplay = { lastRender: null, renders: 0, announcer };

  const $ = (id) => document.getElementById(id);
  const windowName = (n) => HQ.t("window_n", { n });
  const highlighted = (id) => unspoken.has(id) || (flashUntil.get(id) || 0) > Date.now();
  const speaking = (id) => !!announcer.current && announcer.current.ticket === id;

  /* Highlights follow the announcements, not only the renders. */
  function paint() {
    for (const el of document.querySelectorAll("#now-calling .call-row, #recent li")) {
      const id = el.dataset.ticket;
      el.classList.toggle("flash", highlighted(id));
      el.classList.toggle("speaking", speaking(id));
    }
  }

  function render(snap) {
    announcer.configure(snap.site);
    timezone = snap.site.timezone || timezone;
    $("site-name").textContent = HQ.lang === "en" && snap.site.name_en ? snap.site.name_en : snap.site.name;
    const notice = HQ.lang === "en" && snap.site.notice_en ? snap.site.notice_en : snap.site.notice;
    $("notice").textContent = notice || "";
    $("notice-bar").hidden = !notice;

    const newest = snap.recent_calls.length ? snap.recent_calls[0] : null;
    const offset = follower ? follower.clockOffset() : 0;
    if (newest && !flashUntil.has(newest.ticket)) {
      const age = Date.now() + offset - Date.parse(newest.at);
      if (age < FLASH_MS) flashUntil.set(newest.ticket, Date.now() + FLASH_MS - age);
    }
    const calling = snap.counters
      .filter((c) => c.ticket)
      .sort((a, b) => String(b.ticket.called_at).localeCompare(String(a.ticket.called_at)));
    if (newest) {
      const i = calling.findIndex((c) => c.ticket.id === newest.ticket);
      if (i > 0) calling.unshift(calling.splice(i, 1)[0]);
    }
    const now = $("now-calling");
    now.replaceChildren(
      ...calling.slice(0, MAX_NOW).map((c, index) =>
        HQ.el(
          "div",
          {
            class: "call-row" + (index === 0 ? " newest" : "") + (c.state === "paused" ? " paused" : ""),
            "data-ticket": c.ticket.id,
            "data-number": c.ticket.number,
            "data-counter": c.number,
            "data-status": c.ticket.status,
          },
          HQ.el("span", { class: "call-number", text: c.ticket.number }),
          HQ.el("span", { class: "call-arrow", text: "→" }),
          HQ.el("span", { class: "call-window", text: windowName(c.number) }),
          HQ.el("span", {
            class: "call-tag",
            text: c.state === "paused" ? HQ.t("state_paused") : c.ticket.status === "serving" ? HQ.t("status_serving") : c.name,
          })
        )
      )
    );
    if (!calling.length) now.append(HQ.el("div", { class: "call-empty", text: HQ.t("no_calls") }));

    // A recall repeats a call: the list shows each ticket once, at its latest call.
    const seen = new Set();
    const recent = snap.recent_calls.filter((r) => !seen.has(r.ticket) && seen.add(r.ticket));
    $("recent").replaceChildren(
      ...recent.slice(0, MAX_RECENT).map((r) =>
        HQ.el(
          "li",
          { "data-ticket": r.ticket, "data-number": r.number, "data-counter": r.counter },
          HQ.el("span", { class: "recent-number", text: r.number }),
          HQ.el("span", { class: "recent-arrow", text: "→" }),
          HQ.el("span", { class: "recent-window", text: windowName(r.counter) })
        )
      )
    );

    $("waiting").replaceChildren(
      ...snap.waiting.slice(0, MAX_WAITING).map((w) =>
        HQ.el(
          "li",
          {},
          HQ.el("span", { class: "waiting-name", text: (w.prefix ? w.prefix + " " : "") + (HQ.lang === "en" && w.name_en ? w.name_en : w.name) }),
          HQ.el("span", { class: "waiting-count", text: w.waiting })
        )
      )
    );
    $("waiting-total").textContent = HQ.t("waiting_total", { n: snap.waiting_total });

    // The calling rule in one sentence, and what is left today of items with a daily cap.
    const rules = (snap.rules || {})[HQ.lang] || {};
    $("rule").textContent = rules.mixing ? rules.mixing + " " + (rules.no_show || "") : "";
    const quotas = snap.quotas || [];
    $("quotas-box").hidden = !quotas.length;
    $("quotas").replaceChildren(
      ...quotas.map((q) =>
        HQ.el(
          "li",
          { "data-item": q.service || q.bundle, "data-remaining": q.remaining },
          HQ.el("span", { class: "waiting-name", text: (q.prefix ? q.prefix + " " : "") + (HQ.lang === "en" && q.name_en ? q.name_en : q.name) }),
          HQ.el("span", { class: "waiting-count", text: q.remaining > 0 ? q.remaining + " / " + q.cap : HQ.t("quota_full") })
        )
      )
    );

    const paused = snap.counters.filter((c) => c.state === "paused");
    $("paused").replaceChildren(
      ...paused.map((c) =>
        HQ.el(
          "span",
          { class: "paused-chip", "data-counter": c.number },
          windowName(c.number) + " " + HQ.t("state_paused") + (c.pause_reason ? "（" + c.pause_reason + "）" : "")
        )
      )
    );
    $("paused-bar").hidden = !paused.length;

    paint();
    root.dataset.lastSeq = snap.last_seq;
    window.hallqueueDisplay.lastRender = snap;
    window.hallqueueDisplay.renders += 1;
  }

  /* A call is shown the moment its event arrives, from the event itself (it carries the
   * ticket and the counter after the change), so the row is up before the chime ends.
   * Until a board that includes it has been read, every board shown gets it added: a
   * read that started before the call must not take it off the screen again. */
  const newerCalls = []; // call events newer than the board last read

  function applyCall(snap, event) {
    const counter = snap.counters.find((c) => c.number === event.counter.number);
    if (counter) {
      counter.state = event.counter.state || counter.state;
      counter.ticket = {
        id: event.ticket.id,
        number: event.ticket.number,
        status: event.ticket.status,
        called_at: event.ticket.called_at || event.at,
      };
    }
    snap.recent_calls.unshift({
      seq: event.seq,
      type: event.type,
      at: event.at,
      number: event.ticket.number,
      ticket: event.ticket.id,
      counter: event.counter.number,
      counter_name: event.counter.name,
    });
  }

  /* What HQ.follow renders: the board read, plus the calls it does not have yet. */
  function show(snap) {
    for (let i = newerCalls.length - 1; i >= 0; i--) if (newerCalls[i].seq <= snap.last_seq) newerCalls.splice(i, 1);
    for (const event of newerCalls) applyCall(snap, event);
    render(snap);
  }

  function showCall(event) {
    newerCalls.push(event);
    const snap = window.hallqueueDisplay.lastRender;
    if (!snap) return;
    applyCall(snap, event);
    render(snap);
  }

  function onEvent(event, info) {
    if (event.type !== "ticket.called" && event.type !== "ticket.recalled") return;
    if (!event.ticket || !event.counter) return;
    const age = Date.now() + info.clockOffset - Date.parse(event.at);
    const announce = !info.replayed || age <= ANNOUNCE_MISSED_WITHIN_MS; // else long gone
    if (announce) {
      flashUntil.set(event.ticket.id, Date.now() + FLASH_MS);
      unspoken.set(event.ticket.id, (unspoken.get(event.ticket.id) || 0) + 1);
    }
    if (!info.replayed) showCall(event);
    if (!announce) return;
    announcer.announce({
      ticket: event.ticket.id,
      number: event.ticket.number,
      counter: event.counter.number,
      counterName: event.counter.name,
      kind: event.type === "ticket.recalled" ? "recall" : "call",
      seq: event.seq,
    });
  }

  function setStatus(status) {
    document.body.classList.toggle("offline", status !== "online");
    $("conn").dataset.state = status;
    $("conn").title = HQ.t(status);
    reportHealth();
  }

  /* The page's health to its centre (POST /devices/status, with a display's own token):
   * at start (once the browser has had a moment to load its voices), on every change and
   * every REPORT_MS — the heartbeat by which the centre tells a display that went dark.
   * A report that fails is tried again RETRY_MS later. */
  const REPORTS = root.dataset.reportsHealth === "1";
  const REPORT_MS = Number(root.dataset.reportMs) || 60000;
  const RETRY_MS = 5000;
  const FIRST_REPORT_MS = 1500;
  const health = (window.hallqueueDisplay.health = { reported: null, reports: 0, started: false });

  function healthNow() {
    return {
      connected: $("conn").dataset.state === "online" ? "yes" : "no",
      voice: announcer.voiceState(),
    };
  }

  async function reportHealth() {
    if (!REPORTS || !health.started || health.sending) return;
    const now = healthNow();
    const same = health.reported && JSON.stringify(now) === JSON.stringify(health.reported);
    const due = Date.now() - (health.at || 0) >= (health.failed ? RETRY_MS : REPORT_MS);
    if (same && !due) return;
    if (health.failed && !due) return;
    health.sending = true;
    try {
      await HQ.api("/devices/status", { token, body: now });
      health.reported = now;
      health.failed = false;
      health.reports += 1;
    } catch (e) {
      health.failed = true; // the centre is away: its panel will see the silence
    } finally {
      health.at = Date.now();
      health.sending = false;
    }
  }

  if (REPORTS) {
    if (window.speechSynthesis && "onvoiceschanged" in window.speechSynthesis) {
      window.speechSynthesis.addEventListener("voiceschanged", () => reportHealth());
    }
    setTimeout(() => {
      health.started = true;
      reportHealth();
    }, FIRST_REPORT_MS);
    setInterval(reportHealth, 1000); // a change (voice failing) is seen within a second
  }

  function tick() {
    const now = new Date(Date.now() + (follower ? follower.clockOffset() : 0));
    const locale = HQ.lang === "en" ? "en-GB" : "zh-CN";
    try {
      $("clock").textContent = now.toLocaleTimeString(locale, { timeZone: timezone, hour12: false });
      $("date").textContent = now.toLocaleDateString(locale, {
        timeZone: timezone,
        year: "numeric",
        month: "long",
        day: "numeric",
        weekday: "long",
      });
    } catch (e) {
      $("clock").textContent = now.toLocaleTimeString();
    }
    for (const [id, until] of flashUntil) if (until <= Date.now() && !unspoken.has(id)) flashUntil.delete(id);
    paint(); // flashing ends on its own time, not only at the next event
  }

  const unlock = $("sound");
  function checkSound() {
    unlock.hidden = !announcer.soundBlocked();
  }
  unlock.addEventListener("click", () => {
    announcer.unlock();
    setTimeout(checkSound, 300);
  });
  document.getElementById("lang-switch").addEventListener("click", HQ.switchLang);

  follower = HQ.follow({
    token,
    site,
    snapshot: () => HQ.api("/sites/" + encodeURIComponent(site) + "/board", { token }),
    render: show,
    onEvent,
    onStatus: setStatus,
    minInterval: 300,
  });
  window.hallqueueDisplay.follower = follower;
  follower.refresh(); // the board even before the socket is up
  setStatus("offline");
  tick();
  setInterval(tick, 1000);
  checkSound();
  setInterval(checkSound, 5000);
})();
