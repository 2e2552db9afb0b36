/* hallqueue pages: REST calls, words, and following a site's events over Socket.IO.
 *
 * HQ.follow() is how every screen stays true: on each (re)connect it reads a fresh
 * snapshot, then joins the site's room with `since` = the last sequence number it had
 * seen, so events missed while disconnected are replayed (and may be announced) and
 * nothing shown is stale. A snapshot is read again (throttled) after each event.
 * The replay comes as `catch_up` pages before the join's acknowledgement, and live
 * events may come before the pages they follow: from the connect until the join is
 * answered, live events are held, then pages and held events are delivered together
 * in seq order, each once (queue_server/catch_up.py says why that leaves no gap).
 * A backlog too long to replay (`complete: false`) is replaced by a fresh snapshot;
 * a join refused as too frequent (`too_many_joins`) is sent again after `retry_after`.
 *
 * HQ.heartbeat() is how every screen knows it is still live: the centre broadcasts a
 * `heartbeat` every PING_SECONDS (window.HQ_PING_MS); a screen that has heard nothing —
 * no heartbeat, no event — for two of them is "offline" (its banner shows, its data
 * greys out), even when the TCP connection looks open (a frozen centre, a dead network).
 */
(function () {
  "use strict";
  const HQ = (window.HQ = window.HQ || {});
  HQ.text = window.HQ_TEXT || {};
  HQ.lang = document.documentElement.lang === "en" ? "en" : "zh";

  HQ.t = function (key, params) {
    let s = HQ.text[key] !== undefined ? HQ.text[key] : key;
    if (params) {
      for (const k of Object.keys(params)) s = s.split("{" + k + "}").join(params[k]);
    }
    return s;
  };

  HQ.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  };

  /* A table with one heading a column ("" for a column without one) over `rows`, its body. */
  HQ.table = function (attrs, headings, rows) {
    return HQ.el(
      "table",
      attrs,
      HQ.el("thead", {}, HQ.el("tr", {}, headings.map((h) => HQ.el("th", { text: h })))),
      HQ.el("tbody", {}, rows)
    );
  };

  HQ.switchLang = function () {
    const url = new URL(location.href);
    url.searchParams.set("lang", HQ.lang === "en" ? "zh" : "en");
    location.replace(url.toString());
  };

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || "HTTP " + status);
      this.status = status;
      this.code = body && body.error;
    }
  }
  HQ.ApiError = ApiError;

  HQ.api = async function (path, options) {
    options = options || {};
    const headers = { "Accept-Language": HQ.lang === "en" ? "en" : "zh-CN" };
    if (options.token) headers.Authorization = "Bearer " + options.token;
    let body;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await fetch("/api/v1" + path, {
      method: options.method || (body ? "POST" : "GET"),
      headers,
      body,
      cache: "no-store",
    });
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  };

  HQ.minutesSince = function (iso, offsetMs) {
    if (!iso) return null;
    return Math.max(0, (Date.now() + (offsetMs || 0) - Date.parse(iso)) / 60000);
  };

  HQ.pingMs = Number(window.HQ_PING_MS) || 2000;
  /* Silence longer than this means the centre is not live: two pings missed. */
  HQ.staleMs = 2 * HQ.pingMs;
  const RECONNECT_AFTER_STALE = 3;

  /* Watch a Socket.IO socket: `onChange(true|false)` when the screen becomes live or not.
   *   live  — the page called `markLive()` (it has shown fresh data on this connection)
   *           and the socket has been heard from within staleMs since;
   *   not   — nothing heard for staleMs (a frozen centre keeps TCP open: only the
   *           silence tells), or the socket disconnected.
   *   onHeardAgain() — the socket is heard while not live (a centre that froze and
   *           resumed, or a resync that failed): the page resyncs, then calls markLive().
   * The heartbeat is the centre's `heartbeat` broadcast (engine.io's rarer ping counts
   * too); any event counts. A connection silent for RECONNECT_AFTER_STALE × staleMs is
   * dropped and made again, so a dead network path is not waited out for engine.io's
   * own ping timeout. */
  HQ.heartbeat = function (socket, opts) {
    const beat = { live: false, lastHeard: 0, staleMs: opts.staleMs || HQ.staleMs, resyncing: false };
    function set(live) {
      if (beat.live === live) return;
      beat.live = live;
      opts.onChange(live);
    }
    function heard() {
      beat.lastHeard = Date.now();
      if (beat.live || !socket.connected || beat.resyncing || !opts.onHeardAgain) return;
      beat.resyncing = true;
      Promise.resolve()
        .then(opts.onHeardAgain)
        .catch(() => {})
        .finally(() => {
          beat.resyncing = false;
        });
    }
    beat.markLive = function () {
      beat.lastHeard = Date.now();
      if (socket.connected) set(true);
    };
    beat.markStale = () => set(false);
    beat.check = function () {
      const silent = Date.now() - beat.lastHeard;
      if (beat.live && silent > beat.staleMs) set(false);
      if (socket.connected && beat.lastHeard && silent > RECONNECT_AFTER_STALE * beat.staleMs) {
        beat.lastHeard = Date.now(); // one attempt per silence, not one per check
        socket.disconnect();
        socket.connect();
      }
    };
    socket.io.on("ping", heard);
    socket.onAny(heard);
    socket.on("disconnect", beat.markStale);
    socket.on("connect_error", beat.markStale);
    beat.timer = setInterval(beat.check, 200);
    beat.stop = () => clearInterval(beat.timer);
    return beat;
  };

  /* A Socket.IO connection to the centre with `token`, quick to come back: websocket only,
   * reconnecting within 2 s, and — which the client does not do by itself — also after
   * the server dropped it or refused the handshake (e.g. a token unknown during a
   * restart): tried again, forever, gently. */
  HQ.connect = function (token) {
    const socket = io({
      auth: { token },
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 300,
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.3,
      timeout: 4000,
    });
    socket.on("disconnect", (reason) => {
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", () => {
      if (!socket.active) setTimeout(() => socket.connect(), 2000);
    });
    return socket;
  };

  /* Follow a site's events.
   *   token, site, counter (optional: only that counter's events)
   *   snapshot(): Promise<{last_seq, server_time, ...}> — read the current state
   *   render(snapshot): show it
   *   onEvent(payload, {replayed}): an event newer than what was seen
   *   onStatus("online" | "offline"): "online" only once a fresh snapshot is shown and
   *     the centre is heard from (see HQ.heartbeat); "offline" as soon as it is not
   *   minInterval: ms between snapshot reads after events (throttle)
   */
  HQ.follow = function (opts) {
    const state = {
      seenSeq: null, // newest event seen (or covered by a snapshot)
      snapshotSeq: null, // seq covered by the snapshot on screen
      clockOffset: 0,
      socket: null,
      lastFetch: 0,
      timer: null,
      fetching: false,
      again: false,
      joined: false,
      joining: null, // while a join is unanswered: {since, backlog, held}
      lastAck: null,
      fullReads: 0, // snapshots read because a backlog was too long to replay
      delivered: [], // the last seqs delivered, newest last (for diagnostics and tests)
      beat: null,
    };
    const minInterval = opts.minInterval === undefined ? 1000 : opts.minInterval;

    /* Read and show a snapshot; true when one was read. `fresh`: the caller needs a
     * read that starts now (a resync), not one that may already be under way. */
    async function refresh(fresh) {
      if (state.fetching) {
        state.again = true;
        if (!fresh) return false;
        while (state.fetching) await new Promise((r) => setTimeout(r, 50));
      }
      state.fetching = true;
      state.lastFetch = Date.now();
      let ok = false;
      try {
        const snap = await opts.snapshot();
        if (snap.server_time) state.clockOffset = Date.parse(snap.server_time) - Date.now();
        if (state.snapshotSeq === null || snap.last_seq >= state.snapshotSeq) {
          state.snapshotSeq = snap.last_seq;
          if (state.seenSeq === null || snap.last_seq > state.seenSeq) state.seenSeq = snap.last_seq;
          opts.render(snap, state);
        }
        ok = true;
      } catch (e) {
        if (opts.onError) opts.onError(e);
      } finally {
        state.fetching = false;
        if (state.again) {
          state.again = false;
          schedule();
        }
      }
      return ok;
    }

    function schedule() {
      if (state.timer) return;
      const wait = Math.max(0, state.lastFetch + minInterval - Date.now());
      state.timer = setTimeout(() => {
        state.timer = null;
        refresh();
      }, wait);
    }

    function onAny(name, payload) {
      if (!payload || payload.site !== opts.site) return; // an admin also hears other sites
      if (name === "catch_up") {
        if (state.joining && Array.isArray(payload.events)) state.joining.backlog.push(...payload.events);
        return;
      }
      if (typeof payload.seq !== "number") return;
      if (state.joining) state.joining.held.push(payload);
      else if (state.seenSeq === null || payload.seq > state.seenSeq) deliver(payload);
    }

    /* An event reaches the page; `replayed` when the snapshot on screen already has it. */
    function deliver(payload) {
      const replayed = state.snapshotSeq !== null && payload.seq <= state.snapshotSeq;
      if (state.seenSeq === null || payload.seq > state.seenSeq) state.seenSeq = payload.seq;
      state.delivered.push(payload.seq);
      if (state.delivered.length > 1000) state.delivered.splice(0, 500);
      if (opts.onEvent) opts.onEvent(payload, { replayed, clockOffset: state.clockOffset });
      if (!replayed) schedule();
    }

    /* Join the room, replaying from `joining.since`; answered, deliver what was held. */
    function join(joining, fresh) {
      const request = { site: opts.site, since: joining.since };
      if (opts.counter !== undefined && opts.counter !== null) request.counter = opts.counter;
      joining.backlog = [];
      socket.emit("join", request, async (ack) => {
        if (state.joining !== joining) return; // this connection is gone
        if (ack && ack.error === "too_many_joins") {
          const wait = Math.max(1, Number(ack.retry_after) || 1) * (1 + Math.random() / 2);
          setTimeout(() => state.joining === joining && socket.connected && join(joining, fresh), wait * 1000);
          return;
        }
        state.lastAck = ack;
        if (!ack || !ack.ok) {
          state.joining = null;
          state.joined = false;
          if (opts.onError) opts.onError(new Error((ack && ack.error) || "join failed"));
          return;
        }
        if (!ack.complete) {
          // Too much missed to replay: read everything again instead. The room is joined,
          // so whatever happens meanwhile is held and delivered after the read.
          state.fullReads += 1;
          fresh = await refresh(true);
          if (state.joining !== joining) return;
        }
        state.joining = null;
        state.joined = true;
        let last = joining.since === null ? -Infinity : joining.since;
        for (const payload of joining.backlog.concat(joining.held).sort((a, b) => a.seq - b.seq)) {
          if (payload.seq <= last) continue; // replayed and heard live: once
          last = payload.seq;
          deliver(payload);
        }
        if (ack.last_seq > (state.snapshotSeq || 0)) schedule();
        // Live only with a snapshot read on this connection; otherwise the next ping
        // (onHeardAgain) tries again.
        if (fresh) beat.markLive();
      });
    }

    const socket = HQ.connect(opts.token);
    state.socket = socket;
    socket.onAny(onAny);
    const beat = HQ.heartbeat(socket, {
      onChange: (live) => opts.onStatus && opts.onStatus(live ? "online" : "offline"),
      // Heard again after a silence on the same connection (the centre was frozen):
      // read everything again before the screen says it is live.
      onHeardAgain: async () => {
        if (state.joined && (await refresh(true))) beat.markLive();
      },
    });
    state.beat = beat;
    socket.on("connect", async () => {
      // Held from now on (an admin hears every site from the connect): nothing is
      // delivered twice or out of order around the snapshot and the join.
      const joining = (state.joining = { since: state.seenSeq, backlog: [], held: [] });
      // A fresh snapshot first, so the screen is right even if the backlog was cut short.
      const fresh = await refresh(true);
      if (state.joining !== joining) return;
      // Events after `since` that the snapshot already covers come back as replays:
      // they are not shown again but a screen may still announce a call it missed.
      if (joining.since === null) joining.since = state.snapshotSeq;
      join(joining, fresh);
    });
    socket.on("disconnect", () => {
      state.joined = false;
      state.joining = null; // the next connect joins again from the last seq delivered
    });
    // A safety net: read again now and then even when nothing happens (a new day,
    // a lost push), so a quiet screen is never silently stale.
    const resync = setInterval(schedule, opts.resyncMs || 60000);
    return {
      state,
      refresh,
      schedule,
      socket,
      live: () => beat.live,
      /* Stop following (the page leaves this site or counter). */
      stop() {
        clearInterval(resync);
        beat.stop();
        socket.disconnect();
      },
      clockOffset: () => state.clockOffset,
    };
  };
})();
