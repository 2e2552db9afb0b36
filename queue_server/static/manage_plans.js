/* Window plans (窗口方案推演): pick a site, draft its windows (items with weights, open
 * hours by weekday), replay its real weeks through the draft beside today's windows
 * (POST /api/v1/sites/<site>/window-plans/<id>/replay) and, for admins, apply it.
 * Items are written "A101:2, B01" (code, weight); hours "mon 08:30-12:00; tue ...",
 * empty for the site's hours. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const M = HQ.manage;
  const $ = (id) => document.getElementById(id);
  const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const hook = (window.hallqueuePlans = { charts: {}, result: null });
  let items = {};
  let plan = null; // the plan being edited: {id?, name, windows}

  const base = () => "/sites/" + encodeURIComponent($("plan-site").value) + "/window-plans";
  const status = (text) => ($("plan-status").textContent = text || "");

  // --- the windows as text, and back -----------------------------------------------

  const itemsText = (profile) =>
    profile.map((p) => (p.service || p.bundle) + (p.weight !== 1 ? ":" + p.weight : "")).join(", ");
  const hoursText = (hours) =>
    hours === null || hours === undefined
      ? ""
      : DAYS.filter((d) => hours[d]).map((d) => d + " " + hours[d].map((s) => s.join("-")).join(" ")).join("; ");

  function readItems(text) {
    return text.split(/[,，\s]+/).filter(Boolean).map((part) => {
      const [code, weight] = part.split(":");
      const kind = items["S:" + code] ? "service" : items["B:" + code] ? "bundle" : null;
      if (!kind) throw new Error(HQ.t("wp_bad_item", { code }));
      return { [kind]: code, weight: weight ? Number(weight) : 1 };
    });
  }

  function readHours(text) {
    if (!text.trim()) return null;
    const hours = {};
    for (const part of text.split(/[;；]/).map((p) => p.trim()).filter(Boolean)) {
      const [day, ...spans] = part.split(/\s+/);
      if (!DAYS.includes(day) || !spans.length) throw new Error(HQ.t("wp_bad_hours", { text: part }));
      hours[day] = spans.map((s) => {
        const pair = s.split("-");
        if (pair.length !== 2) throw new Error(HQ.t("wp_bad_hours", { text: part }));
        return pair;
      });
    }
    return hours;
  }

  function windowRow(w) {
    const row = HQ.el(
      "tr",
      { class: "plan-window" },
      HQ.el("td", {}, HQ.el("input", { class: "w-number", type: "number", min: 1, max: 999, value: w.number })),
      HQ.el("td", {}, HQ.el("input", { class: "w-name", value: w.name, maxlength: 40 })),
      HQ.el("td", {}, HQ.el("input", { class: "w-items", value: itemsText(w.profile || []), size: 40 })),
      HQ.el("td", {}, HQ.el("input", { class: "w-hours", value: hoursText(w.hours), size: 36 })),
      HQ.el("td", {}, HQ.el("button", { type: "button", class: "w-remove", text: HQ.t("wp_remove"), onclick: () => row.remove() }))
    );
    row.dataset.kind = w.kind || "comprehensive";
    row.dataset.rules = JSON.stringify(w.rules || {});
    return row;
  }

  function edit(found) {
    plan = found;
    $("plan-name").value = found.name;
    $("plan-windows").tBodies[0].replaceChildren(...found.windows.map(windowRow));
    $("plan-editor").hidden = false;
    $("plan-delete").hidden = !found.id;
    const applied = found.applied_at ? HQ.t("wp_applied", { date: found.applied_from }) : found.applied_from ? HQ.t("wp_scheduled", { date: found.applied_from }) : "";
    status(applied);
  }

  function readPlan() {
    const windows = [...$("plan-windows").tBodies[0].rows].map((row) => ({
      number: Number(row.querySelector(".w-number").value),
      name: row.querySelector(".w-name").value,
      kind: row.dataset.kind,
      rules: JSON.parse(row.dataset.rules),
      profile: readItems(row.querySelector(".w-items").value),
      hours: readHours(row.querySelector(".w-hours").value),
    }));
    return { name: $("plan-name").value, windows };
  }

  // --- the site's plans -------------------------------------------------------------

  let listed = { plans: [], current: [] };

  async function loadPlans(select) {
    listed = await M.api(base());
    $("plan-list").replaceChildren(
      HQ.el("option", { value: "", text: "—" }),
      ...listed.plans.map((p) => HQ.el("option", { value: p.id, text: p.name }))
    );
    if (select) {
      $("plan-list").value = select;
      edit(listed.plans.find((p) => p.id === select));
    }
  }

  async function save() {
    status("");
    let body;
    try {
      body = readPlan();
    } catch (e) {
      status(e.message);
      return null;
    }
    try {
      const saved = plan && plan.id
        ? await M.api(base() + "/" + plan.id, { method: "PUT", body })
        : await M.api(base(), { body });
      await loadPlans(saved.id);
      status(HQ.t("wp_saved"));
      return saved;
    } catch (e) {
      if (!M.failed(e)) status(e.message);
      return null;
    }
  }

  // --- the replay -------------------------------------------------------------------

  const minutes = (v) => (v === null || v === undefined ? "—" : Number(v).toFixed(1));
  const share = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%");

  function show(found) {
    hook.result = found;
    const a = found.baseline, b = found.plan;
    const name = (key) => (key === "all" ? HQ.t("wp_all") : found.items[key] || key.slice(2));
    const keys = Object.keys(b.items).sort((x, y) => (x === "all") - (y === "all") || b.items[y].tickets - b.items[x].tickets);
    const heads = [HQ.t("wp_item"), "#"];
    for (const plan of [a, b]) {
      const label = plan.plan === "current" ? HQ.t("wp_current") : plan.name;
      heads.push(label + " · " + HQ.t("wp_avg"), label + " · " + HQ.t("wp_p90"), label + " · " + HQ.t("wp_within"), label + " · " + HQ.t("wp_not_served"));
    }
    const rows = keys.map((key) =>
      HQ.el("tr", { "data-item": key }, [
        HQ.el("td", { text: name(key) }),
        HQ.el("td", { text: b.items[key].tickets }),
        ...[a, b].flatMap((p) => {
          const f = p.items[key] || {};
          return [minutes(f.average_minutes), minutes(f.p90_minutes), share(f.within_target_share), f.not_served ?? "—"].map((v) => HQ.el("td", { text: v }));
        }),
      ])
    );
    $("plan-table").replaceChildren(HQ.table({ class: "m-table", id: "plan-compare" }, heads, rows));
    $("plan-summary").textContent = HQ.t("wp_summary", {
      first: found.first_day, last: found.last_day, days: found.days_with_history, tickets: found.tickets,
      target: found.target_wait_minutes, seconds: found.seconds,
    });
    $("plan-result").hidden = false;
    const labels = [HQ.t("wp_current"), b.name];
    if (a.plan !== "current") labels[0] = a.name;
    const top = keys.filter((k) => k !== "all").slice(0, 15);
    const waits = echarts.init($("plan-chart"), null, { renderer: "svg" });
    waits.setOption({
      tooltip: { trigger: "axis" }, legend: { data: labels }, grid: { left: 160, right: 20 },
      xAxis: { type: "value", name: HQ.t("wp_avg") },
      yAxis: { type: "category", data: top.map(name), inverse: true },
      series: [a, b].map((p, i) => ({ name: labels[i], type: "bar", data: top.map((k) => (p.items[k] ? p.items[k].average_minutes : null)) })),
    });
    hook.charts.waits = waits;
    const hours = [...new Set([a, b].flatMap((p) => Object.values(p.utilisation).flatMap((h) => Object.keys(h))))].map(Number).sort((x, y) => x - y);
    const mean = (p, h) => {
      const found = Object.values(p.utilisation).map((byHour) => byHour[h]).filter((v) => v !== undefined);
      return found.length ? +(found.reduce((s, v) => s + v, 0) / found.length).toFixed(3) : null;
    };
    const busy = echarts.init($("plan-busy"), null, { renderer: "svg" });
    busy.setOption({
      tooltip: { trigger: "axis" }, legend: { data: labels },
      xAxis: { type: "category", data: hours.map((h) => M.pad(h) + ":00") },
      yAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => v * 100 + "%" } },
      series: [a, b].map((p, i) => ({ name: labels[i], type: "line", data: hours.map((h) => mean(p, h)) })),
    });
    hook.charts.busy = busy;
  }

  async function run() {
    const saved = await save();
    if (!saved) return;
    try {
      show(await M.api(base() + "/" + saved.id + "/replay", { body: { weeks: Number($("plan-weeks").value) } }));
    } catch (e) {
      if (!M.failed(e)) status(e.message);
    }
  }

  async function apply() {
    if (!plan || !plan.id) return;
    try {
      const done = await M.api(base() + "/" + plan.id + "/apply", { body: { from: $("plan-from").value } });
      await loadPlans(done.plan.id);
    } catch (e) {
      if (!M.failed(e)) status(e.message);
    }
  }

  // --- the page ---------------------------------------------------------------------

  async function start() {
    try {
      const live = await M.api("/manage/live");
      items = live.items || {};
      $("plan-site").replaceChildren(
        ...M.tree(live.sites.map((s) => s.site)).map((n) => HQ.el("option", { value: n.site.id, text: "\u3000".repeat(n.depth) + M.siteName(n.site) }))
      );
      $("plan-from").value = M.localDate(new Date());
      await loadPlans();
    } catch (e) {
      if (!M.failed(e)) status(e.message);
    }
  }

  $("plan-site").addEventListener("change", () => {
    $("plan-editor").hidden = true;
    $("plan-result").hidden = true;
    loadPlans().catch(M.failed);
  });
  $("plan-list").addEventListener("change", () => {
    const found = listed.plans.find((p) => p.id === $("plan-list").value);
    if (found) edit(found);
  });
  $("plan-new").addEventListener("click", () => {
    $("plan-list").value = "";
    edit({ name: HQ.t("wp_new"), windows: listed.current.map((w) => Object.assign({}, w, { hours: null })) });
  });
  $("plan-add").addEventListener("click", () => {
    const numbers = [...document.querySelectorAll(".w-number")].map((i) => Number(i.value));
    const next = numbers.length ? Math.max(...numbers) + 1 : 1;
    $("plan-windows").tBodies[0].append(windowRow({ number: next, name: HQ.t("window_n", { n: next }), profile: [], hours: null }));
  });
  $("plan-save").addEventListener("click", save);
  $("plan-run").addEventListener("click", run);
  $("plan-apply").addEventListener("click", apply);
  $("plan-delete").addEventListener("click", async () => {
    if (!plan || !plan.id) return;
    try {
      await M.api(base() + "/" + plan.id, { method: "DELETE" });
      plan = null;
      $("plan-editor").hidden = true;
      $("plan-result").hidden = true;
      await loadPlans();
    } catch (e) {
      if (!M.failed(e)) status(e.message);
    }
  });
  window.addEventListener("resize", () => Object.values(hook.charts).forEach((c) => c.resize()));
  M.boot(start);
})();
