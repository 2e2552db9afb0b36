/* The clerk's console. The session token lives in sessionStorage (gone with the tab);
 * every call carries it as a Bearer token. While the centre is not heard from (see
 * HQ.heartbeat) the banner shows, the view is greyed out and every action is disabled:
 * a clerk never acts on a view that may be out of date. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const KEYS = { token: "hq.token", user: "hq.user", role: "hq.role", sites: "hq.sites", site: "hq.site", counter: "hq.counter" };
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
  function toast(message, error, ms) {
    const el = $("toast");
    el.textContent = message;
    el.className = "toast" + (error ? " error" : "");
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (el.hidden = true), ms || (error ? 5000 : 2500));
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
      set("role", r.role);
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
      onEvent: heard,
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
  // What a citizen who asked for help (帮办) came for: the assisted window serves it.
  const helpName = (t) => (t.help_for ? (HQ.lang === "en" && t.help_for_name_en ? t.help_for_name_en : t.help_for_name) || t.help_for : "");
  const withHelp = (t) => itemName(t) + (t.help_for ? " · " + HQ.t("help_for") + " " + helpName(t) : "");
  const callReason = (cur) =>
    HQ.t("reason_" + cur.call_reason) + (cur.out_of_order_reason ? (HQ.lang === "en" ? ": " : "：") + HQ.t("ooo_" + cur.out_of_order_reason) : "");

  /* Every console of the site hears a missed ticket put back in line (过号返回); a clerk
   * whose window a manager took over is told so, with the reason. */
  function heard(ev, info) {
    if (info.replayed) return;
    if (ev.type === "counter.taken_over" && ev.counter && String(ev.counter.number) === get("counter") && ev.data.from_clerk === get("user")) {
      toast(HQ.t("taken_over_msg", { clerk: ev.data.clerk, reason: ev.data.reason }), true, 10000);
      return;
    }
    if (ev.type !== "ticket.returned" || !ev.ticket) return;
    const place = ev.data && ev.data.place;
    const number = ev.ticket.number;
    toast(place ? HQ.t("returned_place", { number, place }) : HQ.t("returned_end", { number }), false, 8000);
  }

  /* The missed-call rule against the current ticket: the calls made and how many it
   * takes, and the seconds until the next recall or no-show is allowed (the centre
   * refuses sooner, so the console holds the buttons back until then). */
  function missedCall() {
    const cur = view && view.current;
    const rule = view && view.missed_call_rule;
    if (!cur || cur.status !== "called" || !rule) return null;
    const made = 1 + (cur.recall_count || 0);
    const last = Date.parse(cur.last_called_at || cur.called_at);
    const now = Date.now() + (follower ? follower.clockOffset() : 0);
    const wait = Math.max(0, Math.ceil(rule.interval_seconds - (now - last) / 1000));
    return { made, calls: rule.calls, wait, more: Math.max(0, rule.calls - made) };
  }

  /* Why the rule holds back `action` (recall or no-show) now, or null. */
  function ruleHint(action) {
    const m = (action === "recall" || action === "no-show") && missedCall();
    if (!m) return null;
    if (action === "recall") return m.wait ? HQ.t("rule_recall_in", { s: m.wait }) : null;
    if (m.more) return HQ.t("rule_no_show_after", { n: m.more });
    return m.wait ? HQ.t("rule_no_show_in", { s: m.wait }) : null;
  }

  function showCallRule() {
    const el = $("call-rule");
    const m = missedCall();
    el.hidden = !m;
    if (!m) return;
    const count = $("call-count");
    if (count) count.textContent = HQ.t("call_n_of", { n: m.made, of: m.calls });
    const held = ruleHint("no-show");
    const parts = m.more && m.wait ? [HQ.t("rule_recall_in", { s: m.wait })] : [];
    parts.push(held || HQ.t("rule_no_show_ok"));
    el.textContent = parts.join(" · ");
    el.dataset.due = held ? "no" : "yes";
  }
  // The countdown runs between reads: the buttons free themselves when the rule allows.
  setInterval(() => {
    if (!missedCall()) return;
    showCallRule();
    enableActions();
  }, 250);

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
          cur.help_for ? [HQ.el("dt", { text: HQ.t("help_for") }), HQ.el("dd", { id: "current-help", text: helpName(cur) })] : null,
          HQ.el("dt", { text: HQ.t("status") }), HQ.el("dd", { id: "current-status", text: HQ.t("status_" + cur.status) }),
          HQ.el("dt", { text: HQ.t("channel") }), HQ.el("dd", { text: HQ.t("channel_" + cur.channel) }),
          HQ.el("dt", { text: HQ.t("priority") }), HQ.el("dd", { text: HQ.t("priority_" + cur.priority) }),
          HQ.el("dt", { text: HQ.t("waited") }), HQ.el("dd", { text: mins(cur.waited_minutes) }),
          HQ.el("dt", { text: HQ.t("person") }), HQ.el("dd", { text: cur.person || "—" }),
          cur.note ? [HQ.el("dt", { text: HQ.t("note") }), HQ.el("dd", { text: cur.note })] : null,
          cur.call_reason ? [HQ.el("dt", { text: HQ.t("call_reason") }), HQ.el("dd", { id: "current-reason", text: callReason(cur) })] : null,
          cur.status === "called" && v.missed_call_rule ? [HQ.el("dt", { text: HQ.t("calls") }), HQ.el("dd", { id: "call-count" })] : null
        )
      );
      if (cur.bundle) showStages(cur.id);
    }
    showCallRule();
    // A window another clerk holds is theirs until they close it or a manager takes it over.
    $("held").hidden = !heldByOther();
    if (heldByOther()) {
      $("held-text").textContent = HQ.t("held_by", { clerk: c.clerk });
      $("take-over").hidden = !["manager", "admin"].includes(get("role"));
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
              withHelp(t),
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

  function heldByOther() {
    const c = view && view.counter;
    return !!c && c.state !== "closed" && !!c.clerk && c.clerk !== get("user");
  }

  function allowed(action) {
    if (!view || !live) return false;
    const c = view.counter;
    const cur = view.current;
    if (heldByOther()) return action === "issue" || action === "return"; // not the window's own
    switch (action) {
      case "call-next": return c.state === "open" && !cur;
      case "start": return !!cur && cur.status === "called";
      case "recall": case "no-show": return !!cur && cur.status === "called" && !ruleHint(action);
      case "call-ticket": return c.state === "open" && !cur;
      case "return": return !view.missed_call_rule || view.missed_call_rule.allows_return;
      case "issue": case "priority": case "arrive": return true;
      case "finish": case "transfer": return !!cur;
      case "pause": return c.state === "open";
      case "open": return c.state !== "open";
      case "close": return c.state !== "closed" && !cur;
    }
    return false;
  }

  /* A “一件事” ticket's stages under the current ticket: each item done (where), and a
   * button per item left to mark it done here (POST …/stage-done); transfer the ticket
   * for an item another window does. docs/calling.md#stages-of-a-one-thing-ticket */
  async function showStages(ticketId) {
    let data;
    try {
      data = await HQ.api("/tickets/" + encodeURIComponent(ticketId) + "/stages");
    } catch (e) {
      return; // the rest of the console works without them
    }
    if (!view || !view.current || view.current.id !== ticketId) return;
    const name = (x) => (HQ.lang === "en" && x.name_en ? x.name_en : x.name);
    const box = HQ.el(
      "div",
      { class: "stages", id: "stages" },
      HQ.el("h3", { text: HQ.t("stages_title") }),
      HQ.el(
        "ol",
        {},
        ...data.stages.map((s) => HQ.el("li", { class: "stage-done", text: "✓ " + name(s) + " · " + HQ.t("window_n", { n: s.counter }) })),
        ...data.remaining.map((r) =>
          HQ.el(
            "li",
            {},
            HQ.el("button", { type: "button", class: "stage-button", "data-service": r.service, text: HQ.t("stage_done_button", { item: name(r) }) })
          )
        )
      )
    );
    for (const b of box.querySelectorAll("button.stage-button")) b.addEventListener("click", () => act("stage-done", { service: b.dataset.service }));
    const old = $("stages");
    if (old) old.replaceWith(box);
    else $("current").append(box);
  }

  function enableActions() {
    for (const b of document.querySelectorAll("#actions button, #more-actions button")) {
      b.disabled = busy || !allowed(b.dataset.action);
      b.title = ruleHint(b.dataset.action) || "";
    }
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
      // The answer says how the ticket stands now: the missed-call count and clock use it
      // at once, before the view is read again (R then X at once must not be held back).
      if (r && r.ticket && view && view.current && r.ticket.id === view.current.id) {
        Object.assign(view.current, r.ticket);
        showCallRule();
      }
      if (r === null && action === "call-next") toast(HQ.t("nobody_waiting"));
      else if ((action === "call-next" || action === "call") && r.ticket) toast(HQ.t("called_msg", { number: r.ticket.number }));
    } catch (e) {
      failed(e);
    } finally {
      busy = false;
      if (follower) await follower.refresh();
      enableActions();
    }
  }

  const dialogs = {
    finish: $("dlg-finish"),
    pause: $("dlg-pause"),
    transfer: $("dlg-transfer"),
    close: $("dlg-close"),
    "call-ticket": $("dlg-call-ticket"),
    return: $("dlg-return"),
    issue: $("dlg-issue"),
    "take-over": $("dlg-take-over"),
    priority: $("dlg-priority"),
    arrive: $("dlg-arrive"),
  };
  const openDialog = () => Object.values(dialogs).find((d) => d.open);
  function closeDialogs() {
    for (const d of Object.values(dialogs)) if (d.open) d.close();
  }
  for (const d of Object.values(dialogs)) for (const b of d.querySelectorAll("button.cancel")) b.addEventListener("click", () => d.close());

  function trigger(action) {
    if (busy) return;
    if (!allowed(action)) {
      const held = live && ruleHint(action); // a key pressed before the rule allows it
      if (held) toast(held);
      return;
    }
    if (dialogs[action]) {
      closeDialogs();
      dialogs[action].showModal();
      if (action === "transfer") $("to-service").focus();
      if (action === "close") $("close-yes").focus();
      if (action === "call-ticket") prepareCall();
      if (action === "return") prepareReturn();
      if (action === "issue") prepareIssue();
      if (action === "priority") preparePriority();
      if (action === "arrive") prepareArrive();
      return;
    }
    act(action);
  }

  for (const b of document.querySelectorAll("#actions button, #more-actions button")) b.addEventListener("click", () => trigger(b.dataset.action));
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
  $("take-over").addEventListener("click", () => {
    closeDialogs();
    dialogs["take-over"].showModal();
    $("take-over-reason").focus();
  });
  $("take-over-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const reason = $("take-over-reason").value.trim();
    if (!reason) return;
    dialogs["take-over"].close();
    $("take-over-reason").value = "";
    act("take-over", { reason });
  });
  $("close-yes").addEventListener("click", () => {
    dialogs.close.close();
    act("close");
  });

  // --- calling a particular ticket (点名叫号) --------------------------------------------

  const siteApi = (path) => "/sites/" + encodeURIComponent(get("site")) + path;
  let chosen = null; // the ticket to call out of turn

  const ticketButton = (t) =>
    HQ.el("button", { type: "button", "data-id": t.id, text: t.number + " · " + withHelp(t) + " · " + mins(t.waited_minutes), onclick: () => choose(t) });
  const none = (text) => HQ.el("span", { class: "none", text });

  /* A dialog's form to find a waiting ticket by its number: what it finds shows in
   * `foundId` as buttons (`button(ticket)`), and a single match is picked at once. */
  function findWaiting(formId, numberId, foundId, button, pick) {
    $(formId).addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const number = $(numberId).value.trim();
      if (!number) return;
      try {
        const r = await HQ.api(siteApi("/tickets?status=waiting&number=" + encodeURIComponent(number)), { token: token() });
        $(foundId).replaceChildren(...(r.tickets.length ? r.tickets.map(button) : [none(HQ.t("no_waiting_number", { number }))]));
        if (r.tickets.length === 1) pick(r.tickets[0]);
      } catch (e) {
        failed(e);
      }
    });
  }

  function choose(t) {
    chosen = t;
    for (const b of dialogs["call-ticket"].querySelectorAll(".ticket-choices button")) b.classList.toggle("chosen", b.dataset.id === t.id);
    $("call-chosen").textContent = HQ.t("chosen_ticket", { number: t.number });
    for (const b of $("call-reasons").querySelectorAll("button")) b.disabled = false;
    $("call-reasons").querySelector("button").focus(); // then 1–6 picks the reason
  }

  function prepareCall() {
    chosen = null;
    $("call-chosen").textContent = "";
    $("call-number").value = "";
    $("call-found").replaceChildren();
    for (const b of $("call-reasons").querySelectorAll("button")) b.disabled = true;
    const next = (view && view.next) || [];
    $("call-next-choices").replaceChildren(...(next.length ? next.map(ticketButton) : [none(HQ.t("nobody_waiting"))]));
    $("call-number").focus();
  }

  findWaiting("call-find-form", "call-number", "call-found", ticketButton, choose);
  for (const b of $("call-reasons").querySelectorAll("button"))
    b.addEventListener("click", () => {
      if (!chosen) return;
      dialogs["call-ticket"].close();
      act("call", { ticket: chosen.id, reason: b.dataset.ooo });
    });

  // --- a missed ticket back in line (过号返回) ---------------------------------------------

  function prepareReturn() {
    const rules = siteDetail && siteDetail.rules && siteDetail.rules[HQ.lang];
    $("return-rule").textContent = (rules && rules.no_show) || "";
    $("return-number").value = "";
    $("return-number").focus();
    listMissed("");
  }

  async function listMissed(number) {
    const query = "/tickets?status=no_show" + (number ? "&number=" + encodeURIComponent(number) : "");
    try {
      const r = await HQ.api(siteApi(query), { token: token() });
      const empty = number ? HQ.t("no_missed_number", { number }) : HQ.t("no_missed");
      $("return-list").replaceChildren(...(r.tickets.length ? r.tickets.map(missedRow) : [HQ.el("li", {}, none(empty))]));
    } catch (e) {
      failed(e);
    }
  }

  const missedRow = (t) =>
    HQ.el(
      "li",
      { "data-id": t.id },
      HQ.el("span", { class: "num", text: t.number }),
      HQ.el("span", { class: "what", text: itemName(t) }),
      t.returnable ? HQ.el("button", { type: "button", class: "primary", text: HQ.t("put_back"), onclick: () => putBack(t) }) : none(HQ.t("returned_before"))
    );

  $("return-find-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    listMissed($("return-number").value.trim());
  });

  async function putBack(t) {
    if (busy) return;
    if (!live) {
      toast(HQ.t("offline"), true);
      return;
    }
    busy = true;
    enableActions();
    try {
      // Every console of the site, this one too, says where it went (ticket.returned).
      await HQ.api("/tickets/" + encodeURIComponent(t.id) + "/return", { method: "POST", token: token(), body: {} });
      dialogs.return.close();
    } catch (e) {
      failed(e);
    } finally {
      busy = false;
      enableActions();
    }
  }

  // --- a ticket issued for someone (代取号) -------------------------------------------------

  // One request id per ticket wanted: a retry after a lost answer gets the same ticket.
  const newRequestId = () => "console-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  let issueRequest = newRequestId();
  const localName = (x) => (HQ.lang === "en" && x.name_en ? x.name_en : x.name);

  function fillIssueItems() {
    const select = $("issue-item");
    const was = select.value;
    const option = (kind, x) =>
      HQ.el("option", {
        value: kind + ":" + x.code,
        text: (x.prefix ? x.prefix + " " : "") + localName(x) + (x.quota ? " · " + HQ.t("issue_left", { n: x.quota.remaining }) : ""),
      });
    select.replaceChildren(
      HQ.el("optgroup", { label: HQ.t("adm_services") }, ...siteDetail.services.map((x) => option("service", x))),
      siteDetail.bundles.length ? HQ.el("optgroup", { label: HQ.t("adm_bundles") }, ...siteDetail.bundles.map((x) => option("bundle", x))) : null
    );
    if (was && select.querySelector('option[value="' + CSS.escape(was) + '"]')) select.value = was;
  }

  function showIssueForm() {
    $("issue-error").textContent = "";
    $("issue-result").hidden = true;
    $("issue-form").hidden = false;
    $("issue-item").focus();
  }

  async function prepareIssue() {
    issueRequest = newRequestId();
    showIssueForm();
    try {
      siteDetail = await HQ.api(siteApi("")); // what is left of capped items now
    } catch (e) {
      /* the earlier read still lists the items */
    }
    fillIssueItems();
    try {
      const r = await HQ.api(siteApi("/proxies"), { token: token() });
      $("issue-proxy").replaceChildren(
        HQ.el("option", { value: "", text: "—" }),
        ...r.proxies.map((p) => HQ.el("option", { value: p.id, text: p.name + "（" + p.today + "/" + p.daily_cap + "）" }))
      );
      $("issue-proxy-label").hidden = !r.proxies.length;
    } catch (e) {
      $("issue-proxy-label").hidden = true;
    }
  }

  $("issue-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = $("issue-item").value;
    const cut = value.indexOf(":");
    if (cut < 0) return;
    const body = { [value.slice(0, cut)]: value.slice(cut + 1), priority: $("issue-class").value, request_id: issueRequest };
    if (!$("issue-proxy-label").hidden && $("issue-proxy").value) body.proxy = $("issue-proxy").value;
    const submit = $("issue-form").querySelector("button[type=submit]");
    submit.disabled = true;
    $("issue-error").textContent = "";
    try {
      showIssued(await HQ.api(siteApi("/tickets"), { token: token(), body }));
    } catch (e) {
      if (e instanceof HQ.ApiError && e.status === 401) failed(e);
      else $("issue-error").textContent = e.message; // caps, quotas, hours: the centre's words
    } finally {
      submit.disabled = false;
    }
  });

  function showIssued(r) {
    const t = r.ticket;
    const item = siteDetail.services.concat(siteDetail.bundles).find((x) => x.code === (t.service || t.bundle));
    $("issued-number").textContent = t.number;
    $("issued-detail").textContent =
      HQ.t("issued_for", { item: item ? localName(item) : t.service || t.bundle, n: r.ahead, m: r.estimated_wait_minutes }) +
      (t.priority !== "ordinary" ? " · " + HQ.t("priority_" + t.priority) : "");
    $("issue-form").hidden = true;
    $("issue-result").hidden = false;
    issueRequest = newRequestId();
    $("issue-again").focus();
  }
  $("issue-again").addEventListener("click", showIssueForm);

  // --- staff confirm a priority class (确认优先): a kiosk cannot give one ----------------------

  let toRaise = null; // the waiting ticket found by its number

  function preparePriority() {
    toRaise = null;
    $("priority-number").value = "";
    $("priority-reason").value = "";
    $("priority-error").textContent = "";
    $("priority-found").replaceChildren();
    $("priority-go").disabled = true;
    $("priority-number").focus();
  }

  function pickToRaise(t) {
    toRaise = t;
    for (const b of $("priority-found").querySelectorAll("button")) b.classList.toggle("chosen", b.dataset.id === t.id);
    $("priority-go").disabled = false;
    $("priority-reason").focus();
  }

  const raiseButton = (t) =>
    HQ.el("button", {
      type: "button",
      "data-id": t.id,
      text: t.number + " · " + withHelp(t) + " · " + HQ.t("priority_" + t.priority) + " · " + mins(t.waited_minutes),
      onclick: () => pickToRaise(t),
    });

  findWaiting("priority-find-form", "priority-number", "priority-found", raiseButton, pickToRaise);

  $("priority-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const reason = $("priority-reason").value.trim();
    if (!toRaise || !reason || busy) return;
    const cls = $("priority-class").value;
    busy = true;
    try {
      // Every screen re-reads on the ticket.prioritized this sends.
      const r = await HQ.api("/tickets/" + encodeURIComponent(toRaise.id) + "/priority", {
        method: "POST",
        token: token(),
        body: { priority: cls, reason },
      });
      dialogs.priority.close();
      toast(HQ.t("priority_done", { number: r.ticket.number, cls: HQ.t("priority_" + r.ticket.priority) }));
    } catch (e) {
      if (e instanceof HQ.ApiError && e.status === 401) failed(e);
      else $("priority-error").textContent = e.message;
    } finally {
      busy = false;
      if (follower) await follower.refresh();
      enableActions();
    }
  });

  // --- a remote ticket's citizen is here (确认到场): called from now on ----------------------

  function prepareArrive() {
    $("arrive-number").value = "";
    $("arrive-error").textContent = "";
    $("arrive-found").replaceChildren();
    $("arrive-number").focus();
  }

  async function confirmArrival(t) {
    if (busy) return;
    busy = true;
    try {
      const r = await HQ.api("/tickets/" + encodeURIComponent(t.id) + "/arrive", { method: "POST", token: token() });
      dialogs.arrive.close();
      toast(HQ.t("arrive_done", { number: r.ticket.number }));
    } catch (e) {
      if (e instanceof HQ.ApiError && e.status === 401) failed(e);
      else $("arrive-error").textContent = e.message;
    } finally {
      busy = false;
      if (follower) await follower.refresh();
      enableActions();
    }
  }

  const arriveButton = (t) =>
    HQ.el("button", { type: "button", "data-id": t.id, text: t.number + " · " + withHelp(t) + " · " + mins(t.waited_minutes), onclick: () => confirmArrival(t) });

  // A single match is not confirmed at once: the clerk taps it, having seen the citizen.
  findWaiting("arrive-find-form", "arrive-number", "arrive-found", arriveButton, () => {});

  const KEYMAP = {
    n: "call-next",
    " ": "call-next",
    r: "recall",
    s: "start",
    f: "finish",
    x: "no-show",
    t: "transfer",
    p: "pause",
    o: "open",
    c: "close",
    k: "call-ticket",
    b: "return",
    i: "issue",
    y: "priority",
    a: "arrive",
  };
  /* At a station's edge centre: while its line to the city is down the clerk keeps working
     (the station owns its queues) and is told so, with how old the station's copy of the
     city's configuration is. Read from the public health answer; nothing at the city. */
  const EDGE_CHECK_MS = 10000;
  async function checkEdge() {
    let edge = null;
    try {
      edge = (await HQ.api("/health")).edge || null;
    } catch (e) {
      return; // the centre itself is unreachable: the offline banner says so
    }
    const banner = $("edge-banner");
    const cut = !!(edge && edge.serving && !edge.online);
    banner.hidden = !cut;
    if (!cut) return;
    const time = (iso) => (iso ? new Date(iso).toLocaleTimeString(HQ.lang === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" }) : "—");
    const minutes = edge.config_at ? Math.max(0, Math.round((Date.now() - Date.parse(edge.config_at)) / 60000)) : null;
    banner.textContent = HQ.t("edge_console_cut", { since: time(edge.last_ok_at), n: edge.backlog }) + (minutes === null ? "" : " · " + HQ.t("edge_config_at", { minutes }));
  }
  checkEdge();
  setInterval(checkEdge, EDGE_CHECK_MS);

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
      if (!field && /^[1-9]$/.test(ev.key) && dialog === dialogs["call-ticket"]) {
        const reason = $("call-reasons").querySelectorAll("button")[Number(ev.key) - 1];
        ev.preventDefault();
        if (reason && !reason.disabled) reason.click();
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
