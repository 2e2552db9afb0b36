/* The reports page's sections behind the queue rules: the watch report (黄牛监测: ID cards
 * and proxies that held unusually many tickets, GET /api/v1/reports/heavy-holders) and the
 * out-of-order calls per clerk (GET /api/v1/reports/out-of-order). manage_reports.js calls
 * each function in HQ_REPORT_EXTRAS with the page's range and sites on every 查询.
 * ID cards appear only as the first characters of their keyed hash and a masked name. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const M = HQ.manage;
  const $ = (id) => document.getElementById(id);
  const EN = {
    网点: "Site", 身份标识: "Card", 姓名: "Name", 取号: "Tickets", 天数: "Days", 事项数: "Items",
    单日最多: "Most in a day", 单日限额: "Daily limit", 超出: "Over", 代办人: "Proxy", 类型: "Kind",
    账号或身份标识: "Account / card", 每日上限: "Daily cap", 满额天数: "Days at cap", 上限使用率: "Cap used",
    工作人员: "Clerk", 叫号总数: "Calls", 点名叫号: "Out of order", 点名占比: "Out-of-order share",
    补齐材料返回: "Returned with materials", 预约准时到达: "Appointment on time", 特殊困难: "Special need",
    联办转办衔接: "Joint handling", 系统故障补叫: "System fault", 现场负责人安排: "Manager's instruction",
    其他: "Other", 时间: "Time", 号码: "Number", 窗口: "Window", 原因: "Reason",
  };
  const tr = (text) => (HQ.lang === "en" && EN[text] ? EN[text] : text);
  const hook = (window.hallqueueWatch = { tables: {}, loads: 0 });
  let rangeLimit = 5;

  function cell(column, value, scope, row) {
    if (value === null || value === undefined || value === "") return "—";
    if (column === "账号或身份标识" && row[2] === "registered") return "#" + value;
    if (column === "网点") return scope.sites.has(value) ? M.siteName(scope.sites.get(value)) : value;
    if (column === "类型") return HQ.t("adm_proxy_kind_" + value);
    if (column === "超出") return String(value).split(",").map((v) => HQ.t("r_over_" + v)).join("、");
    if (column === "原因") return HQ.t("ooo_" + value);
    if (column === "身份标识") return "#" + value;
    if (column === "窗口") return HQ.t("window_n", { n: value });
    if (typeof value === "number" && /占比|使用率/.test(column)) return (value * 100).toFixed(1) + "%";
    return String(value);
  }

  function tableOf(id, table, scope) {
    if (!table.rows.length) return HQ.el("p", { class: "m-muted", text: HQ.t("no_data") });
    const numeric = table.columns.map((c, i) => table.rows.some((r) => typeof r[i] === "number") && c !== "窗口");
    return HQ.el(
      "table",
      { class: "grid", "data-table": id },
      HQ.el("thead", {}, HQ.el("tr", {}, table.columns.map((c, i) => HQ.el("th", { class: numeric[i] ? "n" : null, text: tr(c) })))),
      HQ.el("tbody", {}, table.rows.map((r) => HQ.el("tr", {}, r.map((v, i) => HQ.el("td", { class: numeric[i] ? "n" : null, text: cell(table.columns[i], v, scope, r) })))))
    );
  }

  /* tables: table name → its label; each gets a CSV and an Excel link. */
  function links(report, query, tables) {
    return Object.entries(tables).flatMap(([table, label]) =>
      ["csv", "xlsx"].map((format) => {
        const q = new URLSearchParams(query);
        q.set("format", format);
        q.set("table", table);
        const text = label + " " + HQ.t("download_" + format);
        return HQ.el("a", { href: `/api/v1/reports/${report}?${q.toString()}`, "data-export": format, "data-table": table, text });
      })
    );
  }

  function section(id, title, ...children) {
    return HQ.el("section", { class: "card report wide", "data-report": id }, HQ.el("h3", {}, title), ...children);
  }

  async function drawHolders(card, query, scope) {
    const q = new URLSearchParams(query);
    q.set("range_limit", String(rangeLimit));
    const result = await M.api("/reports/heavy-holders?" + q.toString());
    hook.tables.heavy_identities = result.identities;
    hook.tables.heavy_proxies = result.proxies;
    card.querySelector(".m-exports").replaceChildren(...links("heavy-holders", q, { identities: HQ.t("r_heavy_identities"), proxies: HQ.t("r_heavy_proxies") }));
    card.querySelector(".m-help").textContent = HQ.t("r_heavy_help", { n: result.range_limit });
    card.querySelector('[data-wrap="identities"]').replaceChildren(tableOf("heavy_identities", result.identities, scope));
    card.querySelector('[data-wrap="proxies"]').replaceChildren(tableOf("heavy_proxies", result.proxies, scope));
  }

  async function drawOutOfOrder(card, query, scope) {
    const result = await M.api("/reports/out-of-order?" + query.toString());
    hook.tables.out_of_order = result.clerks;
    hook.tables.out_of_order_latest = result.latest;
    card.querySelector(".m-exports").replaceChildren(...links("out-of-order", query, { clerks: tr("工作人员"), latest: HQ.t("r_out_of_order_latest") }));
    card.querySelector('[data-wrap="clerks"]').replaceChildren(tableOf("out_of_order", result.clerks, scope));
    card.querySelector('[data-wrap="latest"]').replaceChildren(tableOf("out_of_order_latest", result.latest, scope));
  }

  async function draw(context) {
    const box = $("rules-sections");
    if (!box) return;
    box.style.marginTop = "1em";
    const query = new URLSearchParams(context.query);
    const scope = context.scope;
    const wrap = (name) => HQ.el("div", { class: "table-wrap", "data-wrap": name }, HQ.el("p", { class: "m-muted", text: HQ.t("loading") }));
    const limit = HQ.el("input", { type: "number", id: "range-limit", min: "1", max: "10000", value: String(rangeLimit), class: "m-limit" });
    const holders = section(
      "heavy_holders",
      HQ.t("r_heavy_holders"),
      HQ.el("div", { class: "m-bar" }, HQ.el("label", {}, HQ.t("r_range_limit") + " ", limit), HQ.el("span", { class: "m-exports" })),
      HQ.el("p", { class: "m-muted m-help" }),
      HQ.el("h4", { text: HQ.t("r_heavy_identities") }),
      wrap("identities"),
      HQ.el("h4", { text: HQ.t("r_heavy_proxies") }),
      wrap("proxies")
    );
    const calls = section(
      "out_of_order",
      HQ.t("r_out_of_order"),
      HQ.el("span", { class: "m-exports" }),
      wrap("clerks"),
      HQ.el("h4", { text: HQ.t("r_out_of_order_latest") }),
      wrap("latest")
    );
    limit.addEventListener("change", () => {
      const n = Number(limit.value);
      if (!Number.isInteger(n) || n < 1) return;
      rangeLimit = n;
      drawHolders(holders, query, scope).catch(M.failed);
    });
    box.replaceChildren(holders, calls);
    await Promise.all([drawHolders(holders, query, scope), drawOutOfOrder(calls, query, scope)]);
    hook.loads += 1;
  }

  (window.HQ_REPORT_EXTRAS = window.HQ_REPORT_EXTRAS || []).push(draw);
})();
