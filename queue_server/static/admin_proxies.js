/* Administration: a site's proxies (代办人员, 帮办代办) — who they are, their daily cap, the
 * tickets they took today; register one (a member of staff, or a person by ID card),
 * change a cap, deactivate. Registered in HQ_ADMIN_SECTIONS; admin.js passes its helpers.
 * A card's number is sent once and never comes back: the list shows only the masked name
 * and the first characters of the card's keyed hash. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const t = HQ.t;
  const el = HQ.el;
  const KINDS = ["registered", "staff"];

  async function proxiesSection(kit) {
    const { box, picker } = await kit.siteSection("proxies-box", (site) => show(site));

    async function show(siteId) {
      const [listed, staff] = await Promise.all([kit.api(`/admin/sites/${encodeURIComponent(siteId)}/proxies`), kit.api("/admin/staff").then((r) => r.staff)]);
      if (!picker.shows(siteId)) return;
      const proxies = listed.proxies;
      const path = (proxy) => `/admin/sites/${encodeURIComponent(siteId)}/proxies/${encodeURIComponent(proxy.id)}`;

      const form = kit.formEl(
        "proxy-form",
        [
          el(
            "div",
            { class: "a-grid" },
            kit.field({ name: "kind", label: t("adm_proxy_kind"), type: "select", options: KINDS.map((k) => [k, t("adm_proxy_kind_" + k)]) }, "registered"),
            kit.field({ name: "name", label: t("adm_name"), help: t("adm_proxy_name_help") }),
            kit.field({ name: "daily_cap", label: t("adm_proxy_cap"), type: "number", min: 1, max: 500 }, 20),
            kit.field({ name: "id_number", label: t("adm_proxy_id_number"), help: t("adm_proxy_id_help"), autocomplete: "off" }),
            kit.field({ name: "username", label: t("adm_proxy_staff"), type: "select", options: [["", "—"]].concat(staff.filter((m) => m.active).map((m) => [m.username, m.display_name ? `${m.username}（${m.display_name}）` : m.username])) }, "")
          ),
          el("small", { class: "help", text: t("adm_proxy_help") }),
        ],
        t("adm_add_proxy")
      );
      const kind = form.querySelector("[name=kind]");
      const toggle = () => {
        form.querySelector('[data-field="id_number"]').hidden = kind.value !== "registered";
        form.querySelector('[data-field="username"]').hidden = kind.value !== "staff";
      };
      kind.addEventListener("change", toggle);
      toggle();
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const data = kit.values(form);
        const body = { kind: data.kind, name: data.name, daily_cap: data.daily_cap === "" ? null : Number(data.daily_cap) };
        if (data.kind === "registered") body.id_number = data.id_number;
        else body.username = data.username;
        const number = form.querySelector("[name=id_number]");
        kit.save(
          form,
          () => kit.api(`/admin/sites/${encodeURIComponent(siteId)}/proxies`, { body }).finally(() => (number.value = "")),
          () => show(siteId)
        );
      });

      async function change(proxy, body) {
        try {
          await kit.api(path(proxy), { method: "PUT", body });
          kit.toast(t("adm_saved"));
          await show(siteId);
        } catch (e) {
          if (e.status !== 401) kit.toast(e.message, true);
        }
      }

      const rows = proxies.map((p) => {
        const cap = el("input", { type: "number", min: "1", max: "500", value: p.daily_cap, class: "a-cap", "data-cap": p.id, "aria-label": t("adm_proxy_cap") });
        return el(
          "tr",
          { "data-proxy": p.id, class: p.active ? "" : "a-off" },
          el("td", { text: p.name }),
          el("td", { text: t("adm_proxy_kind_" + p.kind) }),
          el("td", { class: "a-mono", text: p.kind === "staff" ? p.username : p.card ? "#" + p.card : "—" }),
          el("td", {}, cap, " ", el("button", { type: "button", onclick: () => change(p, { daily_cap: Number(cap.value) }) }, t("adm_save"))),
          el("td", { class: "n", "data-today": "", text: `${p.today} / ${p.daily_cap}` }),
          el("td", { text: p.active ? t("adm_active") : t("adm_inactive") }),
          el("td", {}, el("button", { type: "button", class: p.active ? "warn" : "", onclick: () => change(p, { active: !p.active }) }, p.active ? t("adm_deactivate") : t("adm_activate")))
        );
      });
      const table = proxies.length
        ? HQ.table(
            { class: "grid a-table", id: "proxies-table" },
            [t("adm_name"), t("adm_proxy_kind"), t("adm_proxy_account"), t("adm_proxy_cap"), t("adm_proxy_today"), t("adm_state"), ""],
            rows
          )
        : el("p", { class: "a-muted", id: "proxies-none", text: t("adm_no_proxies") });
      box.replaceChildren(kit.card(t("adm_add_proxy"), form), kit.card(t("adm_proxy_list") + ` (${proxies.length})`, table));
    }
    await show(picker.select.value);
  }

  window.HQ_ADMIN_SECTIONS = Object.assign(window.HQ_ADMIN_SECTIONS || {}, { proxies: proxiesSection });
})();
