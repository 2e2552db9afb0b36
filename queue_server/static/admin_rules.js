/* Administration: the queue rules — the mixing ratio (优先号 : 普通号), the missed-call
 * return, a counter's own overrides, the rules said in plain sentences, and the preview
 * ("预览效果") of proposed rules replayed on the site's recent days
 * (POST /admin/sites/<site>/rules/preview), current against proposed, before saving.
 * admin.js builds the forms and calls these; nothing here saves. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const t = HQ.t;
  const el = HQ.el;
  // The classes a manager asks about first, then each priority class, then everyone.
  const GROUPS = ["ordinary", "priority", "elderly", "disabled", "appointment", "assisted", "all"];
  const RETURN_MODES = ["end", "places", "none"];

  /* Two whole numbers "p : o"; both empty means no ratio (priority always first). */
  function mixField(id, fieldName, value, help) {
    const [p, o] = Array.isArray(value) ? value : ["", ""];
    const number = (part, v) =>
      el("input", { type: "number", min: 1, max: 20, step: 1, id: `${id}-${part}`, "data-part": "mix-" + part, value: v, "aria-label": t("set_mix_" + part) });
    return el(
      "div",
      { class: "fld", "data-field": fieldName, "data-skip": "" },
      el("label", { for: `${id}-priority`, text: t("set_mix") }),
      el("div", { class: "a-mix" }, number("priority", p), el("b", { text: ":" }), number("ordinary", o)),
      help ? el("small", { class: "help", text: help }) : null,
      el("span", { class: "fld-err", role: "alert" })
    );
  }

  function readMix(scope) {
    const p = scope.querySelector('[data-part="mix-priority"]').value.trim();
    const o = scope.querySelector('[data-part="mix-ordinary"]').value.trim();
    return p === "" && o === "" ? null : [p, o];
  }

  /* Where a returning missed ticket goes: the end, k places behind the head, or nowhere. */
  function returnField(value) {
    const mode = value === 0 ? "none" : typeof value === "number" ? "places" : "end";
    const select = el("select", { id: "f-no_show_return" }, RETURN_MODES.map((m) => el("option", { value: m, selected: m === mode }, t("set_no_show_return_" + m))));
    const places = el("input", { type: "number", id: "f-no_show_return-places", min: 1, max: 20, step: 1, value: mode === "places" ? value : 3, "aria-label": t("set_no_show_return_k") });
    const placesBox = el("label", { class: "a-inline", hidden: mode !== "places" }, places, " ", t("set_no_show_return_k"));
    select.addEventListener("change", () => (placesBox.hidden = select.value !== "places"));
    return el(
      "div",
      { class: "fld", "data-field": "no_show_return", "data-skip": "" },
      el("label", { for: "f-no_show_return", text: t("set_no_show_return") }),
      el("div", { class: "a-mix" }, select, placesBox),
      el("small", { class: "help", text: t("set_no_show_return_help") }),
      el("span", { class: "fld-err", role: "alert" })
    );
  }

  function readReturn(scope) {
    const mode = scope.querySelector("#f-no_show_return").value;
    if (mode === "end") return "end";
    if (mode === "none") return 0;
    return scope.querySelector("#f-no_show_return-places").value.trim() || "places"; // empty: the centre names the field
  }

  /* The settings form's rule widgets ("mix", "no_show_return"), and what they add to its values. */
  function settingsField(name, settings) {
    return name === "mix" ? mixField("f-mix", "mix", settings.mix, t("set_mix_help")) : returnField(settings.no_show_return);
  }

  function readSettings(form) {
    return { mix: readMix(form.querySelector('[data-field="mix"]')), no_show_return: readReturn(form) };
  }

  function sentences(rules, id) {
    return el("ul", { class: "a-rules", id }, ["mixing", "no_show", "appointment"].filter((k) => rules && rules[k]).map((k) => el("li", { "data-rule": k, text: rules[k] })));
  }

  /* The rules as they are now, in the page's language, beside the form. */
  function explanation(detail) {
    const rules = (detail.rules || {})[HQ.lang === "en" ? "en" : "zh"] || {};
    return el("div", { id: "rules-explained" }, el("h3", { text: t("adm_rules_now") }), sentences(rules, "rules-now"), el("small", { class: "help", text: t("adm_rules_now_help") }));
  }

  // --- the preview ------------------------------------------------------------------------

  function minutes(value) {
    return value === null || value === undefined ? "—" : String(value);
  }

  /* "current → proposed", marked better or worse (fewer minutes or fewer unserved is better). */
  function change(current, proposed, key) {
    const a = current[key];
    const b = proposed[key];
    const text = key === "not_served" ? `${a} → ${b}` : `${minutes(a)} → ${minutes(b)}`;
    let mark = "";
    if (a !== null && b !== null && a !== b) mark = b < a ? "a-better" : "a-worse";
    return el("td", { class: mark, "data-key": key, text });
  }

  function table(found) {
    const shown = GROUPS.filter((g) => found.recorded[g].served + found.recorded[g].not_served > 0);
    const label = (g) => (g === "priority" || g === "all" || g === "ordinary" ? t("adm_group_" + g) : t("priority_" + g));
    return HQ.table(
      { class: "grid a-table", id: "preview-table" },
      [t("adm_group"), t("adm_called"), t("adm_avg_wait"), t("adm_p90_wait"), t("adm_longest_wait"), t("adm_not_called")],
      shown.map((g) => {
        const current = found.current[g];
        const proposed = found.proposed[g];
        return el(
          "tr",
          { "data-group": g },
          el("th", { text: label(g) }),
          el("td", { "data-key": "served", text: `${current.served} → ${proposed.served}` }),
          change(current, proposed, "average_minutes"),
          change(current, proposed, "p90_minutes"),
          change(current, proposed, "longest_minutes"),
          change(current, proposed, "not_served")
        );
      })
    );
  }

  function result(found) {
    if (!found.calls) return [el("p", { class: "a-muted", id: "preview-none", text: t("adm_preview_none", { first: found.first_day, last: found.last_day }) })];
    const all = found.recorded.all;
    return [
      el("p", { id: "preview-caption", text: t("adm_preview_caption", { first: found.first_day, last: found.last_day, d: found.days_with_history, tickets: found.tickets, calls: found.calls }) }),
      el("div", { class: "a-scroll" }, table(found)),
      el("p", { class: "a-muted", id: "preview-recorded", text: t("adm_preview_recorded", { avg: minutes(all.average_minutes), p90: minutes(all.p90_minutes), max: minutes(all.longest_minutes), n: all.not_served }) }),
      el("h3", { text: t("adm_rules_proposed") }),
      sentences(found.rules.proposed, "rules-proposed"),
      el("p", { class: "help", text: t("adm_preview_note") }),
    ];
  }

  function clearErrors(scope) {
    for (const box of scope.querySelectorAll(".fld-err, .form-err")) box.textContent = "";
    for (const box of scope.querySelectorAll(".invalid")) box.classList.remove("invalid");
  }

  /* A "预览效果" button: the form's values as they would be saved, replayed; nothing saved. */
  function previewPanel(kit, siteId, form, readBody) {
    const days = el("select", { id: "preview-days" }, [7, 14, 28].map((n) => el("option", { value: n, selected: n === 14 }, t("adm_days_n", { n }))));
    const box = el("div", { id: "preview-box", "aria-live": "polite" });
    const button = el("button", { type: "button", id: "preview-rules" }, t("adm_preview"));
    button.addEventListener("click", async () => {
      button.disabled = true;
      box.classList.add("a-busy");
      try {
        const found = await kit.api(`/admin/sites/${encodeURIComponent(siteId)}/rules/preview`, { body: { settings: readBody(), days: Number(days.value) } });
        clearErrors(form);
        box.replaceChildren(...result(found));
      } catch (error) {
        if (error.status !== 401) kit.showError(form, error);
      } finally {
        button.disabled = false;
        box.classList.remove("a-busy");
      }
    });
    return el("div", { id: "rules-preview" }, el("div", { class: "a-bar" }, button, el("label", {}, t("adm_preview_days"), " ", days)), el("small", { class: "help", text: t("adm_preview_help") }), box);
  }

  // --- a counter's own rules ------------------------------------------------------------

  function counterFields(kit, counter) {
    const rules = (counter && counter.rules) || {};
    return el(
      "div",
      { class: "a-grid", id: "counter-rules" },
      mixField("f-rules-mix", "rules.mix", rules.mix, t("adm_counter_rules_help")),
      kit.field({ name: "rules_max_wait_minutes", field: "rules.max_wait_minutes", label: t("set_max_wait_minutes"), type: "number", min: 1, max: 480, help: t("adm_counter_rules_help") }, rules.max_wait_minutes)
    );
  }

  function readCounterRules(form) {
    const longest = form.querySelector('[name="rules_max_wait_minutes"]').value.trim();
    return { mix: readMix(form.querySelector('[data-field="rules.mix"]')), max_wait_minutes: longest === "" ? null : longest };
  }

  function counterSummary(counter) {
    const rules = counter.rules || {};
    const parts = [];
    if (rules.mix) parts.push(`${rules.mix[0]}:${rules.mix[1]}`);
    if (rules.max_wait_minutes) parts.push(t("adm_minutes_n", { n: rules.max_wait_minutes }));
    return parts.length ? parts.join(" · ") : t("adm_site_rules");
  }

  window.HQ_ADMIN_RULES = { settingsField, readSettings, explanation, previewPanel, counterFields, readCounterRules, counterSummary };
})();
