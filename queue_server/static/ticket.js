/* A ticket's phone page: follows the ticket by push and by polling (no token), alerts the
 * citizen when the ticket is near the front and when it is called, then offers 好差评.
 *
 * Push: a Socket.IO connection with auth {ticket} joins the ticket's room (nothing else is
 * allowed to it) and is answered with the same view the REST read gives; each event of the
 * ticket then comes as `ticket.event` ({type, at, ticket: {id, number, status, counter},
 * counter}), shown at once — "请到 3 号窗口办理" does not wait for a read — and the view is
 * read again over REST once. Events of other tickets are not heard, so the number ahead
 * still comes from reads.
 *
 * Polling is adaptive: every 5 s, every 2 s when 5 or fewer are ahead or the ticket is
 * called (so a recall is heard), slowly after a missed call (staff may put it back in
 * line), not at all while the page is hidden (it reads at once on return). While the push
 * connection is live (joined, and heard from within two heartbeats) only the number ahead
 * needs reads: every 15 s, every 5 s when 5 or fewer are ahead. Without it (blocked by a
 * network, refused, the centre gone) the cadence above comes back at once.
 *
 * Alerts fire once each — "near" when 3 or fewer are ahead, "called" on each call and
 * recall — with a panel, a beep (Web Audio: no file, no network) and a vibration where
 * the browser allows; browsers allow sound only after a tap, hence "开启提醒". Each alert
 * is remembered per ticket (localStorage) so a reload does not ring again, and recorded
 * in window.hallqueueAlerts.
 *
 * When no read has succeeded for a few seconds after one was due (at the polling cadence,
 * push or not) and the push connection is not live either, a banner says the position may
 * be out of date and the position is greyed out until the next good read or join.
 * The push connection is closed once the ticket is done, cancelled or unserved.
 */
