/* The managers' live dashboard and city view.
 *
 * One Socket.IO connection for every site in scope. On each (re)connect the page reads
 * the whole state once (GET /manage/live), then joins each site's room with `since` =
 * that site's last seq, and from then on applies events: each carries the ticket and
 * the counter as they are after the change, so nothing is read again. While a site's
 * join is unanswered its live events are held; its backlog (`catch_up` pages) and the
 * held events are then applied together in seq order (queue_server/catch_up.py). An
 * event that skips a seq (or starts a new local day), or a backlog too long to replay
 * (`complete: false`), makes the page read everything again; a join refused as too
 * frequent is sent again after its `retry_after`.
 * The only timed work is local: durations move on, and once a minute the device list
 * is re-read, because a device's heartbeat (or its silence) is not an event; between
 * reads a device silent past its `silent_after_seconds` is flagged here.
 * While the centre is not heard from (HQ.heartbeat: no ping for two ping intervals, or
 * no connection) the banner shows and the figures are greyed out; when it is heard
 * again the page reads everything again before it says it is live.
 */
(function () {
  "use strict";
  const HQ = window.HQ;
  const M = HQ.manage;
  const $ = (id) => document.getElementById(id);
  const PRINTER_ALERTS = ["near_end", "out", "cover_open", "offline"];
  const BUS_DEVICES = ["sign", "evaluator"]; // on a sign agent's RS-485 bus
  const TICK_MS = 10000;
  const DEVICES_MS = 15000; // devices' heartbeats and edge centres' links: read, not pushed

  const state = {
    sites: new Map(), // id → live site (waiting and counters as Maps)
    order: [], // site ids in tree order
    items: {},
    offlineAfter: 180,
    clockOffset: 0,
    socket: null,
    beat: null,
    syncing: false,
    buffer: [],
    joining: new Map(), // site id → {backlog, held} while its join is unanswered
    resyncTimer: null,
    timers: [],
  };
  const hook = (window.hallqueueManage = { renders: 0, events: 0, syncs: 0, gaps: 0, state, readDevices: () => readDevices() });

  const now = () => Date.now() + state.clockOffset;
  const minutesSince = (iso) => (iso ? Math.max(0, (now() - Date.parse(iso)) / 60000) : null);
  const fmtMin = (m) => (m === null || m === undefined ? "—" : HQ.t("for_minutes", { n: Math.floor(m) }));

  // --- the state -------------------------------------------------------------------

  function brief(t) {
    return {
      id: t.id,
      number: t.number,
      status: t.status,
      service: t.service,
      bundle: t.bundle,
      priority: t.priority,
      issued_at: t.issued_at,
      called_at: t.called_at,
      started_at: t.started_at,
      target_counter: t.target_counter,
    };
  }
  const queueKey = (t) => (t.service ? "S:" + t.service : "B:" + t.bundle);

  function load(snapshot) {
    state.clockOffset = Date.parse(snapshot.server_time) - Date.now();
    state.items = snapshot.items;
    state.offlineAfter = snapshot.offline_after_seconds;
    state.sites = new Map();
    for (const s of snapshot.sites) {
      state.sites.set(s.site.id, {
        site: s.site,
        target: s.target_wait_minutes,
        day: s.day,
        offered: s.offered,
        seq: s.last_seq,
        today: s.today,
        devices: s.devices,
        edge: s.edge || null,
        waiting: new Map(s.waiting.map((t) => [t.id, t])),
        counters: new Map(s.counters.map((c) => [c.number, c])),
      });
    }
    state.order = M.tree(snapshot.sites.map((s) => s.site));
    fillFilter();
  }

  function resyncSoon() {
    if (state.resyncTimer) return;
    state.resyncTimer = setTimeout(() => {
      state.resyncTimer = null;
      resync();
    }, 200);
  }

  function apply(ev) {
    const s = state.sites.get(ev.site);
    if (!s || typeof ev.seq !== "number" || ev.seq <= s.seq) return;
    if (ev.seq > s.seq + 1 || (ev.ticket && ev.ticket.day > s.day)) {
      if (ev.seq > s.seq + 1) hook.gaps += 1;
      resyncSoon(); // a gap, or a new local day: read everything again
      return;
    }
    s.seq = ev.seq;
    hook.events += 1;
    const t = ev.ticket;
    if (t) {
      if (t.status === "waiting") s.waiting.set(t.id, brief(t));
      else s.waiting.delete(t.id);
      if (ev.type === "ticket.issued") {
        s.today.issued += 1;
        s.today.channels[t.channel] = (s.today.channels[t.channel] || 0) + 1;
        // A ticket of the appointment channel is a booking checked in.
        if (t.channel === "appointment") {
          s.today.bookings.checked_in += 1;
          s.today.bookings.booked = Math.max(0, s.today.bookings.booked - 1);
        }
      }
      else if (ev.type === "ticket.finished") s.today.done += 1;
      else if (ev.type === "ticket.no_show") s.today.no_show += 1;
    }
    const c = ev.counter;
    if (c) {
      const prev = s.counters.get(c.number) || {};
      const entry = Object.assign({}, prev, c);
      if (c.current_ticket) {
        if (t && t.id === c.current_ticket) entry.ticket = brief(t);
        else if (!(prev.ticket && prev.ticket.id === c.current_ticket)) entry.ticket = { id: c.current_ticket, number: "…" };
        entry.idle_since = null;
      } else {
        entry.ticket = null;
        const wasIdle = prev.state === "open" && !prev.current_ticket;
        entry.idle_since = c.state === "open" ? (wasIdle && prev.idle_since ? prev.idle_since : ev.at) : null;
      }
      s.counters.set(c.number, entry);
    }
    if (ev.type === "device.status" && ev.data && ev.data.device) {
      const d = ev.data;
      const found = s.devices.find((x) => x.id === d.device);
      const device = found || { id: d.device, kind: d.kind, name: d.name || "" };
      device.status = d.status || {};
      device.last_seen = ev.at;
      if (!found) s.devices.push(device);
    }
    render();
  }

  function onEvent(name, payload) {
    if (!payload) return;
    if (name === "catch_up") {
      const joining = state.joining.get(payload.site);
      if (joining && Array.isArray(payload.events)) joining.backlog.push(...payload.events);
      return;
    }
    if (typeof payload.seq !== "number") return;
    const joining = state.joining.get(payload.site);
    if (state.syncing) state.buffer.push(payload);
    else if (joining) joining.held.push(payload);
    else apply(payload);
  }

  /* Join a site's room from the seq shown; answered, apply its backlog and what was held. */
  function join(id, joinings, joining) {
    joining.backlog = [];
    state.socket.emit("join", { site: id, since: state.sites.get(id).seq }, (ack) => {
      if (state.joining !== joinings || joinings.get(id) !== joining) return; // resynced since
      if (ack && ack.error === "too_many_joins") {
        const wait = Math.max(1, Number(ack.retry_after) || 1) * (1 + Math.random() / 2);
        setTimeout(() => state.joining === joinings && state.socket && join(id, joinings, joining), wait * 1000);
        return;
      }
      if (ack && ack.ok && !ack.complete) {
        resyncSoon(); // too much missed to replay: read everything again (still holding)
        return;
      }
      joinings.delete(id);
      if (!ack || !ack.ok) console.warn("join", id, ack);
      for (const ev of joining.backlog.concat(joining.held).sort((a, b) => a.seq - b.seq)) apply(ev);
    });
  }

  async function resync() {
    if (state.syncing) return;
    state.syncing = true;
    state.buffer = [];
    state.joining = new Map();
    try {
      load(await M.api("/manage/live"));
      hook.syncs += 1;
    } catch (e) {
      state.syncing = false;
      if (!M.failed(e) && state.socket) setTimeout(resync, 2000);
      return;
    }
    state.syncing = false;
    if (!state.socket) return; // logged out meanwhile
    const joinings = state.joining;
    for (const id of state.sites.keys()) joinings.set(id, { backlog: [], held: [] });
    const buffered = state.buffer;
    state.buffer = [];
    for (const ev of buffered) onEvent(ev.type, ev); // held with their site's join
    for (const [id, joining] of joinings) join(id, joinings, joining);
    render();
    if (state.beat) state.beat.markLive(); // everything shown was read just now
  }

  async function readDevices() {
    try {
      const r = await M.api("/manage/devices");
      state.clockOffset = Date.parse(r.server_time) - Date.now();
      for (const [id, devices] of Object.entries(r.sites)) {
        const s = state.sites.get(id);
        if (s) s.devices = devices;
      }
      for (const s of state.sites.values()) s.edge = (r.edges || {})[s.site.id] || null;
      render();
    } catch (e) {
      M.failed(e);
    }
  }

  // --- figures ---------------------------------------------------------------------

  /* The rules of queue_server/monitoring/device_health.py, applied between reads: a device
   * heard from once and silent past its kind's interval, then what it reported. */
  function alertsOf(d) {
    const alerts = [];
    const status = d.status || {};
    const limit = d.silent_after_seconds || (d.kind === "kiosk" ? state.offlineAfter : null);
    if (limit && d.last_seen && now() - Date.parse(d.last_seen) > limit * 1000) alerts.push(d.kind + "_offline");
    if (PRINTER_ALERTS.includes(status.printer)) alerts.push("printer_" + status.printer);
    if (status.id_reader === "absent") alerts.push("id_reader_absent");
    if (status.connected === "no") alerts.push("live_feed_lost");
    if (status.voice === "none" || status.voice === "failed") alerts.push("voice_" + status.voice);
    for (const part of BUS_DEVICES) {
      if (status[part] === "not_answering" || status[part] === "disconnected") alerts.push(part + "_" + status[part]);
    }
    return alerts;
  }

  /* "⚠ alert · device" (an edge centre with what it still had to send at its last contact). */
  function alertText(a) {
    const d = a.device;
    const backlog = d.kind === "edge" && d.backlog ? " · " + HQ.t("edge_backlog_then", { n: d.backlog }) : "";
    return "⚠ " + HQ.t("alert_" + a.alert) + " · " + (d.name || HQ.t("kind_" + d.kind)) + backlog;
  }

  function figures(s) {
    const perQueue = new Map();
    let oldest = null;
    for (const t of s.waiting.values()) {
      const key = queueKey(t);
      const q = perQueue.get(key) || { key, waiting: 0, oldest: null };
      q.waiting += 1;
      if (!q.oldest || t.issued_at < q.oldest) q.oldest = t.issued_at;
      perQueue.set(key, q);
      if (!oldest || t.issued_at < oldest) oldest = t.issued_at;
    }
    const longest = minutesSince(oldest);
    const counters = [...s.counters.values()];
    const alerts = s.devices.flatMap((d) => alertsOf(d).map((a) => ({ device: d, alert: a })));
    return {
      waiting: s.waiting.size,
      queues: [...perQueue.values()].sort((a, b) => b.waiting - a.waiting || (a.oldest < b.oldest ? -1 : 1)),
      longest,
      over: longest !== null && longest > s.target,
      open: counters.filter((c) => c.state === "open").length,
      counters: counters.length,
      alerts,
    };
  }

  // --- rendering -------------------------------------------------------------------

  let pending = false;
  function render() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  }

  function draw() {
    const city = location.hash === "#city";
    $("view-sites").hidden = city;
    $("view-city").hidden = !city;
    if (city) drawCity();
    else drawSites();
    $("updated").textContent = HQ.t("updated") + " " + new Date(now()).toLocaleTimeString(HQ.lang === "en" ? "en-GB" : "zh-CN");
    hook.renders += 1;
  }

  function fillFilter() {
    const select = $("site-filter");
    const chosen = select.value;
    select.replaceChildren(
      HQ.el("option", { value: "", text: HQ.t("all_sites") }),
      ...state.order.map((n) => HQ.el("option", { value: n.site.id, text: "\u3000".repeat(n.depth) + M.siteName(n.site) }))
    );
    if (state.sites.has(chosen)) select.value = chosen;
  }

  function counterTile(c, tz) {
    const t = c.ticket;
    let detail;
    if (t) {
      const since = t.status === "serving" ? t.started_at : t.called_at;
      detail = [
        HQ.el("span", { class: "num", text: t.number }),
        HQ.el("span", { class: "tstatus", text: HQ.t("status_" + t.status) }),
        HQ.el("span", { class: "dur", text: fmtMin(minutesSince(since)) }),
      ];
    } else if (c.state === "open") {
      detail = [HQ.el("span", { class: "idle", text: HQ.t("idle_since", { t: M.clock(c.idle_since || c.state_since, tz) }) }), HQ.el("span", { class: "dur", text: fmtMin(minutesSince(c.idle_since || c.state_since)) })];
    } else if (c.state === "paused") {
      detail = [HQ.el("span", { class: "reason", text: c.pause_reason || "" }), HQ.el("span", { class: "dur", text: HQ.t("since_time", { t: M.clock(c.state_since, tz) }) })];
    } else {
      detail = [];
    }
    return HQ.el(
      "li",
      { class: "counter", "data-counter": c.number, "data-state": c.state, "data-busy": t ? "1" : null },
      HQ.el("div", { class: "ctop" }, HQ.el("b", { text: HQ.t("window_n", { n: c.number }) }), HQ.el("span", { class: "state", "data-state": c.state, text: HQ.t("state_" + c.state) })),
      HQ.el("div", { class: "cname", text: c.name }),
      HQ.el("div", { class: "cdetail" }, detail),
      c.clerk ? HQ.el("div", { class: "clerk", text: c.clerk }) : null
    );
  }

  /* A site its edge centre runs: live, or offline since when with what waits, its clock
     and (at the station) how old its copy of the city's configuration is. */
  function edgeLine(s) {
    const e = s.edge;
    if (!e) return null;
    const time = (iso) => (iso ? new Date(iso).toLocaleTimeString(HQ.lang === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" }) : "—");
    const parts = [];
    if (!e.serving && !e.returning) parts.push(HQ.t("edge_standby", { name: e.name }));
    else if (e.returning) parts.push(HQ.t("edge_returning", { name: e.name }));
    else if (e.online) parts.push(HQ.t(e.side === "station" ? "edge_station_online" : "edge_online", { name: e.name, at: time(e.last_contact) }));
    else parts.push(HQ.t(e.side === "station" ? "edge_station_offline" : "edge_offline", { name: e.name, since: time(e.last_contact) }));
    if (e.backlog) parts.push(HQ.t(e.side === "station" || e.online ? "edge_backlog" : "edge_backlog_then", { n: e.backlog }));
    if (e.clock_warning) parts.push(HQ.t("edge_clock_off", { seconds: Math.round(e.clock_offset_seconds) }));
    if (e.side === "station" && e.config_at) parts.push(HQ.t("edge_config_at", { minutes: Math.max(0, Math.round((now() - Date.parse(e.config_at)) / 60000)) }));
    return HQ.el("div", { class: "edge " + (e.online ? "online" : "offline"), "data-edge": e.online ? "online" : "offline" }, parts.join(" · "));
  }

  function siteCard(s) {
    const f = figures(s);
    const queues = f.queues.length
      ? HQ.el(
          "table",
          { class: "grid queues" },
          HQ.el("thead", {}, HQ.el("tr", {}, HQ.el("th", { text: HQ.t("item") }), HQ.el("th", { class: "n", text: HQ.t("waiting") }), HQ.el("th", { class: "n", text: HQ.t("longest_wait") }))),
          HQ.el(
            "tbody",
            {},
            f.queues.map((q) => {
              const m = minutesSince(q.oldest);
              return HQ.el(
                "tr",
                { "data-queue": q.key, class: m > s.target ? "over" : null },
                HQ.el("td", { text: (state.items[q.key] ? state.items[q.key].prefix + " · " : "") + M.itemName(state.items, q.key) }),
                HQ.el("td", { class: "n", text: q.waiting }),
                HQ.el("td", { class: "n", text: fmtMin(m) })
              );
            })
          )
        )
      : HQ.el("p", { class: "m-muted", text: HQ.t("nobody_waits") });
    const okDevices = s.devices.filter((d) => alertsOf(d).length === 0).length;
    const devices = HQ.el(
      "div",
      { class: "devices" },
      f.alerts.map((a) =>
        HQ.el("span", { class: "alert", "data-alert": a.alert, "data-device": a.device.id }, alertText(a))
      ),
      s.devices.length ? HQ.el("span", { class: "ok", text: HQ.t("devices_ok", { n: okDevices }) }) : null
    );
    return HQ.el(
      "article",
      { class: "card site" + (f.over ? " over" : ""), "data-site": s.site.id },
      HQ.el(
        "header",
        {},
        HQ.el("h3", {}, M.siteName(s.site), HQ.el("small", { text: HQ.t("site_kind_" + s.site.kind) })),
        HQ.el(
          "div",
          { class: "m-figures small" },
          figure(HQ.t("waiting_now"), f.waiting, "waiting"),
          figure(HQ.t("longest_wait"), fmtMin(f.longest), "longest", f.over ? "over" : null, HQ.t("target_wait") + " " + s.target + " " + HQ.t("minutes")),
          figure(HQ.t("open_counters"), f.open + " / " + f.counters, "open"),
          figure(HQ.t("issued_today"), s.today.issued, "issued"),
          figure(HQ.t("done_today"), s.today.done, "done"),
          bookingsFigure(s.today.bookings)
        )
      ),
      channelLine(s.today.channels),
      edgeLine(s),
      devices,
      HQ.el("div", { class: "site-body" }, HQ.el("div", { class: "site-queues" }, HQ.el("h4", { text: HQ.t("services_waiting") }), queues), HQ.el("div", { class: "site-counters" }, HQ.el("h4", { text: HQ.t("windows") }), HQ.el("ul", { class: "counters" }, [...s.counters.values()].map((c) => counterTile(c, s.site.timezone)))))
    );
  }

  /* Today's bookings: all that still count (to come, checked in, no-shows), and each part. */
  function bookingsFigure(b) {
    const total = b.booked + b.checked_in + b.no_show;
    return figure(HQ.t("today_bookings"), total, "bookings", null, HQ.t("today_bookings_detail", b));
  }

  /* Today's tickets by channel, largest share first. */
  function channelLine(channels) {
    const total = Object.values(channels).reduce((a, b) => a + b, 0);
    if (!total) return null;
    const parts = Object.entries(channels)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => HQ.el("span", { "data-channel": c, text: HQ.t("channel_" + c) + " " + Math.round((n * 100) / total) + "%" }));
    return HQ.el("p", { class: "m-channels", "data-channels": "" }, HQ.el("strong", { text: HQ.t("today_channels") }), ...parts);
  }

  function figure(label, value, name, cls, note) {
    return HQ.el("div", { class: "figure" + (cls ? " " + cls : ""), "data-figure": name }, HQ.el("span", { class: "label", text: label }), HQ.el("span", { class: "value", text: value }), note ? HQ.el("span", { class: "note", text: note }) : null);
  }

  function drawSites() {
    const only = $("site-filter").value;
    const cards = state.order.filter((n) => !only || n.site.id === only).map((n) => siteCard(state.sites.get(n.site.id)));
    $("sites").replaceChildren(...cards);
  }

  function drawCity() {
    const own = new Map();
    for (const [id, s] of state.sites) own.set(id, figures(s));
    const byId = new Map(state.order.map((n) => [n.site.id, n]));
    const rolled = new Map();
    const roll = (id) => {
      if (rolled.has(id)) return rolled.get(id);
      const f = own.get(id);
      const sum = { waiting: f.waiting, longest: f.longest, overBelow: 0, open: f.open, counters: f.counters, alerts: f.alerts.length, issued: state.sites.get(id).today.issued, done: state.sites.get(id).today.done };
      for (const child of byId.get(id).children) {
        const c = roll(child);
        sum.waiting += c.waiting;
        if (c.longest !== null && (sum.longest === null || c.longest > sum.longest)) sum.longest = c.longest;
        sum.overBelow += c.overBelow + (own.get(child).over ? 1 : 0);
        sum.open += c.open;
        sum.counters += c.counters;
        sum.alerts += c.alerts;
        sum.issued += c.issued;
        sum.done += c.done;
      }
      rolled.set(id, sum);
      return sum;
    };
    const rows = state.order.map((n) => {
      const s = state.sites.get(n.site.id);
      const f = own.get(n.site.id);
      const r = roll(n.site.id);
      const flag = f.over
        ? HQ.el("span", { class: "flag over", text: HQ.t("over_target") })
        : HQ.el("span", { class: "flag ok", text: HQ.t("within_target") });
      return HQ.el(
        "tr",
        { "data-site": n.site.id, class: f.over ? "over" : null, "data-depth": n.depth },
        HQ.el("td", { class: "name", style: "padding-left:" + (0.6 + n.depth * 1.6) + "em" }, n.depth ? "└ " : "", HQ.el("a", { href: "#sites", "data-goto": n.site.id, text: M.siteName(s.site) }), HQ.el("small", { text: HQ.t("site_kind_" + s.site.kind) })),
        HQ.el("td", { class: "n", "data-col": "waiting", text: f.waiting }),
        HQ.el("td", { class: "n", "data-col": "subtree", text: n.children.length ? r.waiting : "" }),
        HQ.el("td", { class: "n" + (f.over ? " over" : ""), "data-col": "longest", text: fmtMin(f.longest) }),
        HQ.el("td", { class: "n", text: s.target + " " + HQ.t("minutes") }),
        HQ.el("td", { class: "n", text: f.open + " / " + f.counters }),
        HQ.el("td", { class: "n", text: s.today.issued }),
        HQ.el("td", { class: "n", text: s.today.done }),
        HQ.el("td", { class: "n" + (f.alerts.length ? " over" : ""), text: f.alerts.length || "" }),
        HQ.el("td", {}, flag, s.edge ? HQ.el("span", { class: "flag " + (s.edge.online ? "edge-online" : "over"), "data-edge": s.edge.online ? "online" : "offline", text: HQ.t(s.edge.online ? "edge_flag_online" : "edge_flag_offline", { since: s.edge.last_contact ? new Date(s.edge.last_contact).toLocaleTimeString(HQ.lang === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" }) : "—", n: s.edge.backlog }) }) : null, r.overBelow ? HQ.el("span", { class: "flag below", text: HQ.t("over_target_below", { n: r.overBelow }) }) : null),
        HQ.el("td", {}, HQ.el("a", { class: "to-reports", href: "/manage/reports?site=" + encodeURIComponent(n.site.id), text: HQ.t("reports_title") }))
      );
    });
    $("city-tree").replaceChildren(...rows);
    const roots = state.order.filter((n) => n.depth === 0).map((n) => roll(n.site.id));
    const total = (k) => roots.reduce((a, r) => a + r[k], 0);
    const over = [...own.values()].filter((f) => f.over).length;
    const longest = roots.reduce((a, r) => (r.longest !== null && (a === null || r.longest > a) ? r.longest : a), null);
    $("city-totals").replaceChildren(
      figure(HQ.t("waiting_now"), total("waiting"), "waiting"),
      figure(HQ.t("longest_wait"), fmtMin(longest), "longest"),
      figure(HQ.t("sites_over_target"), over + " / " + own.size, "over", over ? "over" : null),
      figure(HQ.t("open_counters"), total("open") + " / " + total("counters"), "open"),
      figure(HQ.t("issued_today"), total("issued"), "issued"),
      figure(HQ.t("done_today"), total("done"), "done"),
      figure(HQ.t("device_alerts"), total("alerts"), "alerts", total("alerts") ? "over" : null)
    );
  }

  /* Durations move on; a site whose local day has turned starts afresh (today's counts). */
  function tick() {
    for (const s of state.sites.values()) {
      const day = localDay(s.site.timezone);
      if (day && day !== s.day) {
        resyncSoon();
        return;
      }
    }
    render();
  }

  function localDay(timeZone) {
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(now()));
    } catch (e) {
      return null; // an unknown zone: leave the day to the events
    }
  }

  // --- start -----------------------------------------------------------------------

  function start() {
    const conn = $("conn");
    const socket = HQ.connect(M.token());
    state.socket = socket;
    const setLive = (live) => {
      conn.dataset.state = live ? "online" : "offline";
      document.body.classList.toggle("offline", !live);
    };
    setLive(false);
    state.beat = HQ.heartbeat(socket, {
      onChange: setLive,
      onHeardAgain: resync, // the centre froze and resumed: read everything again
    });
    socket.onAny(onEvent);
    socket.on("connect", () => {
      resync(); // on every (re)connect: read everything, then join with `since`
    });
    state.timers.push(setInterval(tick, TICK_MS), setInterval(readDevices, DEVICES_MS));
  }

  M.onLogout = () => {
    if (state.beat) state.beat.stop();
    state.beat = null;
    if (state.socket) state.socket.disconnect();
    state.socket = null;
    document.body.classList.remove("offline");
    for (const t of state.timers) clearInterval(t);
    state.timers = [];
  };
  window.addEventListener("hashchange", render);
  $("site-filter").addEventListener("change", render);
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("[data-goto]");
    if (!a) return;
    $("site-filter").value = a.dataset.goto;
  });
  M.boot(start);
})();
