/* The clerk's console. The session token lives in sessionStorage (gone with the tab);
 * every call carries it as a Bearer token. While the centre is not heard from (see
 * HQ.heartbeat) the banner shows, the view is greyed out and every action is disabled:
 * a clerk never acts on a view that may be out of date. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const KEYS = { token: "hq.token", user: "hq.user", sites: "hq.sites", site: "hq.site", counter: "hq.counter" };
  let follower = null;
  let view = null; // the last counter view
  let siteDetail = null;
  let busy = false;
  let live = false; // the centre is heard from and the view was read on this connection

  const get = (k) => store.getItem(KEYS[k]);
  const set = (k, v) => (v === null ? store.removeItem(KEYS[k]) : store.setItem(KEYS[k], v));
  const token = () => get("token");

  function show(section) {
    for (const id of ["login", "pick", "work"]) $(id).hidden = id !== section;
    $("logout").hidden = section === "login";
    $("change-counter").hidden = section !== "work";
  }

  let toastTimer = null;
  function toast(message, error) {
    const el = $("toast");
    el.textContent = message;
    el.className = "toast" + (error ? " error" : "");
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (el.hidden = true), error ? 5000 : 2500);
  }

  function failed(e) {
    if (e instanceof HQ.ApiError && e.status === 401) {
      logout();
      return;
    }
    toast(e.message || String(e), true);
  }

  // --- login and choosing a window ---------------------------------------------------

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    try {
      const r = await HQ.api("/auth/login", { body: { username: $("username").value, password: $("password").value } });
      set("token", r.token);
      set("user", r.username);
      set("sites", JSON.stringify(r.sites));
      $("password").value = "";
      await pick();
    } catch (e) {
      $("login-error").textContent = e.message;
    }
  });

  function unfollow() {
    if (follower) {
      follower.stop();
      follower = null;
    }
    live = false;
    document.body.classList.remove("offline"); // no view, nothing out of date
  }

  async function logout() {
    const t = token();
    unfollow();
    for (const k of Object.keys(KEYS)) set(k, null);
    if (t) HQ.api("/auth/logout", { method: "POST", token: t, body: {} }).catch(() => {});
    $("c-where").textContent = "";
    show("login");
    $("username").focus();
  }
  $("logout").addEventListener("click", logout);
  $("change-counter").addEventListener("click", () => {
    unfollow();
    set("counter", null);
    pick();
  });
  $("lang-switch").addEventListener("click", HQ.switchLang);

  async function pick() {
    const params = new URL(location.href).searchParams;
    if (params.get("site") && params.get("counter") && !get("counter")) {
      set("site", params.get("site"));
      set("counter", params.get("counter"));
    }
    if (get("site") && get("counter")) return work();
    show("pick");
    const all = (await HQ.api("/sites")).sites;
    const mine = JSON.parse(get("sites") || "null");
    const sites = mine ? all.filter((s) => mine.includes(s.id)) : all;
    const siteSelect = $("site-select");
    siteSelect.replaceChildren(...sites.map((s) => HQ.el("option", { value: s.id, text: HQ.lang === "en" && s.name_en ? s.name_en : s.name })));
    if (get("site")) siteSelect.value = get("site");
    await fillCounters();
    siteSelect.onchange = fillCounters;
    $("counter-select").focus();
  }

  async function fillCounters() {
    const detail = await HQ.api("/sites/" + encodeURIComponent($("site-select").value));
    $("counter-select").replaceChildren(
      ...detail.counters.map((c) => HQ.el("option", { value: c.number, text: HQ.t("window_n", { n: c.number }) + " · " + c.name }))
    );
  }

  $("pick-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    set("site", $("site-select").value);
    set("counter", $("counter-select").value);
    work();
  });

  // --- the console ---------------------------------------------------------------------

  async function work() {
    const site = get("site");
    const counter = Number(get("counter"));
    show("work");
    live = false;
    document.body.classList.add("offline");
    try {
      siteDetail = await HQ.api("/sites/" + encodeURIComponent(site));
    } catch (e) {
      failed(e);
      return;
    }
    fillTransfer();
    if (follower) follower.stop();
    follower = HQ.follow({
      token: token(),
      site,
      snapshot: () => HQ.api("/sites/" + encodeURIComponent(site) + "/counters/" + counter, { token: token() }),
      render,
      onStatus: (s) => {
        live = s === "online";
        document.body.classList.toggle("offline", !live);
        $("conn").dataset.state = s;
        enableActions();
      },
      onError: failed,
      minInterval: 400,
    });
    follower.refresh(); // show the counter even before the socket is up
  }

  function fillTransfer() {
    const services = siteDetail.services.map((s) => HQ.el("option", { value: s.code, text: s.prefix + " " + s.code + " " + (HQ.lang === "en" && s.name_en ? s.name_en : s.name) }));
    $("to-service").replaceChildren(HQ.el("option", { value: "", text: "—" }), ...services);
    const counters = siteDetail.counters
      .filter((c) => String(c.number) !== get("counter"))
      .map((c) => HQ.el("option", { value: c.number, text: HQ.t("window_n", { n: c.number }) + " " + c.name }));
    $("to-counter").replaceChildren(HQ.el("option", { value: "", text: "—" }), ...counters);
  }

  const mins = (m) => (m === null || m === undefined ? "—" : Math.round(m) + " " + HQ.t("minutes"));
  const itemName = (t) => (HQ.lang === "en" && t.item_name_en ? t.item_name_en : t.item_name) || t.service || t.bundle;

  function render(v) {
    view = v;
    const c = v.counter;
    $("c-where").textContent =
      (HQ.lang === "en" && v.site.name_en ? v.site.name_en : v.site.name) + " · " + HQ.t("window_n", { n: c.number }) + " " + c.name + " · " + HQ.t("clerk") + " " + (get("user") || "");
    const state = $("counter-state");
    state.dataset.state = c.state;
    state.textContent = HQ.t("state_" + c.state) + (c.pause_reason ? "（" + c.pause_reason + "）" : "");

    const cur = v.current;
    const box = $("current");
    if (!cur) {
      box.replaceChildren(HQ.el("div", { class: "empty", text: HQ.t("no_current") }));
    } else {
      box.replaceChildren(
        HQ.el("div", { class: "number", id: "current-number", text: cur.number }),
        HQ.el(
          "dl",
          {},
          HQ.el("dt", { text: HQ.t("item") }), HQ.el("dd", { text: itemName(cur) }),
          HQ.el("dt", { text: HQ.t("status") }), HQ.el("dd", { id: "current-status", text: HQ.t("status_" + cur.status) }),
          HQ.el("dt", { text: HQ.t("channel") }), HQ.el("dd", { text: HQ.t("channel_" + cur.channel) }),
          HQ.el("dt", { text: HQ.t("priority") }), HQ.el("dd", { text: HQ.t("priority_" + cur.priority) }),
          HQ.el("dt", { text: HQ.t("waited") }), HQ.el("dd", { text: mins(cur.waited_minutes) }),
          HQ.el("dt", { text: HQ.t("person") }), HQ.el("dd", { text: cur.person || "—" }),
          cur.note ? [HQ.el("dt", { text: HQ.t("note") }), HQ.el("dd", { text: cur.note })] : null
        )
      );
    }

    // Queues with people waiting first; otherwise the profile's order.
    const queues = v.queues.map((q, i) => [q, i]).sort((a, b) => (b[0].waiting > 0) - (a[0].waiting > 0) || a[1] - b[1]).map((x) => x[0]);
    $("queues").replaceChildren(
      ...queues.map((q) =>
        HQ.el(
          "tr",
          { class: q.waiting ? "has-waiting" : "" },
          HQ.el("td", { text: (q.prefix ? q.prefix + " " : "") + ((HQ.lang === "en" && q.name_en ? q.name_en : q.name) || q.service || q.bundle) }),
          HQ.el("td", { text: q.waiting }),
          HQ.el("td", { text: q.waiting ? mins(q.oldest_wait_minutes) : "—" })
        )
      )
    );
    $("next").replaceChildren(
      ...(v.next.length
        ? v.next.map((t) =>
            HQ.el(
              "li",
              {},
              HQ.el("span", { class: "num", text: t.number }),
              itemName(t),
              HQ.el("span", { class: "why", text: "· " + mins(t.waited_minutes) + " · " + HQ.t("reason_" + t.reason) })
            )
          )
        : [HQ.el("li", { class: "empty", text: HQ.t("nobody_waiting") })])
    );
    const d = v.today;
    const figures = [
      ["served", d.served],
      ["on_the_spot", d.on_the_spot_share === null ? "—" : Math.round(d.on_the_spot_share * 100) + "%"],
      ["no_show", d.no_show],
      ["transferred_out", d.transferred_out],
      ["avg_service", mins(d.avg_service_minutes)],
      ["avg_wait", mins(d.avg_wait_minutes)],
      ["rating_avg", d.rating_average === null ? "—" : d.rating_average + " (" + d.rated + ")"],
    ];
    $("today").replaceChildren(...figures.map(([k, val]) => HQ.el("div", {}, HQ.el("dt", { text: HQ.t(k) }), HQ.el("dd", { "data-figure": k, text: val }))));
    enableActions();
  }

  function allowed(action) {
    if (!view || !live) return false;
    const c = view.counter;
    const cur = view.current;
    switch (action) {
      case "call-next": return c.state === "open" && !cur;
      case "recall": case "start": case "no-show": return !!cur && cur.status === "called";
      case "finish": case "transfer": return !!cur;
      case "pause": return c.state === "open";
      case "open": return c.state !== "open";
      case "close": return c.state !== "closed" && !cur;
    }
    return false;
  }

  function enableActions() {
    for (const b of document.querySelectorAll("#actions button")) b.disabled = busy || !allowed(b.dataset.action);
  }

  async function act(action, body) {
    if (busy) return;
    if (!live) {
      toast(HQ.t("offline"), true); // a dialog opened before the connection was lost
      return;
    }
    busy = true;
    enableActions();
    try {
      const r = await HQ.api("/sites/" + encodeURIComponent(get("site")) + "/counters/" + get("counter") + "/" + action, {
        method: "POST",
        token: token(),
        body: body || {},
      });
      if (r === null && action === "call-next") toast(HQ.t("nobody_waiting"));
      else if (action === "call-next" && r.ticket) toast(HQ.t("called_msg", { number: r.ticket.number }));
    } catch (e) {
      failed(e);
    } finally {
      busy = false;
      if (follower) await follower.refresh();
      enableActions();
    }
  }

  const dialogs = { finish: $("dlg-finish"), pause: $("dlg-pause"), transfer: $("dlg-transfer"), close: $("dlg-close") };
  const openDialog = () => Object.values(dialogs).find((d) => d.open);
  function closeDialogs() {
    for (const d of Object.values(dialogs)) if (d.open) d.close();
  }
  for (const d of Object.values(dialogs)) for (const b of d.querySelectorAll("button.cancel")) b.addEventListener("click", () => d.close());

  function trigger(action) {
    if (!allowed(action) || busy) return;
    if (dialogs[action]) {
      closeDialogs();
      dialogs[action].showModal();
      if (action === "transfer") $("to-service").focus();
      if (action === "close") $("close-yes").focus();
      return;
    }
    act(action);
  }

  for (const b of document.querySelectorAll("#actions button")) b.addEventListener("click", () => trigger(b.dataset.action));
  for (const b of dialogs.finish.querySelectorAll("[data-outcome]"))
    b.addEventListener("click", () => {
      dialogs.finish.close();
      act("finish", { outcome: b.dataset.outcome });
    });
  for (const b of dialogs.pause.querySelectorAll("[data-reason]"))
    b.addEventListener("click", () => {
      dialogs.pause.close();
      act("pause", { reason: b.dataset.reason });
    });
  $("pause-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const reason = $("pause-other").value.trim();
    if (!reason) return;
    dialogs.pause.close();
    $("pause-other").value = "";
    act("pause", { reason });
  });
  $("transfer-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = {};
    if ($("to-service").value) body.to_service = $("to-service").value;
    if ($("to-counter").value) body.to_counter = Number($("to-counter").value);
    if ($("transfer-note").value.trim()) body.note = $("transfer-note").value.trim();
    dialogs.transfer.close();
    $("transfer-note").value = "";
    act("transfer", body);
  });
  $("close-yes").addEventListener("click", () => {
    dialogs.close.close();
    act("close");
  });

  const KEYMAP = { n: "call-next", " ": "call-next", r: "recall", s: "start", f: "finish", x: "no-show", t: "transfer", p: "pause", o: "open", c: "close" };
  document.addEventListener("keydown", (ev) => {
    if ($("work").hidden || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    const dialog = openDialog();
    if (dialog) {
      if (ev.key === "Escape") return; // the dialog closes itself
      const field = ev.target.closest && ev.target.closest("input, select, textarea");
      if (!field && /^[1-4]$/.test(ev.key) && (dialog === dialogs.finish || dialog === dialogs.pause)) {
        ev.preventDefault();
        dialog.querySelectorAll(".choices button")[Number(ev.key) - 1].click();
      }
      return;
    }
    if (ev.target.closest && ev.target.closest("input, select, textarea")) return;
    const action = KEYMAP[ev.key.toLowerCase()];
    if (action) {
      ev.preventDefault();
      trigger(action);
    }
  });

  // --- start -----------------------------------------------------------------------
  if (token()) pick().catch(failed);
  else show("login");
})();