(function () {
  "use strict";
  const HQ = window.HQ;
  const $ = (id) => document.getElementById(id);
  const root = $("ticket");
  const id = root.dataset.ticket;
  const path = "/tickets/" + encodeURIComponent(id);

  const POLL_MS = 5000; // far from the front
  const CLOSE_POLL_MS = 2000; // CLOSE_AHEAD or fewer ahead, or called
  const CLOSE_AHEAD = 5;
  const SLOW_POLL_MS = 15000; // missed (过号): it may be put back in line
  const PUSH_POLL_MS = 15000; // push live: reads only for the number ahead
  const PUSH_CLOSE_POLL_MS = 5000; // push live, CLOSE_AHEAD or fewer ahead, or called
  const RETRY_MS = 2000; // after a failed read
  const READ_TIMEOUT_MS = 6000; // a read that hangs (a dead network) counts as failed
  const LOST_AFTER_MS = 3000; // no good read this long after one was due: the banner
  const NEAR_AHEAD = 3;
  const FINAL = ["done", "cancelled", "unserved"];
  const SHOWS_NO_SHOW_RULE = ["waiting", "called", "no_show"];

  const alerts = (window.hallqueueAlerts = window.hallqueueAlerts || []);
  const title = document.title;
  let timer = null;
  let readSeq = 0;
  let stopped = false;
  let ratingShown = false;
  let staleAt = Date.now() + READ_TIMEOUT_MS; // the first read gets as long as a read may take
  let lost = false;
  let lastView = null; // the view on screen (a read's, a join's, or one an event updated)
  let push = null; // {socket, beat} while following by push

  // --- what has already been alerted (per ticket, survives a reload) ------------------

  const memoryKey = "hq-alerted:" + id;
  let alerted = { near: null, called: null };
  try {
    alerted = Object.assign(alerted, JSON.parse(localStorage.getItem(memoryKey) || "{}"));
  } catch (e) {
    /* storage refused (private mode): alerts may repeat after a reload */
  }
  function remember() {
    try {
      localStorage.setItem(memoryKey, JSON.stringify(alerted));
    } catch (e) {
      /* see above */
    }
  }
  // A ticket back in line (transfer, return after a missed call) may be near again.
  const nearKey = (t) => [t.queued_at, t.transfer_count, t.return_count].join("|");
  // Every call and every recall is a new call (a recall moves last_called_at to its own
  // time, which is also the time of its event: a pushed call and the read after it agree).
  const calledKey = (t) => [t.last_called_at || t.called_at, t.counter].join("|");

  // --- sound and vibration ------------------------------------------------------------

  let audio = null;
  function audioContext() {
    if (!audio) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      try {
        audio = new Context();
      } catch (e) {
        return null;
      }
    }
    return audio;
  }

  /* Resolve true when the context runs; browsers keep it suspended until a tap. */
  async function audioRunning() {
    const ctx = audioContext();
    if (!ctx) return false;
    if (ctx.state !== "running") {
      try {
        await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 300))]);
      } catch (e) {
        /* not allowed */
      }
    }
    return ctx.state === "running";
  }

  function tone(ctx, frequency, at, seconds) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.6, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + seconds);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + seconds + 0.05);
  }

  const MELODY = { near: [660, 880], called: [880, 660, 880, 660, 880], test: [880] };
  const BUZZ = { near: [300, 150, 300], called: [500, 200, 500, 200, 500], test: [120] };

  async function beep(kind) {
    if (!(await audioRunning())) return false;
    try {
      let at = audio.currentTime + 0.02;
      for (const frequency of MELODY[kind]) {
        tone(audio, frequency, at, 0.2);
        at += 0.28;
      }
      return true;
    } catch (e) {
      return false; // an audio device that went away: the panel and vibration still tell
    }
  }

  function vibrate(kind) {
    if (typeof navigator.vibrate !== "function") return false;
    try {
      return navigator.vibrate(BUZZ[kind]) === true;
    } catch (e) {
      return false;
    }
  }

  const setup = $("alerts-setup");
  async function enableAlerts() {
    const sound = await beep("test");
    const buzz = vibrate("test");
    setup.classList.add("on");
    $("alerts-note").textContent = HQ.t(sound ? "phone_alerts_on" : "phone_alerts_no_sound");
    setup.dataset.sound = String(sound);
    setup.dataset.vibrate = String(buzz);
  }
  $("alerts-enable").addEventListener("click", enableAlerts);
  // Any tap lets the browser start sound later; take it quietly.
  document.addEventListener("pointerdown", () => audioRunning(), { once: true });

  // --- alerts -------------------------------------------------------------------------

  const panel = $("t-alert");
  function showPanel(kind, text) {
    panel.hidden = false;
    panel.dataset.kind = kind;
    $("t-alert-text").textContent = text;
    document.title = text + " · " + root.dataset.number;
  }
  function hidePanel() {
    panel.hidden = true;
    delete panel.dataset.kind;
    document.title = title;
  }

  async function alertOnce(kind, view) {
    const t = view.ticket;
    panel.classList.remove("flash");
    void panel.offsetWidth; // restart the animation
    panel.classList.add("flash");
    const buzz = vibrate(kind);
    const sound = await beep(kind);
    alerts.push({
      kind,
      ahead: kind === "near" ? view.ahead : 0,
      counter: kind === "called" ? t.counter : null,
      recall: t.recall_count || 0,
      sound,
      vibrate: buzz,
      at: new Date().toISOString(),
    });
  }

  function nearText(ahead) {
    return ahead > 0 ? HQ.t("phone_near", { n: ahead }) : HQ.t("phone_next");
  }

  function checkAlerts(view) {
    const t = view.ticket;
    if (t.status === "waiting" && typeof view.ahead === "number" && view.ahead <= NEAR_AHEAD) {
      showPanel("near", nearText(view.ahead));
      if (alerted.near !== nearKey(t)) {
        alerted.near = nearKey(t);
        remember();
        alertOnce("near", view);
      }
    } else if (t.status === "called") {
      showPanel("called", HQ.t(t.recall_count > 0 ? "phone_recalled" : "go_to_window", { n: t.counter }));
      if (alerted.called !== calledKey(t)) {
        alerted.called = calledKey(t);
        remember();
        alertOnce("called", view);
      }
    } else {
      hidePanel();
    }
  }

  // --- showing the ticket -------------------------------------------------------------

  function showText(node, text) {
    node.textContent = text || "";
    node.hidden = !text;
  }

  function quotaText(quota) {
    if (!quota || typeof quota !== "object" || typeof quota.remaining !== "number") return "";
    let text = HQ.t("phone_quota", { n: quota.remaining });
    if (quota.remaining <= 0 && quota.next_issue_at) {
      text += " · " + HQ.t("phone_quota_next", { time: clock(new Date(quota.next_issue_at), true) });
    }
    return text;
  }

  /* A time of day in the site's time zone; with the day for times not today. */
  function clock(date, withDay) {
    const locale = HQ.lang === "en" ? "en-GB" : "zh-CN";
    const options = { hour12: false, timeZone: root.dataset.timezone || undefined };
    if (!withDay) return date.toLocaleTimeString(locale, options);
    Object.assign(options, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
    return date.toLocaleString(locale, options);
  }

  // The wait as a band (约 15–25 分钟); nobody ahead: next. A centre without bands: one number.
  function waitText(view) {
    const band = view.wait_band;
    if (!band) return HQ.t("estimated", { n: view.estimated_wait_minutes });
    if (!view.estimated_wait_minutes) return HQ.t("estimated_next");
    return HQ.t("estimated_band", { low: band.low, high: band.high });
  }

  function render(view) {
    const t = view.ticket;
    const status = $("t-status");
    status.dataset.status = t.status;
    let text = HQ.t("status_" + t.status);
    let detail = "";
    if (t.status === "waiting" && t.arrival === "expected") {
      // A remote ticket keeps its place but is called only once its citizen checks in.
      text = HQ.t("ticket_check_in_first");
      detail = HQ.t("ahead", { n: view.ahead });
    } else if (t.status === "waiting") {
      detail = HQ.t("ahead", { n: view.ahead }) + " · " + waitText(view);
    } else if (t.status === "called") {
      text = HQ.t("go_to_window", { n: t.counter });
    } else if (t.status === "serving") {
      text = HQ.t("being_served", { n: t.counter });
    }
    status.textContent = text;
    $("t-detail").textContent = detail;
    const rules = view.rules && typeof view.rules === "object" ? view.rules : {};
    showText($("t-rule"), SHOWS_NO_SHOW_RULE.includes(t.status) ? rules.no_show : "");
    showText($("t-quota"), FINAL.includes(t.status) ? "" : quotaText(view.quota));
    $("t-mixing").textContent = rules.mixing || "";
    $("t-rules").hidden = !rules.mixing;
    setup.hidden = !["waiting", "called"].includes(t.status);
    $("t-updated").textContent = clock(new Date(), false);
    checkAlerts(view);
  }

  // --- connection ---------------------------------------------------------------------

  function setLost(on) {
    if (lost === on) return;
    lost = on;
    $("t-offline").hidden = !on;
    root.classList.toggle("stale", on);
  }

  const pushLive = () => !!(push && push.beat.live);

  setInterval(() => {
    // A live push connection vouches for the page as reads do: heard from within two beats.
    if (pushLive()) staleAt = Math.max(staleAt, push.beat.lastHeard + HQ.staleMs);
    if (!stopped && !document.hidden && Date.now() > staleAt) setLost(true);
  }, 500);

  /* How soon to read again when nothing is pushed: today's polling. */
  function pollCadence(view) {
    const status = view.ticket.status;
    if (status === "called") return CLOSE_POLL_MS;
    if (status === "waiting") return view.ahead <= CLOSE_AHEAD ? CLOSE_POLL_MS : POLL_MS;
    if (status === "no_show") return SLOW_POLL_MS;
    return POLL_MS;
  }

  function cadence(view) {
    if (!pushLive()) return pollCadence(view);
    const status = view.ticket.status;
    const close = status === "called" || (status === "waiting" && view.ahead <= CLOSE_AHEAD);
    return close ? PUSH_CLOSE_POLL_MS : PUSH_POLL_MS;
  }

  function withTimeout(promise, ms) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("timeout")), ms);
      promise.then(
        (value) => {
          clearTimeout(t);
          resolve(value);
        },
        (error) => {
          clearTimeout(t);
          reject(error);
        },
      );
    });
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = stopped ? null : setTimeout(poll, ms);
  }

  async function poll() {
    clearTimeout(timer);
    timer = null;
    if (stopped || document.hidden) return; // hidden: read again on return
    const mine = ++readSeq;
    let view;
    try {
      view = await withTimeout(HQ.api(path), READ_TIMEOUT_MS);
    } catch (e) {
      if (mine !== readSeq) return; // a newer read is under way
      if (e && e.status === 404) {
        stop();
        setLost(false);
        $("t-status").textContent = HQ.t("ticket_not_found");
        return;
      }
      schedule(RETRY_MS);
      return;
    }
    if (mine !== readSeq) return;
    show(view);
  }

  /* A fresh view (a read's or a join's): on screen, and the next read planned. */
  function show(view) {
    lastView = view;
    // A read vouches for the page as long as polling alone would: with push, the next read
    // is later, but the banner must not be.
    staleAt = Date.now() + pollCadence(view) + LOST_AFTER_MS;
    setLost(false);
    render(view);
    if (view.ticket.status === "done") showRatingOnce();
    if (view.ticket.status === "done" && view.ticket.bundle) showStagesOnce();
    if (FINAL.includes(view.ticket.status)) {
      stop();
      return;
    }
    schedule(cadence(view));
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    timer = null;
    if (push) {
      push.beat.stop();
      push.socket.disconnect();
      push = null;
      root.dataset.push = "stopped";
    }
  }

  // --- push: the ticket's room --------------------------------------------------------

  /* An event of this ticket: its status at once (and its alert), then the full view read. */
  function onTicketEvent(event) {
    if (stopped || !event || !event.ticket || event.ticket.id !== id || !lastView) return;
    const status = event.ticket.status;
    // Back in line (a transfer, a return): only a read knows the place, so just read.
    if (status !== "waiting") {
      const t = Object.assign({}, lastView.ticket, { status, counter: event.ticket.counter });
      if (event.type === "ticket.called") Object.assign(t, { last_called_at: event.at, recall_count: 0 });
      if (event.type === "ticket.recalled") {
        Object.assign(t, { last_called_at: event.at, recall_count: (lastView.ticket.recall_count || 0) + 1 });
      }
      lastView = Object.assign({}, lastView, { ticket: t, ahead: 0 });
      render(lastView);
    }
    poll();
  }

  /* Join the ticket's room (one join at a time; a lost answer is given up after a while). */
  function join() {
    const joining = push;
    if (!joining) return Promise.resolve();
    if (!joining.pending) {
      joining.pending = new Promise((resolve) => {
        joining.socket.timeout(READ_TIMEOUT_MS).emit("join", { ticket: id }, (error, ack) => {
          joining.pending = null;
          if (!error && push === joining && !stopped && ack && ack.ok && ack.view) {
            joining.beat.markLive(); // first: the next read is planned at the push cadence
            readSeq++; // newer than any read under way
            show(ack.view);
          }
          resolve();
        });
      });
    }
    return joining.pending;
  }

  function follow() {
    if (typeof window.io !== "function") return; // no Socket.IO client: polling alone
    const socket = window.io({
      auth: { ticket: id, lang: HQ.lang },
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      randomizationFactor: 0.5,
      timeout: 4000,
    });
    // Refused (too many followers, a centre restarting) or dropped by the centre: try again
    // now and then, gently — the page polls meanwhile.
    socket.on("connect_error", () => {
      if (!socket.active) setTimeout(() => push && push.socket === socket && socket.connect(), 10000 + Math.random() * 5000);
    });
    socket.on("disconnect", (reason) => {
      if (reason === "io server disconnect") setTimeout(() => push && push.socket === socket && socket.connect(), 2000);
    });
    const beat = HQ.heartbeat(socket, {
      onChange: (live) => {
        root.dataset.push = live ? "live" : "off";
        // Push lost: back to today's polling at once, not after a slow read's wait.
        if (!live && !stopped && push && push.beat === beat) poll();
      },
      onHeardAgain: () => join(), // heard after a silence: the view again, then live
    });
    push = { socket, beat, pending: null };
    root.dataset.push = "off";
    socket.on("connect", join);
    socket.on("ticket.event", onTicketEvent);
  }

  function resume() {
    if (stopped || document.hidden) return;
    // What was true before the page was hidden is shown as such only once a read fails.
    staleAt = Math.max(staleAt, Date.now() + LOST_AFTER_MS);
    poll();
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else {
      resume();
    }
  });
  window.addEventListener("online", resume);
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) resume();
  });

  // --- 好差评 -------------------------------------------------------------------------

  // The printed QR carries the key to rate in the fragment (#k=…), which the browser never
  // sends in a request: kept for this tab, so a reload or a language switch keeps it.
  const keyMemory = "hq-key:" + id;
  let ratingKey = new URLSearchParams(location.hash.slice(1)).get("k");
  try {
    if (ratingKey) sessionStorage.setItem(keyMemory, ratingKey);
    else ratingKey = sessionStorage.getItem(keyMemory);
  } catch (e) {
    /* storage refused: the key lives as long as the page's address keeps it */
  }

  function showRating(rating) {
    $("rate").hidden = !!rating || !ratingKey;
    $("rate-needs-key").hidden = !!rating || !!ratingKey;
    $("rated").hidden = !rating;
    if (rating) $("rated-text").textContent = HQ.t("rated_thanks", { name: HQ.lang === "en" ? rating.name_en : rating.name });
  }

  async function showRatingOnce() {
    if (ratingShown) return;
    ratingShown = true;
    try {
      showRating((await HQ.api(path + "/rating")).rating);
    } catch (e) {
      ratingShown = false; // try again on the next read or return
      stopped = false;
      schedule(RETRY_MS);
    }
  }

  // A 差评 (不满意, 非常不满意) names its reason from the national list before it is sent.
  let badLevel = null;
  async function sendRating(body) {
    $("rate-error").textContent = "";
    try {
      const r = await HQ.api(path + "/rating", { body: { ...body, key: ratingKey } });
      showRating(r.rating);
    } catch (e) {
      if (e.code === "already_rated") showRating((await HQ.api(path + "/rating")).rating);
      else $("rate-error").textContent = e.message;
    }
  }

  // A “一件事” ticket: each stage (item, window) rated on its own, beside the whole.
  let stagesShown = false;
  function showStages(data) {
    const card = $("stages-rate");
    card.hidden = !data.stages.length;
    const name = (x) => (HQ.lang === "en" && x.name_en ? x.name_en : x.name);
    $("stage-list").replaceChildren(
      ...data.stages.map((s) =>
        HQ.el(
          "li",
          { "data-service": s.service },
          HQ.el("span", { class: "t-stage-name", text: name(s) + " · " + HQ.t("window_n", { n: s.counter }) }),
          s.rating
            ? HQ.el("span", { class: "t-stage-rated", text: HQ.t("rate_" + s.rating) })
            : ratingKey
              ? HQ.el(
                  "span",
                  { class: "levels t-stage-levels" },
                  ...[5, 4, 3, 2, 1].map((level) =>
                    HQ.el("button", { type: "button", "data-level": level, text: HQ.t("rate_" + level), onclick: () => rateStage(s.service, level) })
                  )
                )
              : null
        )
      )
    );
  }

  async function rateStage(service, level) {
    $("stage-error").textContent = "";
    try {
      showStages(await HQ.api(path + "/stages/" + encodeURIComponent(service) + "/rating", { body: { level, key: ratingKey } }));
    } catch (e) {
      $("stage-error").textContent = e.message;
      if (e.code === "stage_already_rated") showStages(await HQ.api(path + "/stages"));
    }
  }

  async function showStagesOnce() {
    if (stagesShown) return;
    stagesShown = true;
    try {
      showStages(await HQ.api(path + "/stages"));
    } catch (e) {
      stagesShown = false; // read again with the next poll
    }
  }

  for (const b of document.querySelectorAll("#levels button")) {
    b.addEventListener("click", () => {
      const level = Number(b.dataset.level);
      for (const other of document.querySelectorAll("#levels button")) other.classList.toggle("chosen", other === b);
      badLevel = level <= 2 ? level : null;
      $("reason-box").hidden = badLevel === null;
      $("rate-error").textContent = "";
      if (badLevel === null) sendRating({ level });
    });
  }
  $("reason-send").addEventListener("click", () => {
    const chosen = document.querySelector('#reason-box input[name="reason"]:checked');
    const note = $("reason-note").value.trim();
    const body = { level: badLevel };
    if (chosen) body.reason = chosen.value; // none: the centre says a reason is needed
    if (note) body.note = note;
    sendRating(body);
  });
  $("lang-switch").addEventListener("click", HQ.switchLang);
  poll();
  follow();
})();
