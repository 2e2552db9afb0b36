/* Administration: webhooks for the city's SMS or WeChat gateway — subscriptions (where to
 * POST which events of which sites), a test ping, and each subscription's delivery log
 * (newest first, paged). Registered in HQ_ADMIN_SECTIONS; admin.js passes its helpers.
 * The signing secret is in the answer that creates a subscription, shown here that once. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const t = HQ.t;
  const el = HQ.el;
  const EVENTS = (window.HQ_ADMIN && window.HQ_ADMIN.webhook_events) || [];
  const eventName = (e) => t(`adm_wh_event_${e.replace(/\./g, "_")}`);

  async function webhooksSection(kit, created) {
    const listed = await kit.api("/admin/webhooks");
    const hooks = listed.webhooks;
    const path = (hook) => `/admin/webhooks/${encodeURIComponent(hook.id)}`;
    const logBox = el("div", { id: "webhook-log" });

    const events = el(
      "div",
      { class: "fld fld-wide", "data-field": "events" },
      el("label", { text: t("adm_wh_events") }),
      el(
        "div",
        { class: "a-checks" },
        EVENTS.map((e) => el("label", { class: "a-check" }, el("input", { type: "checkbox", name: "event", value: e }), " ", eventName(e), " ", el("code", { class: "a-muted", text: e })))
      ),
      el("span", { class: "fld-err", role: "alert" })
    );
    const form = kit.formEl(
      "webhook-form",
      [
        el(
          "div",
          { class: "a-grid" },
          kit.field({ name: "name", label: t("adm_name") }),
          kit.field({ name: "url", label: t("adm_wh_url"), help: t("adm_wh_url_help"), wide: true }),
          kit.field({ name: "sites", label: t("adm_wh_sites"), type: "lines", help: t("adm_wh_sites_help") }),
          kit.field({ name: "all_tickets", label: t("adm_wh_all_tickets"), type: "checkbox", help: t("adm_wh_all_tickets_help") }, false)
        ),
        events,
      ],
      t("adm_wh_add")
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const data = kit.values(form);
      const body = {
        name: data.name,
        url: data.url,
        events: [...form.querySelectorAll("input[name=event]:checked")].map((box) => box.value),
        sites: data.sites.length ? data.sites : null,
        all_tickets: data.all_tickets,
      };
      kit.save(form, () => kit.api("/admin/webhooks", { body }), (answer) => webhooksSection(kit, answer));
    });

    const secretBox = created
      ? el("div", { class: "a-token", id: "webhook-secret", role: "status" }, el("p", { text: t("adm_wh_secret_once") }), el("code", { text: created.secret }), el("p", { class: "a-muted", text: `${created.webhook.name || created.webhook.url} · ${created.webhook.id}` }))
      : null;

    async function act(work, message) {
      try {
        await work();
        kit.toast(message);
        await webhooksSection(kit);
      } catch (e) {
        if (e.status !== 401) kit.toast(e.message, true);
      }
    }

    async function showLog(hook, before, rows) {
      const query = new URLSearchParams({ limit: "50" });
      if (before !== undefined && before !== null) query.set("before", String(before));
      let page;
      try {
        page = await kit.api(`${path(hook)}/deliveries?${query}`);
      } catch (e) {
        if (e.status !== 401) kit.toast(e.message, true);
        return;
      }
      const all = (rows || []).concat(page.deliveries);
      const table = all.length
        ? HQ.table(
            { class: "grid a-table", id: "deliveries-table" },
            [t("adm_wh_made"), t("adm_wh_event"), t("site"), t("status"), t("adm_wh_attempts"), t("adm_wh_last"), t("adm_wh_next"), t("adm_wh_delivered_at")],
            all.map((d) =>
              el(
                "tr",
                { "data-delivery": d.id, class: d.status === "failed" ? "a-alert" : "" },
                el("td", {}, kit.localTime(d.created_at), el("br"), el("small", { class: "a-muted", text: d.id })),
                el("td", { text: eventName(d.event) }),
                el("td", { text: d.site }),
                el("td", { text: t(`adm_wh_status_${d.status}`) }),
                el("td", { class: "n", text: String(d.attempts) }),
                el("td", { text: [d.last_status, d.last_error].filter((x) => x !== null && x !== undefined).join(" · ") }),
                el("td", { text: kit.localTime(d.next_at) }),
                el("td", { text: kit.localTime(d.delivered_at) })
              )
            )
          )
        : el("p", { class: "a-muted", text: t("adm_wh_no_deliveries") });
      const more = page.next_before !== null ? el("button", { type: "button", id: "deliveries-more", onclick: () => showLog(hook, page.next_before, all) }, t("adm_wh_more")) : null;
      logBox.replaceChildren(kit.card(t("adm_wh_log_of", { name: hook.name || hook.url }), el("div", { class: "a-scroll" }, table), more));
    }

    const rows = hooks.map((h) =>
      el(
        "tr",
        { "data-webhook": h.id, class: h.active ? "" : "a-off" },
        el("td", {}, h.name || "—", el("br"), el("small", { class: "a-muted", text: h.id })),
        el("td", { class: "a-mono", text: h.url }),
        el("td", { text: h.events.map(eventName).join("、") }),
        el("td", { text: h.sites ? h.sites.join("、") : t("adm_wh_all_sites") }),
        el("td", { text: h.active ? t("adm_active") : t("adm_inactive") }),
        el(
          "td",
          {},
          el("button", { type: "button", onclick: () => showLog(h) }, t("adm_wh_log")),
          " ",
          el("button", { type: "button", onclick: () => act(() => kit.api(`${path(h)}/ping`, { body: {} }), t("adm_wh_pinged")) }, t("adm_wh_ping")),
          " ",
          el("button", { type: "button", class: h.active ? "warn" : "", onclick: () => act(() => kit.api(path(h), { method: "PUT", body: { active: !h.active } }), t("adm_saved")) }, h.active ? t("adm_deactivate") : t("adm_activate")),
          " ",
          el(
            "button",
            {
              type: "button",
              class: "warn",
              onclick: () => {
                if (window.confirm(t("adm_wh_delete_confirm"))) act(() => kit.api(path(h), { method: "DELETE" }), t("adm_saved"));
              },
            },
            t("adm_wh_delete")
          )
        )
      )
    );
    const table = hooks.length
      ? HQ.table({ class: "grid a-table", id: "webhooks-table" }, [t("adm_name"), t("adm_wh_url"), t("adm_wh_events"), t("adm_wh_sites"), t("adm_state"), ""], rows)
      : el("p", { class: "a-muted", id: "webhooks-none", text: t("adm_wh_none") });
    kit.main.replaceChildren(kit.card(t("adm_wh_add"), el("p", { class: "help", text: t("adm_wh_help") }), form, secretBox), kit.card(t("adm_wh_list") + ` (${hooks.length})`, el("div", { class: "a-scroll" }, table)), logBox);
  }

  window.HQ_ADMIN_SECTIONS = Object.assign(window.HQ_ADMIN_SECTIONS || {}, { webhooks: (kit) => webhooksSection(kit) });
})();
