/* The reports page: a date range and a part of the site tree; summary figures, then one
 * card per table (GET /api/v1/reports/...) with its ECharts chart and its CSV/XLSX
 * downloads. Charts draw as SVG, so they print sharp. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const M = HQ.manage;
  const $ = (id) => document.getElementById(id);
  const PALETTE = ["#c0282d", "#1d5fbf", "#1f8a4c", "#d97706", "#7c3aed", "#0e7490", "#be185d", "#65a30d"];
  const RATING_COLORS = ["#1f8a4c", "#65a30d", "#d97706", "#ea580c", "#c0282d"];
  const WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
  const WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  // Column headings of the API's tables (Chinese) in English.
  const EN = {
    范围: "Range", 小时: "Hour", 日期: "Day", 星期: "Weekday", 网点: "Site", 事项: "Service", 部门: "Department",
    窗口: "Window", 工作人员: "Clerk", 渠道: "Channel", 类别: "Priority", 取号: "Issued", 办结: "Served", 过号: "No-shows",
    未办: "Unserved", 转办: "Transfers", 移交: "Referred", 重呼: "Recalls", 即办: "On the spot", 平均等候: "Mean wait",
    等候中位数: "Median wait", 等候P90: "P90 wait", 平均办理: "Mean service", 办理中位数: "Median service",
    办理P90: "P90 service", 目标内占比: "Within target", 叫号数: "Called", 承诺件: "Accepted", 材料不全: "Materials incomplete",
    即办件占比: "On-the-spot share", 非常满意: "Very satisfied", 满意: "Satisfied", 基本满意: "Fairly satisfied",
    不满意: "Dissatisfied", 非常不满意: "Very dissatisfied", 评价数: "Ratings", 满意率: "Satisfaction", 占比: "Share",
    周一: "Mon", 周二: "Tue", 周三: "Wed", 周四: "Thu", 周五: "Fri", 周六: "Sat", 周日: "Sun",
    "周（自周一）": "Week (from Monday)", 时段: "Slot", 可预约号源: "Bookable places", 已预约: "Booked", 已签到: "Checked in",
    爽约: "No-shows", 已取消: "Cancelled", 待签到: "To come", 到期预约: "Came due", 准时签到: "On time", 迟到签到: "Late",
    准时率: "On-time rate", 迟到率: "Late rate", 爽约率: "No-show rate", "签到时间中位数（分钟）": "Median check-in (min from start)",
    "签到距时段开始（分钟）": "Check-in from slot start (min)", 合计: "Total", 预约占比: "Appointment share",
    一件事: "One-thing bundle", 环节: "Stage", 办理次数: "Served", 计时次数: "Timed", 平均环节用时: "Mean stage (min)",
    自助取号: "Kiosk", 预约: "Appointment", 窗口代取: "Staff", 网上取号: "Online", 电话预约: "Phone",
    测量数: "Measured", "平均绝对误差（分钟）": "Mean absolute error (min)", "偏差（分钟）": "Bias (min)", 区间内占比: "Within the band",
  };
  // Columns whose cells name a site or an item, in any report.
  const NAMED = { 网点: "site", 事项: "service" };
  const tr = (text) => (HQ.lang === "en" && EN[text] ? EN[text] : text);
  const isShare = (column) => /占比|率/.test(column);

  const SECTIONS = [
    { id: "by_day", report: "throughput", by: "day", chart: "series", series: ["取号", "办结", "过号"], wide: true, line: true },
    { id: "by_hour", report: "throughput", by: "hour", chart: "series", series: ["取号", "办结"] },
    { id: "by_weekday", report: "throughput", by: "weekday", chart: "series", series: ["取号", "办结"] },
    { id: "times", report: "times", by: "service", chart: "series", series: ["平均等候", "等候P90", "平均办理"], horizontal: true, top: ["叫号数", 15] },
    { id: "outcomes", report: "outcomes", chart: "parts", parts: ["即办", "承诺件", "移交", "材料不全"] },
    { id: "ratings", report: "ratings", chart: "ratings" },
    { id: "channels", report: "channels", chart: "channels", labelBy: "channel" },
    { id: "heatmap", report: "heatmap", chart: "heatmap", wide: true },
    { id: "by_site", report: "throughput", by: "site", chart: "series", series: ["取号", "办结"] },
    { id: "by_department", report: "throughput", by: "department", chart: "series", series: ["取号", "办结"], horizontal: true, top: ["取号", 15] },
    { id: "by_counter", report: "throughput", by: "counter" },
    { id: "by_clerk", report: "throughput", by: "clerk" },
    // appointments (预约) and channels: docs/appointments-reports.md
    { id: "channel_days", report: "channel_days", by: "day", chart: "channel_days", wide: true },
    { id: "slots", report: "slots", by: "hour", labelBy: "text", chart: "series", series: ["已签到", "爽约", "已取消", "待签到"], stack: true },
    { id: "punctuality", report: "punctuality", labelBy: "site", chart: "series", series: ["准时签到", "迟到签到", "爽约"], stack: true, horizontal: true },
    { id: "checkin_minutes", report: "checkin_minutes", labelBy: "text", chart: "series", series: ["准时签到", "迟到签到"], stack: true },
    { id: "booking_no_shows", report: "booking_no_shows" },
    // how good the promised waits are: docs/reports.md
    { id: "estimate_accuracy", report: "estimate_accuracy" },
    // “一件事”: each bundle's stages and the bundle as a whole (docs/reports.md)
    { id: "bundle_stages", report: "bundle_stages" },
  ];
  const CHANNELS = ["kiosk", "appointment", "staff", "online", "phone"];
  const hook = (window.hallqueueReports = { charts: {}, tables: {}, loads: 0 });
  let scope = { sites: new Map(), items: {} };

  // --- names of what the tables group by --------------------------------------------

  function label(by, value) {
    if (value === null || value === undefined) return "—";
    if (by === "text") return String(value);
    if (by === "site") return scope.sites.has(value) ? M.siteName(scope.sites.get(value)) : value;
    if (by === "service") return M.itemName(scope.items, "S:" + value) !== value ? M.itemName(scope.items, "S:" + value) : M.itemName(scope.items, "B:" + value);
    if (by === "counter") {
      const [site, n] = String(value).split(" #");
      return (scope.sites.has(site) ? M.siteName(scope.sites.get(site)) + " " : "") + HQ.t("window_n", { n });
    }
    if (by === "channel") return HQ.t("channel_" + value);
    if (by === "weekday" && HQ.lang === "en" && WEEKDAYS.includes(value)) return WEEKDAYS_EN[WEEKDAYS.indexOf(value)];
    if (by === "hour") return M.pad(value) + ":00";
    return String(value);
  }

  function cell(column, value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number" && isShare(column)) return (value * 100).toFixed(1) + "%";
    if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(1);
    return String(value);
  }

  // --- exports: the API wants a Bearer token, so a download is a fetch and a blob ------

  function exportUrl(report, by, format) {
    const q = params(report, by);
    q.set("format", format);
    return "/api/v1/reports/" + report + "?" + q.toString();
  }

  function exportLinks(report, by) {
    return [
      HQ.el("a", { href: exportUrl(report, by, "csv"), "data-export": "csv", text: HQ.t("download_csv") }),
      HQ.el("a", { href: exportUrl(report, by, "xlsx"), "data-export": "xlsx", text: HQ.t("download_xlsx") }),
    ];
  }

  document.addEventListener("click", async (ev) => {
    const a = ev.target.closest("a[data-export]");
    if (!a) return;
    ev.preventDefault();
    try {
      const response = await fetch(a.getAttribute("href"), { headers: { Authorization: "Bearer " + M.token() }, cache: "no-store" });
      if (!response.ok) throw new HQ.ApiError(response.status, await response.json().catch(() => null));
      const disposition = response.headers.get("Content-Disposition") || "";
      const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "hallqueue-report." + a.dataset.export;
      const url = URL.createObjectURL(await response.blob());
      const link = HQ.el("a", { href: url, download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      M.failed(e);
    }
  });

  // --- charts ----------------------------------------------------------------------

  const baseOption = () => ({
    color: PALETTE,
    animation: false,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    tooltip: { trigger: "axis" },
    grid: { left: 12, right: 18, top: 36, bottom: 10, containLabel: true },
  });

  function chartOption(section, table) {
    const cols = table.columns;
    const rows = table.rows;
    const at = (name) => cols.indexOf(name);
    if (section.chart === "series") {
      // A long table charts its biggest rows (the table below has them all).
      const shown = section.top ? rows.slice().sort((a, b) => (b[at(section.top[0])] || 0) - (a[at(section.top[0])] || 0)).slice(0, section.top[1]) : rows;
      const names = shown.map((r) => label(section.labelBy || section.by, r[0]));
      const value = section.horizontal ? { type: "value" } : { type: "value" };
      const category = { type: "category", data: names, axisLabel: { interval: section.horizontal ? 0 : "auto" } };
      if (section.horizontal) category.inverse = true;
      return Object.assign(baseOption(), {
        legend: { top: 0 },
        xAxis: section.horizontal ? value : category,
        yAxis: section.horizontal ? category : value,
        dataZoom: !section.horizontal && names.length > 45 ? [{ type: "inside" }] : undefined,
        series: section.series.map((name) => ({
          name: tr(name),
          type: section.line ? "line" : "bar",
          stack: section.stack ? "all" : undefined,
          data: shown.map((r) => r[at(name)]),
        })),
      });
    }
    if (section.chart === "parts") {
      const row = rows[0] || [];
      return Object.assign(baseOption(), {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{d}%" }, data: section.parts.map((p) => ({ name: tr(p), value: row[at(p)] || 0 })) }],
      });
    }
    if (section.chart === "ratings") {
      const row = rows[0] || [];
      const levels = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
      return Object.assign(baseOption(), {
        xAxis: { type: "category", data: levels.map(tr) },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: levels.map((l, i) => ({ value: row[at(l)] || 0, itemStyle: { color: RATING_COLORS[i] } })), label: { show: true, position: "top" } }],
      });
    }
    if (section.chart === "channels") {
      return Object.assign(baseOption(), {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: "62%", label: { formatter: "{b}\n{d}%" }, data: rows.map((r) => ({ name: label("channel", r[0]), value: r[1] })) }],
      });
    }
    if (section.chart === "channel_days") {
      // Rows are per site and day: the chart sums the sites of each day, a bar per channel.
      const days = [...new Set(rows.map((r) => r[1]))].sort();
      const sums = new Map(days.map((d) => [d, CHANNELS.map(() => 0)]));
      for (const r of rows) CHANNELS.forEach((c, i) => (sums.get(r[1])[i] += r[2 + i] || 0));
      return Object.assign(baseOption(), {
        legend: { top: 0 },
        xAxis: { type: "category", data: days },
        yAxis: { type: "value" },
        dataZoom: days.length > 45 ? [{ type: "inside" }] : undefined,
        series: CHANNELS.map((c, i) => ({ name: label("channel", c), type: "bar", stack: "all", data: days.map((d) => sums.get(d)[i]) })),
      });
    }
    if (section.chart === "heatmap") {
      const hours = rows.map((r) => M.pad(r[0]) + ":00");
      const data = [];
      let max = 1;
      rows.forEach((r, y) => {
        for (let d = 0; d < 7; d++) {
          data.push([d, y, r[d + 1]]);
          max = Math.max(max, r[d + 1]);
        }
      });
      return Object.assign(baseOption(), {
        tooltip: { position: "top" },
        grid: { left: 12, right: 18, top: 10, bottom: 50, containLabel: true },
        xAxis: { type: "category", data: (HQ.lang === "en" ? WEEKDAYS_EN : WEEKDAYS).slice(), splitArea: { show: true } },
        yAxis: { type: "category", data: hours, inverse: true, splitArea: { show: true } },
        visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#fff7f0", "#f3c24b", "#c0282d"] } },
        series: [{ type: "heatmap", data, label: { show: rows.length <= 14, fontSize: 10 } }],
      });
    }
    return null;
  }

  function drawChart(section, el, table) {
    const old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    const option = chartOption(section, table);
    if (!option || !table.rows.length) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    if (section.horizontal) el.style.height = Math.max(300, Math.min(table.rows.length, section.top ? section.top[1] : 99) * 26 + 70) + "px";
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    hook.charts[section.id] = chart;
  }

  // --- tables ----------------------------------------------------------------------

  function textOf(section, column, i, value) {
    if (NAMED[column] && section.report !== "heatmap") return label(NAMED[column], value);
    if (i === 0 && section.report !== "heatmap") return label(section.labelBy || section.by, value);
    return cell(column, value);
  }

  function tableOf(section, table) {
    if (!table.rows.length) return HQ.el("p", { class: "m-muted", text: HQ.t("no_data") });
    const numeric = table.columns.map((c, i) => (i > 0 && !NAMED[c] && c !== "日期" && c !== "时段" && c !== "周（自周一）") || section.report === "heatmap");
    return HQ.el(
      "table",
      { class: "grid" },
      HQ.el("thead", {}, HQ.el("tr", {}, table.columns.map((c, i) => HQ.el("th", { class: numeric[i] ? "n" : null, text: tr(c) })))),
      HQ.el(
        "tbody",
        {},
        table.rows.map((r) =>
          HQ.el("tr", {}, r.map((v, i) => HQ.el("td", { class: numeric[i] ? "n" : null, text: textOf(section, table.columns[i], i, v) })))
        )
      )
    );
  }

  function params(report, by) {
    const q = new URLSearchParams({ from: $("from").value, to: $("to").value });
    if ($("root").value) q.set("site", $("root").value);
    if (by) q.set("by", by);
    return q;
  }

  async function loadSection(section, card) {
    const table = await M.api("/reports/" + section.report + "?" + params(section.report, section.by).toString());
    hook.tables[section.id] = table;
    card.querySelector(".table-wrap").replaceChildren(tableOf(section, table));
    const el = card.querySelector(".chart");
    if (el) drawChart(section, el, table);
  }

  function summaryFigure(key, value) {
    let text = "—";
    if (value !== null && value !== undefined) {
      if (/_rate$|_share$/.test(key)) text = (value * 100).toFixed(1) + "%";
      else if (/_minutes$/.test(key)) text = value.toFixed(1);
      else text = String(value);
    }
    return HQ.el("div", { class: "figure", "data-figure": key }, HQ.el("span", { class: "label", text: HQ.t("m_" + key) }), HQ.el("span", { class: "value", text }));
  }

  async function run() {
    for (const chart of Object.values(hook.charts)) chart.dispose();
    hook.charts = {};
    hook.tables = {};
    const root = $("root").value;
    const where = root && scope.sites.has(root) ? M.siteName(scope.sites.get(root)) : HQ.t("all_sites");
    $("report-scope").textContent = where + " · " + $("from").value + " — " + $("to").value + " · " + HQ.t("generated") + " " + new Date().toLocaleString(HQ.lang === "en" ? "en-GB" : "zh-CN");
    document.querySelector('[data-exports="summary"]').replaceChildren(...exportLinks("summary", null));
    const cards = SECTIONS.map((section) =>
      HQ.el(
        "section",
        { class: "card report" + (section.wide ? " wide" : ""), "data-report": section.id },
        HQ.el("h3", {}, HQ.t("r_" + section.id), HQ.el("span", { class: "m-exports" }, exportLinks(section.report, section.by))),
        section.chart ? HQ.el("div", { class: "chart" }) : null,
        HQ.el("div", { class: "table-wrap" }, HQ.el("p", { class: "m-muted", text: HQ.t("loading") }))
      )
    );
    $("report-sections").replaceChildren(...cards);
    try {
      const summary = await M.api("/reports/summary?" + params("summary", null).toString());
      hook.tables.summary = summary;
      $("summary").replaceChildren(...summary.rows.map((r) => summaryFigure(r[0], r[1])));
      // Sections drawn by their own files (manage_watch.js), for the same range and sites.
      const extras = (window.HQ_REPORT_EXTRAS || []).map((draw) => draw({ query: params(null, null), scope }));
      await Promise.all(SECTIONS.map((s, i) => loadSection(s, cards[i])).concat(extras));
      hook.loads += 1;
    } catch (e) {
      if (!M.failed(e)) $("report-scope").textContent = e.message;
    }
  }

  async function start() {
    try {
      const live = await M.api("/manage/live");
      scope = { sites: new Map(live.sites.map((s) => [s.site.id, s.site])), items: live.items };
      const tree = M.tree(live.sites.map((s) => s.site));
      $("root").replaceChildren(
        HQ.el("option", { value: "", text: HQ.t("all_sites") }),
        ...tree.map((n) => HQ.el("option", { value: n.site.id, text: "\u3000".repeat(n.depth) + M.siteName(n.site) }))
      );
    } catch (e) {
      if (M.failed(e)) return;
    }
    const url = new URL(location.href).searchParams;
    const today = new Date();
    $("to").value = url.get("to") || M.localDate(today);
    $("from").value = url.get("from") || M.localDate(new Date(today.getTime() - 29 * 86400000));
    if (url.get("site") && scope.sites.has(url.get("site"))) $("root").value = url.get("site");
    await run();
  }

  $("report-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set("from", $("from").value);
    url.searchParams.set("to", $("to").value);
    if ($("root").value) url.searchParams.set("site", $("root").value);
    else url.searchParams.delete("site");
    history.replaceState(null, "", url.toString());
    run();
  });
  $("print").addEventListener("click", () => window.print());
  const resize = () => Object.values(hook.charts).forEach((c) => c.resize());
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  // Chromium may lay out for print without a beforeprint (e.g. emulated print media).
  window.matchMedia("print").addEventListener("change", resize);
  M.boot(start);
})();
