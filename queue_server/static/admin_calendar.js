/* Administration: the calendar — a year's national holidays and make-up working days (法定
 * 节假日与调休, imported as JSON, city-wide admins) and a site's own days (a market-day
 * closure, a special opening). Registered in HQ_ADMIN_SECTIONS; admin.js passes its helpers. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const t = HQ.t;
  const el = HQ.el;

  async function calendarSection(kit) {
    const { box, picker } = await kit.siteSection("calendar-box", (site) => showSite(site));
    const yearBox = el("div", { id: "calendar-year" });
    const siteBox = el("div", { id: "calendar-site" });
    box.replaceChildren(yearBox, siteBox);

    async function showYear(year) {
      const listed = await kit.api(`/admin/calendar/${year}`);
      const yearInput = el("input", { type: "number", id: "calendar-year-input", min: 2000, max: 2100, value: String(year) });
      yearInput.addEventListener("change", () => showYear(Number(yearInput.value) || year));
      const rows = listed.days.map((d) => el("tr", {}, el("td", { text: d.date }), el("td", { text: t("adm_calendar_kind_" + d.kind) }), el("td", { text: d.name }), el("td", { text: d.kind === "workday" ? d.hours_of : "" })));
      const table = rows.length
        ? el("table", { class: "grid a-table" }, el("thead", {}, el("tr", {}, [t("adm_site_day_date"), t("adm_kind"), t("adm_name"), t("adm_calendar_hours_of")].map((h) => el("th", { text: h })))), el("tbody", {}, rows))
        : el("p", { text: t("adm_calendar_none") });
      const form = kit.formEl("calendar-import", [kit.field({ name: "days", label: t("adm_calendar_import"), type: "textarea", rows: 6, help: t("adm_calendar_import_help") }, "")]);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        let days;
        try {
          days = JSON.parse(form.querySelector("[name=days]").value);
        } catch (err) {
          kit.showError(form, { message: t("adm_calendar_bad_json"), field: "days" });
          return;
        }
        if (!Array.isArray(days)) {
          kit.showError(form, { message: t("adm_calendar_bad_json"), field: "days" });
          return;
        }
        kit.save(form, () => kit.api(`/admin/calendar/${year}`, { method: "PUT", body: { days } }), () => showYear(year));
      });
      yearBox.replaceChildren(kit.card(t("adm_calendar_national"), el("p", {}, el("label", { for: "calendar-year-input", text: t("adm_calendar_year") + " " }), yearInput), el("small", { class: "help", text: t("adm_calendar_help") }), el("div", { class: "a-scroll" }, table), form));
    }

    async function showSite(siteId) {
      const path = `/admin/sites/${encodeURIComponent(siteId)}/days`;
      const listed = await kit.api(path);
      if (!picker.shows(siteId)) return;
      const rows = listed.days.map((d) => {
        const remove = el("button", { type: "button", text: t("adm_site_day_delete") });
        remove.addEventListener("click", () => kit.save(siteBox, () => kit.api(`${path}/${d.date}`, { method: "DELETE" }), () => showSite(siteId)));
        const spans = d.closed ? t("adm_site_day_closed") : d.spans.map((s) => s.join("-")).join(", ");
        return el("tr", {}, el("td", { text: d.date }), el("td", { text: spans }), el("td", { text: d.note }), el("td", {}, remove));
      });
      const form = kit.formEl("site-day-form", [
        el(
          "div",
          { class: "a-grid" },
          kit.field({ name: "date", label: t("adm_site_day_date"), type: "date" }, ""),
          kit.field({ name: "closed", label: t("adm_site_day_closed"), type: "checkbox" }, true),
          kit.field({ name: "spans", label: t("adm_site_day_spans"), type: "lines" }, ""),
          kit.field({ name: "note", label: t("adm_site_day_note") }, "")
        ),
      ]);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const given = kit.values(form);
        const body = { closed: given.closed, note: given.note, spans: (given.spans || []).map((line) => line.split("-").map((s) => s.trim())) };
        kit.save(form, () => kit.api(`${path}/${given.date}`, { method: "PUT", body }), () => showSite(siteId));
      });
      const follows = el("p", { text: t("adm_site_day_follows") + ": " + (listed.follows_national ? "✓" : "✗") });
      const table = el("table", { class: "grid a-table" }, el("thead", {}, el("tr", {}, [t("adm_site_day_date"), t("adm_site_day_spans"), t("adm_site_day_note"), ""].map((h) => el("th", { text: h })))), el("tbody", {}, rows));
      siteBox.replaceChildren(kit.card(t("adm_site_days"), follows, el("small", { class: "help", text: t("adm_site_days_help") }), el("div", { class: "a-scroll" }, table), form));
    }

    await showYear(new Date().getFullYear());
    await showSite(picker.select.value);
  }

  window.HQ_ADMIN_SECTIONS = window.HQ_ADMIN_SECTIONS || {};
  window.HQ_ADMIN_SECTIONS.calendar = calendarSection;
})();
