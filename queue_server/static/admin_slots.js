/* Administration: a site's bookable slots (预约号源) — per item or bundle the site offers,
 * how its open hours are cut into slots (length), how many citizens one slot takes, the
 * share of each slot kept for walk-ins, how many days ahead it can be booked. Reads
 * GET /api/v1/sites/{site}/slot-plans and the site's offerings; saves and deletes through
 * /api/v1/admin/sites/{site}/slot-plans/{kind}/{code} (on the audit log). Registered in
 * HQ_ADMIN_SECTIONS; admin.js passes its helpers. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const t = HQ.t;
  const el = HQ.el;
  const DEFAULTS = { slot_minutes: 30, capacity: 6, days_ahead: 7, walk_in_share: 0.3 };

  async function slotsSection(kit) {
    const { box, picker } = await kit.siteSection("slots-box", (site) => show(site));

    async function show(siteId, editing) {
      const site = encodeURIComponent(siteId);
      const [listed, detail] = await Promise.all([kit.api(`/sites/${site}/slot-plans`), kit.api(`/sites/${site}`)]);
      if (!picker.shows(siteId)) return;
      const plans = listed.plans;
      const names = {};
      for (const s of detail.services) names["service:" + s.code] = `${s.code} ${kit.itemName(s)}`;
      for (const b of detail.bundles) names["bundle:" + b.code] = `${t("adm_slots_bundle")} ${b.code} ${kit.itemName(b)}`;
      const keyOf = (plan) => plan.item_kind + ":" + plan.item_code;
      const current = editing ? plans.find((p) => keyOf(p) === editing) : null;
      const values = current || DEFAULTS;

      const form = kit.formEl(
        "slot-plan-form",
        [
          el(
            "div",
            { class: "a-grid" },
            kit.field({ name: "item", field: "item_code", label: t("adm_slots_item"), type: "select", options: Object.entries(names) }, current ? keyOf(current) : ""),
            kit.field({ name: "slot_minutes", label: t("adm_slots_minutes"), type: "number", min: 5, max: 240 }, values.slot_minutes),
            kit.field({ name: "capacity", label: t("adm_slots_capacity"), type: "number", min: 1, max: 500, help: t("adm_slots_capacity_help") }, values.capacity),
            kit.field({ name: "walk_in_share", label: t("adm_slots_walk_in"), type: "number", min: 0, max: 100, step: 1, help: t("adm_slots_walk_in_help") }, Math.round(values.walk_in_share * 100)),
            kit.field({ name: "days_ahead", label: t("adm_slots_days_ahead"), type: "number", min: 0, max: 90 }, values.days_ahead)
          ),
          el("small", { class: "help", text: t("adm_slots_help") }),
        ],
        current ? t("adm_save") : t("adm_slots_add")
      );
      if (current) form.querySelector("[name=item]").disabled = true;
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const data = kit.values(form);
        const [kind, code] = (current ? keyOf(current) : data.item).split(":");
        const body = {
          slot_minutes: Number(data.slot_minutes),
          capacity: Number(data.capacity),
          days_ahead: Number(data.days_ahead),
          walk_in_share: Number(data.walk_in_share) / 100,
        };
        kit.save(
          form,
          () => kit.api(`/admin/sites/${site}/slot-plans/${kind}/${encodeURIComponent(code)}`, { method: "PUT", body }),
          () => show(siteId)
        );
      });

      async function remove(plan) {
        if (!window.confirm(t("adm_slots_delete_confirm", { item: names[keyOf(plan)] || plan.item_code }))) return;
        try {
          await kit.api(`/admin/sites/${site}/slot-plans/${plan.item_kind}/${encodeURIComponent(plan.item_code)}`, { method: "DELETE" });
          kit.toast(t("adm_saved"));
          await show(siteId);
        } catch (e) {
          if (e.status !== 401) kit.toast(e.message, true);
        }
      }

      const rows = plans.map((p) =>
        el(
          "tr",
          { "data-plan": keyOf(p) },
          el("td", { text: names[keyOf(p)] || p.item_code }),
          el("td", { class: "n", text: p.slot_minutes }),
          el("td", { class: "n", text: p.capacity }),
          el("td", { class: "n", "data-bookable": "", text: p.bookable }),
          el("td", { class: "n", text: Math.round(p.walk_in_share * 100) + "%" }),
          el("td", { class: "n", text: p.days_ahead }),
          el(
            "td",
            {},
            el("button", { type: "button", "data-edit": keyOf(p), onclick: () => show(siteId, keyOf(p)) }, t("adm_edit")),
            " ",
            el("button", { type: "button", class: "warn", "data-delete": keyOf(p), onclick: () => remove(p) }, t("adm_slots_delete"))
          )
        )
      );
      const table = plans.length
        ? HQ.table(
            { class: "grid a-table", id: "slot-plans-table" },
            [t("adm_slots_item"), t("adm_slots_minutes"), t("adm_slots_capacity"), t("adm_slots_bookable"), t("adm_slots_walk_in"), t("adm_slots_days_ahead"), ""],
            rows
          )
        : el("p", { class: "a-muted", id: "slot-plans-none", text: t("adm_slots_none") });
      const title = current ? t("adm_slots_edit", { item: names[keyOf(current)] || current.item_code }) : t("adm_slots_add");
      const cancel = current ? el("button", { type: "button", onclick: () => show(siteId) }, t("adm_slots_cancel_edit")) : null;
      box.replaceChildren(kit.card(title, form, cancel), kit.card(t("adm_slots_list") + ` (${plans.length})`, table));
    }
    await show(picker.select.value);
  }

  window.HQ_ADMIN_SECTIONS = Object.assign(window.HQ_ADMIN_SECTIONS || {}, { slots: slotsSection });
})();
