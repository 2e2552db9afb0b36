/* Administration pages. Log in as an admin (token in sessionStorage, like the console);
 * read through /api/v1, save through /api/v1/admin. A refused save answers
 * {error, message, field}: the message is shown next to the field it names
 * ([data-field="…"], e.g. "name", "hours.mon", "profile[1]"), in the page's language. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const CFG = window.HQ_ADMIN || {};
  const t = HQ.t;
  const el = HQ.el;
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const TOKEN = "hq.admin.token";
  const USER = "hq.admin.user";
  const ROLE = "hq.admin.role";
  const SCOPE = "hq.admin.sites"; // the login's sites (JSON), null for the whole city
  // A site's manager sets the hall's own settings — waits, announcements, the queue
  // rules — for the sites they cover; everything else here is for admins.
  const MANAGER_SECTIONS = ["settings"];
  const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const SITE_KINDS = ["hall", "business_station", "township_center", "village_station"];
  const COUNTER_KINDS = ["comprehensive", "domain", "one_thing", "assisted"];
  const ROLES = ["admin", "manager", "clerk"];
  const DEVICE_KINDS = ["kiosk", "display", "sign", "platform"];
  const main = $("a-main");
  window.hallqueueAdmin = { ready: false, section: CFG.section };

  // --- talking to the centre -----------------------------------------------------------

  async function api(path, opts) {
    opts = opts || {};
    const headers = { "Accept-Language": HQ.lang === "en" ? "en" : "zh-CN" };
    const token = store.getItem(TOKEN);
    if (token) headers.Authorization = "Bearer " + token;
    let body;
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    const response = await fetch("/api/v1" + path, {
      method: opts.method || (body !== undefined ? "POST" : "GET"),
      headers,
      body,
      cache: "no-store",
    });
    if (opts.raw && response.ok) return response;
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const error = new Error((data && data.message) || "HTTP " + response.status);
      error.status = response.status;
      error.code = data && data.error;
      error.field = data && data.field;
      if (response.status === 401 && path !== "/auth/login") logout();
      throw error;
    }
    return data;
  }

  let toastTimer = null;
  function toast(message, error) {
    const box = $("toast");
    box.textContent = message;
    box.className = "toast" + (error ? " error" : "");
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (box.hidden = true), error ? 6000 : 2500);
  }

  // --- forms -----------------------------------------------------------------------------

  /* One labelled field with room for its help and its error.
   * spec: {name, label, type (text|number|time|select|checkbox|textarea|lines), options, help, readonly, field} */
  function field(spec, value) {
    const id = "f-" + (spec.id || spec.name);
    let input;
    if (spec.type === "select") {
      input = el(
        "select",
        { name: spec.name, id },
        (spec.options || []).map(([v, label]) => el("option", { value: v, selected: String(v) === String(value === undefined || value === null ? "" : value) }, label))
      );
    } else if (spec.type === "checkbox") {
      input = el("input", { type: "checkbox", name: spec.name, id, checked: !!value });
    } else if (spec.type === "textarea" || spec.type === "lines") {
      input = el("textarea", { name: spec.name, id, rows: spec.rows || 3 });
      input.value = spec.type === "lines" && Array.isArray(value) ? value.join("\n") : value === undefined || value === null ? "" : value;
    } else {
      input = el("input", {
        type: spec.type || "text",
        name: spec.name,
        id,
        readonly: spec.readonly,
        step: spec.step,
        min: spec.min,
        max: spec.max,
        placeholder: spec.placeholder,
        autocomplete: spec.autocomplete || "off",
      });
      input.value = value === undefined || value === null ? "" : value;
    }
    input.dataset.kind = spec.type || "text";
    return el(
      "div",
      { class: "fld" + (spec.type === "checkbox" ? " fld-check" : "") + (spec.wide ? " fld-wide" : ""), "data-field": spec.field || spec.name },
      el("label", { for: id }, spec.label),
      input,
      spec.help ? el("small", { class: "help", text: spec.help }) : null,
      el("span", { class: "fld-err", role: "alert" })
    );
  }

  /* The values of a form's named fields: checkboxes as booleans, "lines" as lists, the rest as text. */
  function values(form) {
    const data = {};
    for (const input of form.querySelectorAll("[name]")) {
      if (input.closest("[data-skip]")) continue;
      const kind = input.dataset.kind;
      if (kind === "checkbox") data[input.name] = input.checked;
      else if (kind === "lines") data[input.name] = input.value.split("\n").map((s) => s.trim()).filter(Boolean);
      else data[input.name] = input.value.trim();
    }
    return data;
  }

  function clearErrors(scope) {
    for (const box of scope.querySelectorAll(".fld-err, .form-err")) box.textContent = "";
    for (const box of scope.querySelectorAll(".invalid")) box.classList.remove("invalid");
  }

  /* Put a refused save's message next to its field (or atop the form). */
  function showError(scope, error) {
    clearErrors(scope);
    let spot = null;
    if (error.field) {
      spot = scope.querySelector(`[data-field="${CSS.escape(error.field)}"]`);
      const base = error.field.split(/[.[]/)[0];
      if (!spot && base) spot = scope.querySelector(`[data-field="${CSS.escape(base)}"]`);
    }
    if (spot) {
      spot.classList.add("invalid");
      const box = spot.querySelector(":scope > .fld-err") || spot.querySelector(".fld-err");
      if (box) box.textContent = error.message;
      const input = spot.querySelector("input, select, textarea");
      if (input) input.focus({ preventScroll: true });
      spot.scrollIntoView({ block: "nearest" });
    }
    const top = scope.querySelector(".form-err");
    if (top) top.textContent = spot ? t("adm_fix_fields") : error.message;
    if (!spot && !top) toast(error.message, true);
  }

  async function save(scope, work, done) {
    clearErrors(scope);
    const button = scope.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const result = await work();
      toast(t("adm_saved"));
      if (done) await done(result);
      return result;
    } catch (error) {
      if (error.status === 401) return null;
      showError(scope, error);
      return null;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function card(title, ...children) {
    return el("section", { class: "a-card" }, title ? el("h2", { text: title }) : null, ...children);
  }

  function formEl(id, children, submitLabel) {
    return el(
      "form",
      { id, class: "a-form", novalidate: true },
      el("p", { class: "form-err", role: "alert" }),
      ...children,
      el("div", { class: "a-actions" }, el("button", { type: "submit", class: "primary" }, submitLabel || t("adm_save")))
    );
  }

  function localTime(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString(HQ.lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
  }

  function siteOptions(sites, withNone) {
    const options = sites.map((s) => [s.id, `${HQ.lang === "en" && s.name_en ? s.name_en : s.name} (${s.id})`]);
    return withNone ? [["", t("adm_no_parent")]].concat(options) : options;
  }

  function itemName(item) {
    return HQ.lang === "en" && item.name_en ? item.name_en : item.name;
  }

  function checkList(name, items, chosen) {
    const set = new Set(chosen || []);
    return el(
      "div",
      { class: "a-checks" },
      items.map(([value, label]) => el("label", { class: "a-check" }, el("input", { type: "checkbox", value, checked: set.has(value), "data-group": name }), " ", label))
    );
  }

  function checked(scope, name) {
    return Array.from(scope.querySelectorAll(`input[data-group="${name}"]:checked`)).map((i) => i.value);
  }

  /* Sites the signed-in user may change: all for a city admin, else their sites and below. */
  function inScope(sites) {
    const roots = JSON.parse(store.getItem(SCOPE) || "null");
    if (!roots) return sites;
    const byId = Object.fromEntries(sites.map((s) => [s.id, s]));
    const covered = (site) => {
      for (let at = site; at; at = byId[at.parent]) if (roots.includes(at.id)) return true;
      return false;
    };
    return sites.filter(covered);
  }

  async function sitePicker(onPick) {
    const sites = inScope((await api("/sites")).sites);
    const select = el("select", { id: "site-pick" }, siteOptions(sites).map(([v, l]) => el("option", { value: v }, l)));
    const remembered = store.getItem("hq.admin.site");
    if (remembered && sites.some((s) => s.id === remembered)) select.value = remembered;
    // A change to the site already shown (a script may send one) would render it twice, the
    // later render wiping a form being filled; a render whose site is no longer picked is dropped
    // by the sections (picker.shows).
    let shown = select.value;
    select.addEventListener("change", () => {
      if (select.value === shown) return;
      shown = select.value;
      store.setItem("hq.admin.site", select.value);
      onPick(select.value);
    });
    return { sites, node: el("label", { class: "a-pick" }, t("adm_choose_site"), " ", select), select, shows: (siteId) => siteId === select.value };
  }

  /* The top of a section about one site at a time: the site picker in the bar and, under it,
   * the box (`boxId`) the section fills with the picked site; `onPick(siteId)` on each pick. */
  async function siteSection(boxId, onPick) {
    const box = el("div", { id: boxId });
    const picker = await sitePicker(onPick);
    main.replaceChildren(el("div", { class: "a-bar" }, picker.node), box);
    return { box, picker };
  }

  // --- sites -----------------------------------------------------------------------------

  function hoursEditor(hours) {
    const always = hours === null || hours === undefined;
    const rows = WEEKDAYS.map((day) => {
      const spans = (hours && hours[day]) || [];
      const open = spans.length > 0;
      const first = spans[0] || ["", ""];
      const last = spans[spans.length - 1] || ["", ""];
      const lunch = spans.length > 1 ? [spans[0][1], spans[1][0]] : ["", ""];
      // Text, not type=time: a browser's 12-hour locale would show "02:00 PM" to a hall used to 14:00.
      const time = (part, value) => el("input", { type: "text", class: "a-clock", inputmode: "numeric", maxlength: "5", placeholder: "08:30", "data-part": part, value, "aria-label": t("adm_" + part) });
      return el(
        "tr",
        { "data-field": "hours." + day, "data-day": day },
        el("th", { text: t("day_" + day) }),
        el("td", {}, el("input", { type: "checkbox", "data-part": "open", checked: open, "aria-label": t("adm_open_day") })),
        el("td", {}, time("opens", first[0])),
        el("td", {}, time("lunch_from", lunch[0])),
        el("td", {}, time("lunch_to", lunch[1])),
        el("td", {}, time("closes", last[1])),
        el("td", { class: "fld-err", role: "alert" })
      );
    });
    return el(
      "div",
      { class: "fld fld-wide", "data-field": "hours" },
      el("label", {}, t("adm_hours")),
      el("label", { class: "a-check" }, el("input", { type: "checkbox", id: "always-open", checked: always }), " ", t("adm_always_open")),
      HQ.table({ class: "grid a-hours" }, ["", t("adm_open_day"), t("adm_opens"), t("adm_lunch_from"), t("adm_lunch_to"), t("adm_closes"), ""], rows),
      el("small", { class: "help", text: t("adm_hours_help") }),
      el("span", { class: "fld-err", role: "alert" })
    );
  }

  function readHours(scope) {
    if (scope.querySelector("#always-open").checked) return null;
    const hours = {};
    for (const row of scope.querySelectorAll("tr[data-day]")) {
      const part = (name) => row.querySelector(`[data-part="${name}"]`);
      if (!part("open").checked) continue;
      const [opens, from, to, closes] = ["opens", "lunch_from", "lunch_to", "closes"].map((n) => part(n).value);
      hours[row.dataset.day] = from || to ? [[opens, from], [to, closes]] : [[opens, closes]];
    }
    return hours;
  }

  async function sitesSection() {
    const sites = (await api("/sites")).sites;
    const catalog = await api("/admin/catalog");
    const children = {};
    for (const s of sites) (children[s.parent || ""] = children[s.parent || ""] || []).push(s);
    const tree = el("ul", { class: "a-tree", id: "site-tree" });
    function branch(parent, list) {
      for (const s of children[parent] || []) {
        const item = el("li", {}, el("a", { href: "#" + s.id, "data-site": s.id, onclick: (ev) => { ev.preventDefault(); edit(s.id); } }, itemName(s)), el("small", { class: "a-muted" }, " ", t("adm_kind_" + s.kind)));
        const sub = el("ul");
        item.append(sub);
        list.append(item);
        branch(s.id, sub);
      }
    }
    branch("", tree);
    const formBox = el("div", { id: "site-form-box" });
    const offerBox = el("div", { id: "offer-box" });
    main.replaceChildren(
      el(
        "div",
        { class: "a-cols" },
        card(t("adm_site_tree"), tree, el("button", { type: "button", id: "new-site", onclick: () => edit(null) }, "+ " + t("adm_new_site"))),
        el("div", {}, formBox, offerBox)
      )
    );

    async function edit(siteId) {
      const site = siteId ? sites.find((s) => s.id === siteId) : null;
      for (const a of tree.querySelectorAll("a")) a.classList.toggle("current", a.dataset.site === siteId);
      const form = formEl("site-form", [
        el(
          "div",
          { class: "a-grid" },
          field({ name: "id", label: t("adm_id"), readonly: !!site, placeholder: "village-xxx" }, site && site.id),
          field({ name: "name", label: t("adm_name") }, site && site.name),
          field({ name: "name_en", label: t("adm_name_en") }, site && site.name_en),
          field({ name: "kind", label: t("adm_kind"), type: "select", options: SITE_KINDS.map((k) => [k, t("adm_kind_" + k)]) }, site ? site.kind : "village_station"),
          field({ name: "parent", label: t("adm_parent"), type: "select", options: siteOptions(sites.filter((s) => !site || s.id !== site.id), true) }, site && site.parent),
          field({ name: "timezone", label: t("adm_timezone") }, site ? site.timezone : "Asia/Shanghai")
        ),
        hoursEditor(site ? site.hours : { mon: [["08:30", "12:00"], ["14:00", "17:30"]], tue: [["08:30", "12:00"], ["14:00", "17:30"]], wed: [["08:30", "12:00"], ["14:00", "17:30"]], thu: [["08:30", "12:00"], ["14:00", "17:30"]], fri: [["08:30", "12:00"], ["14:00", "17:30"]] }),
      ]);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const data = values(form);
        const body = { name: data.name, name_en: data.name_en, kind: data.kind, parent: data.parent || null, timezone: data.timezone, hours: readHours(form) };
        save(
          form,
          () => (site ? api("/admin/sites/" + encodeURIComponent(site.id), { method: "PUT", body }) : api("/admin/sites", { body: { ...body, id: data.id } })),
          () => sitesSection().then(() => sitesSection.edit && sitesSection.edit(site ? site.id : data.id))
        );
      });
      formBox.replaceChildren(card(site ? itemName(site) : t("adm_new_site"), form));
      offerBox.replaceChildren();
      if (site) {
        const detail = await api("/sites/" + encodeURIComponent(site.id));
        const offered = { services: detail.services.map((s) => s.code), bundles: detail.bundles.map((b) => b.code) };
        const offers = formEl("offer-form", [
          el("small", { class: "help", text: t("adm_offerings_help") }),
          el("div", { class: "fld fld-wide", "data-field": "services" }, el("label", { text: t("adm_services") }), checkList("services", catalog.services.map((s) => [s.code, `${s.code} ${itemName(s)}`]), offered.services), el("span", { class: "fld-err", role: "alert" })),
          el("div", { class: "fld fld-wide", "data-field": "bundles" }, el("label", { text: t("adm_bundles") }), checkList("bundles", catalog.bundles.map((b) => [b.code, `${b.code} ${itemName(b)}`]), offered.bundles), el("span", { class: "fld-err", role: "alert" })),
        ]);
        offers.addEventListener("submit", (ev) => {
          ev.preventDefault();
          save(offers, () => api(`/admin/sites/${encodeURIComponent(site.id)}/offerings`, { method: "PUT", body: { services: checked(offers, "services"), bundles: checked(offers, "bundles") } }));
        });
        offerBox.replaceChildren(card(t("adm_offerings"), offers));
      }
    }
    sitesSection.edit = edit;
    const wanted = location.hash.slice(1);
    await edit(sites.some((s) => s.id === wanted) ? wanted : sites.length ? sites[0].id : null);
  }

  // --- catalogue -----------------------------------------------------------------------

  // A service and a bundle are named alike: a code, a name and an English name.
  const NAME_FIELDS = () => [
    { name: "code", label: t("adm_code") },
    { name: "name", label: t("adm_name") },
    { name: "name_en", label: t("adm_name_en") },
  ];
  const SERVICE_FIELDS = () => [
    ...NAME_FIELDS(),
    { name: "department", label: t("adm_department") },
    { name: "domain", label: t("adm_domain") },
    { name: "prefix", label: t("adm_prefix") },
    { name: "expected_minutes", label: t("adm_expected_minutes"), type: "number", step: "any", min: 0 },
    { name: "legal_limit_days", label: t("adm_legal_limit"), type: "number", min: 0 },
    { name: "issue_window", label: t("adm_issue_window"), placeholder: "09:00-16:00" },
    { name: "last_ticket_minutes", label: t("adm_last_ticket"), type: "number", min: 0 },
    { name: "daily_cap", label: t("adm_daily_cap"), type: "number", min: 0 },
    { name: "on_the_spot", label: t("adm_on_the_spot"), type: "checkbox" },
    { name: "commitment_allowed", label: t("adm_commitment"), type: "checkbox" },
    { name: "conditions", label: t("adm_conditions"), type: "lines", wide: true },
    { name: "materials", label: t("adm_materials"), type: "lines", wide: true },
  ];
  const BUNDLE_FIELDS = () => [
    ...NAME_FIELDS(),
    { name: "prefix", label: t("adm_prefix") },
    { name: "expected_minutes", label: t("adm_expected_minutes"), type: "number", step: "any", min: 0 },
    { name: "daily_cap", label: t("adm_daily_cap"), type: "number", min: 0 },
    { name: "services", label: t("adm_bundle_services"), wide: true },
    { name: "description", label: t("adm_description"), type: "textarea", wide: true },
  ];

  function download(path, filename) {
    return api(path, { raw: true }).then(async (response) => {
      const url = URL.createObjectURL(await response.blob());
      const a = el("a", { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  }

  async function catalogSection() {
    const catalog = await api("/admin/catalog");
    const editBox = el("div", { id: "item-form-box" });

    function editor(kind, item) {
      const specs = kind === "service" ? SERVICE_FIELDS() : BUNDLE_FIELDS();
      const value = (spec) => {
        if (!item) return spec.type === "checkbox" ? false : "";
        const v = item[spec.name];
        if (spec.name === "issue_window") return v ? v.join("-") : "";
        if (kind === "bundle" && spec.name === "services") return (v || []).join("|");
        return v;
      };
      const form = formEl(kind + "-form", [el("div", { class: "a-grid" }, specs.map((spec) => field({ ...spec, readonly: spec.name === "code" && !!item }, value(spec))))]);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const data = values(form);
        const code = data.code;
        delete data.code;
        if (!code) {
          showError(form, { field: "code", message: t("adm_code") + " ?" });
          return;
        }
        save(form, () => api(`/admin/${kind}s/${encodeURIComponent(code)}`, { method: "PUT", body: data }), () => catalogSection().then(() => catalogSection.edit(kind, code)));
      });
      editBox.replaceChildren(card((item ? t("adm_edit") : t("adm_new")) + " · " + (kind === "service" ? t("adm_services") : t("adm_bundles")), form));
      editBox.scrollIntoView({ block: "nearest" });
    }
    catalogSection.edit = (kind, code) => {
      const list = kind === "service" ? catalog.services : catalog.bundles;
      editor(kind, list.find((i) => i.code === code) || null);
    };

    const services = HQ.table(
      { class: "grid a-table", id: "services-table" },
      [t("adm_code"), t("adm_name"), t("adm_department"), t("adm_prefix"), t("adm_expected_minutes"), t("adm_on_the_spot"), ""],
      catalog.services.map((s) =>
        el("tr", { "data-code": s.code }, el("td", { text: s.code }), el("td", { text: itemName(s) }), el("td", { text: s.department }), el("td", { text: s.prefix }), el("td", { text: s.expected_minutes }), el("td", { text: s.on_the_spot ? "✓" : "" }), el("td", {}, el("button", { type: "button", onclick: () => editor("service", s) }, t("adm_edit"))))
      )
    );
    const bundles = HQ.table(
      { class: "grid a-table", id: "bundles-table" },
      [t("adm_code"), t("adm_name"), t("adm_prefix"), t("adm_services"), ""],
      catalog.bundles.map((b) => el("tr", { "data-code": b.code }, el("td", { text: b.code }), el("td", { text: itemName(b) }), el("td", { text: b.prefix }), el("td", { text: b.services.join(" | ") }), el("td", {}, el("button", { type: "button", onclick: () => editor("bundle", b) }, t("adm_edit")))))
    );

    const importForm = formEl(
      "import-form",
      [
        el(
          "div",
          { class: "a-grid" },
          field({ name: "format", label: t("adm_format"), type: "select", options: [["json", "JSON"], ["csv", "CSV"]] }, "json"),
          el("div", { class: "fld", "data-skip": "" }, el("label", { for: "import-file", text: t("adm_import_file") }), el("input", { type: "file", id: "import-file", accept: ".json,.csv,application/json,text/csv" }))
        ),
        field({ name: "text", label: t("adm_import_text"), type: "textarea", rows: 6, wide: true }, ""),
      ],
      t("adm_import")
    );
    importForm.querySelector("#import-file").addEventListener("change", async (ev) => {
      const file = ev.target.files[0];
      if (!file) return;
      importForm.querySelector("[name=text]").value = await file.text();
      importForm.querySelector("[name=format]").value = file.name.toLowerCase().endsWith(".csv") ? "csv" : "json";
    });
    importForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const data = values(importForm);
      save(
        importForm,
        () => api("/admin/catalog/import", { body: { format: data.format, text: importForm.querySelector("[name=text]").value } }),
        async (r) => {
          toast(t("adm_imported", { s: r.services, b: r.bundles, c: r.changed_services.length + r.changed_bundles.length }));
          await catalogSection();
        }
      );
    });

    main.replaceChildren(
      el(
        "div",
        { class: "a-bar" },
        el("button", { type: "button", id: "new-service", onclick: () => editor("service", null) }, "+ " + t("adm_services")),
        el("button", { type: "button", id: "new-bundle", onclick: () => editor("bundle", null) }, "+ " + t("adm_bundles")),
        el("button", { type: "button", id: "export-json", onclick: () => download("/admin/catalog?format=json", "hallqueue-catalog.json") }, t("adm_export_json")),
        el("button", { type: "button", id: "export-csv", onclick: () => download("/admin/catalog?format=csv", "hallqueue-catalog.csv") }, t("adm_export_csv"))
      ),
      editBox,
      card(t("adm_services") + ` (${catalog.services.length})`, el("div", { class: "a-scroll" }, services)),
      card(t("adm_bundles") + ` (${catalog.bundles.length})`, bundles),
      card(t("adm_import_title"), importForm)
    );
  }

  // --- counters --------------------------------------------------------------------------

  async function countersSection() {
    const { box, picker } = await siteSection("counters-box", (site) => show(site));

    async function show(siteId) {
      const detail = await api("/sites/" + encodeURIComponent(siteId));
      if (!picker.shows(siteId)) return;
      const items = detail.services.map((s) => ["S:" + s.code, `${s.code} ${itemName(s)}`]).concat(detail.bundles.map((b) => ["B:" + b.code, `${b.code} ${itemName(b)}`]));
      const names = Object.fromEntries(items);
      const formBox = el("div", { id: "counter-form-box" });
      const table = HQ.table(
        { class: "grid a-table", id: "counters-table" },
        [t("adm_number"), t("adm_name"), t("adm_kind"), t("adm_profile"), t("adm_counter_rules"), t("adm_state"), ""],
        detail.counters.map((c) =>
          el(
            "tr",
            { "data-number": c.number },
            el("td", { text: c.number }),
            el("td", { text: c.name }),
            el("td", { text: t("adm_counter_kind_" + c.kind) }),
            el("td", { class: "a-profile" }, c.profile.map((e) => el("span", { class: "a-chip" }, (names[e.service ? "S:" + e.service : "B:" + e.bundle] || e.service || e.bundle) + " ×" + e.weight))),
            el("td", { class: "a-counter-rules", text: window.HQ_ADMIN_RULES.counterSummary(c) }),
            el("td", { text: t("state_" + c.state) }),
            el("td", {}, el("button", { type: "button", onclick: () => edit(c) }, t("adm_edit")))
          )
        )
      );

      function profileRow(entry) {
        const select = el("select", { "data-part": "item" }, el("option", { value: "" }, "—"), items.map(([v, l]) => el("option", { value: v }, l)));
        if (entry) select.value = entry.service ? "S:" + entry.service : "B:" + entry.bundle;
        const weight = el("input", { type: "number", "data-part": "weight", min: "0", max: "100", step: "any", value: entry ? entry.weight : 1, "aria-label": t("adm_weight") });
        const row = el("div", { class: "a-prow" }, select, el("label", {}, t("adm_weight"), " ", weight), el("button", { type: "button", class: "a-remove", onclick: () => { row.remove(); renumber(); } }, t("adm_remove")), el("span", { class: "fld-err", role: "alert" }));
        return row;
      }
      let rowsBox;
      function renumber() {
        Array.from(rowsBox.children).forEach((row, i) => row.setAttribute("data-field", `profile[${i}]`));
      }

      function edit(counter) {
        const next = detail.counters.reduce((m, c) => Math.max(m, c.number), 0) + 1;
        rowsBox = el("div", { class: "a-prows" }, (counter ? counter.profile : [null]).map(profileRow));
        renumber();
        const form = formEl("counter-form", [
          el(
            "div",
            { class: "a-grid" },
            field({ name: "number", label: t("adm_number"), type: "number", min: 1, max: 999, readonly: !!counter }, counter ? counter.number : next),
            field({ name: "name", label: t("adm_name") }, counter ? counter.name : ""),
            field({ name: "kind", label: t("adm_kind"), type: "select", options: COUNTER_KINDS.map((k) => [k, t("adm_counter_kind_" + k)]) }, counter ? counter.kind : "comprehensive")
          ),
          el(
            "div",
            { class: "fld fld-wide", "data-field": "profile", "data-skip": "" },
            el("label", { text: t("adm_profile") }),
            rowsBox,
            el("button", { type: "button", id: "add-profile-row", onclick: () => { rowsBox.append(profileRow(null)); renumber(); } }, "+ " + t("adm_add_row")),
            el("small", { class: "help", text: t("adm_profile_help") }),
            el("span", { class: "fld-err", role: "alert" })
          ),
          el("h3", { text: t("adm_counter_rules") }),
          window.HQ_ADMIN_RULES.counterFields(KIT, counter),
        ]);
        form.addEventListener("submit", (ev) => {
          ev.preventDefault();
          const data = values(form);
          const number = Number(data.number);
          if (!Number.isInteger(number) || number < 1 || number > 999) {
            showError(form, { field: "number", message: t("adm_number_invalid") });
            return;
          }
          const profile = Array.from(rowsBox.children).map((row) => {
            const item = row.querySelector('[data-part="item"]').value;
            const weight = row.querySelector('[data-part="weight"]').value;
            const entry = { weight: weight === "" ? null : Number(weight) };
            if (item.startsWith("S:")) entry.service = item.slice(2);
            else if (item.startsWith("B:")) entry.bundle = item.slice(2);
            return entry;
          });
          save(form, () => api(`/admin/sites/${encodeURIComponent(siteId)}/counters/${number}`, { method: "PUT", body: { name: data.name, kind: data.kind, profile, rules: window.HQ_ADMIN_RULES.readCounterRules(form) } }), () => show(siteId).then(() => countersSection.edit(number)));
        });
        formBox.replaceChildren(card((counter ? t("adm_edit") : t("adm_new")) + " · " + t("adm_counter_form"), form));
      }
      countersSection.edit = (number) => edit(detail.counters.find((c) => c.number === number) || null);
      box.replaceChildren(
        el("div", { class: "a-bar" }, el("button", { type: "button", id: "new-counter", onclick: () => edit(null) }, "+ " + t("adm_new") + " " + t("adm_counter_form"))),
        formBox,
        card(t("adm_counter_list") + ` (${detail.counters.length})`, el("div", { class: "a-scroll" }, table))
      );
    }
    await show(picker.select.value);
  }

  // --- staff -----------------------------------------------------------------------------

  async function staffSection() {
    const [staff, sites] = await Promise.all([api("/admin/staff").then((r) => r.staff), api("/sites").then((r) => r.sites)]);
    const siteNames = Object.fromEntries(sites.map((s) => [s.id, itemName(s)]));
    const formBox = el("div", { id: "staff-form-box" });
    const roleOptions = ROLES.map((r) => [r, t("adm_role_" + r)]);
    const sitesField = (chosen) => el("div", { class: "fld fld-wide", "data-field": "sites" }, el("label", { text: t("adm_sites") }), checkList("sites", sites.map((s) => [s.id, siteNames[s.id]]), chosen), el("small", { class: "help", text: t("adm_sites_help") }), el("span", { class: "fld-err", role: "alert" }));

    function addForm() {
      const form = formEl("staff-add-form", [
        el(
          "div",
          { class: "a-grid" },
          field({ name: "username", label: t("adm_username") }),
          field({ name: "password", label: t("adm_password"), type: "password", autocomplete: "new-password", help: t("adm_password_help") }),
          field({ name: "display_name", label: t("adm_display_name") }),
          field({ name: "role", label: t("adm_role"), type: "select", options: roleOptions }, "clerk")
        ),
        sitesField([]),
      ]);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        save(form, () => api("/admin/staff", { body: { ...values(form), sites: checked(form, "sites") } }), () => staffSection());
      });
      formBox.replaceChildren(card(t("adm_add_staff"), form));
    }

    function editForm(member) {
      const path = "/admin/staff/" + encodeURIComponent(member.username);
      const form = formEl("staff-edit-form", [
        el(
          "div",
          { class: "a-grid" },
          field({ name: "display_name", label: t("adm_display_name") }, member.display_name),
          field({ name: "role", label: t("adm_role"), type: "select", options: roleOptions }, member.role),
          field({ name: "active", label: t("adm_active"), type: "checkbox" }, member.active)
        ),
        sitesField(member.sites),
      ]);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        save(form, () => api(path, { method: "PUT", body: { ...values(form), sites: checked(form, "sites") } }), () => staffSection());
      });
      const reset = formEl("password-form", [field({ name: "password", id: "new-password", label: t("adm_new_password"), type: "password", autocomplete: "new-password", help: t("adm_password_help") })], t("adm_reset_password"));
      reset.addEventListener("submit", (ev) => {
        ev.preventDefault();
        save(reset, () => api(path + "/password", { body: values(reset) }), () => {
          reset.querySelector("[name=password]").value = "";
          toast(t("adm_password_reset"));
        });
      });
      formBox.replaceChildren(card(t("adm_edit") + " · " + member.username, form), card(t("adm_reset_password"), reset));
    }

    async function setActive(member, active) {
      try {
        await api("/admin/staff/" + encodeURIComponent(member.username), { method: "PUT", body: { active } });
        toast(t("adm_saved"));
        await staffSection();
      } catch (e) {
        if (e.status !== 401) toast(e.message, true);
      }
    }

    async function unlock(member) {
      try {
        await api("/admin/staff/" + encodeURIComponent(member.username) + "/unlock", { body: {} });
        toast(t("adm_unlocked"));
        await staffSection();
      } catch (e) {
        if (e.status !== 401) toast(e.message, true);
      }
    }

    const state = (m) => (!m.active ? t("adm_inactive") : m.locked ? t("adm_locked") : t("adm_active"));
    const table = HQ.table(
      { class: "grid a-table", id: "staff-table" },
      [t("adm_username"), t("adm_display_name"), t("adm_role"), t("adm_sites"), t("adm_state"), ""],
      staff.map((m) =>
        el(
          "tr",
          { "data-username": m.username, class: m.active && !m.locked ? "" : "a-off" },
          el("td", { text: m.username }),
          el("td", { text: m.display_name }),
          el("td", { text: t("adm_role_" + m.role) }),
          el("td", { text: m.sites.length ? m.sites.map((s) => siteNames[s] || s).join("、") : "—" }),
          el("td", { class: "a-state", text: state(m) }),
          el(
            "td",
            { class: "a-row-actions" },
            el("button", { type: "button", onclick: () => editForm(m) }, t("adm_edit")),
            m.locked ? el("button", { type: "button", class: "primary a-unlock", onclick: () => unlock(m) }, t("adm_unlock")) : null,
            el("button", { type: "button", class: m.active ? "warn" : "", onclick: () => setActive(m, !m.active) }, m.active ? t("adm_deactivate") : t("adm_activate"))
          )
        )
      )
    );
    main.replaceChildren(el("div", { class: "a-bar" }, el("button", { type: "button", id: "add-staff", onclick: addForm }, "+ " + t("adm_add_staff"))), formBox, card(t("adm_staff_list") + ` (${staff.length})`, table));
  }

  // --- devices ---------------------------------------------------------------------------

  async function devicesSection(enrolled) {
    const [devices, sites] = await Promise.all([api("/admin/devices").then((r) => r.devices), api("/sites").then((r) => r.sites)]);
    const siteNames = Object.fromEntries(sites.map((s) => [s.id, itemName(s)]));
    const form = formEl(
      "enrol-form",
      [
        el(
          "div",
          { class: "a-grid" },
          field({ name: "kind", label: t("adm_device_kind"), type: "select", options: DEVICE_KINDS.map((k) => [k, t("adm_device_kind_" + k)]) }, "kiosk"),
          field({ name: "site", label: t("site"), type: "select", options: [["", "—"]].concat(siteOptions(sites)) }, ""),
          field({ name: "name", label: t("adm_name") }),
          field({ name: "counter", label: t("adm_device_counter"), type: "number", min: 1, max: 999, help: t("adm_device_counter_help") })
        ),
      ],
      t("adm_enrol")
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      save(form, () => api("/admin/devices", { body: values(form) }), (r) => devicesSection(r));
    });
    const tokenBox = enrolled
      ? el("div", { class: "a-token", id: "token-once", role: "status" }, el("p", { text: t("adm_token_once") }), el("code", { id: "device-token", text: enrolled.token }), el("p", { class: "a-muted", text: `${t("adm_device_kind_" + enrolled.device.kind)} · ${siteNames[enrolled.device.site] || enrolled.device.site} · ${enrolled.device.name} · ${enrolled.device.id}` }))
      : null;
    const reported = (d) => Object.entries(d.status || {}).filter(([k]) => k !== "at").map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(" · ");
    const alerts = (d) => (d.alerts || []).map((a) => "⚠ " + t("alert_" + a));
    const status = (d) => [...alerts(d), reported(d)].filter(Boolean).join(" · ");
    const table = HQ.table(
      { class: "grid a-table", id: "devices-table" },
      [t("adm_name"), t("adm_device_kind"), t("site"), t("adm_created"), t("adm_last_seen"), t("status"), ""],
      devices.map((d) =>
        el(
          "tr",
          { "data-device": d.id, class: d.revoked_at ? "a-off" : "" },
          el("td", {}, d.name || "—", el("br"), el("small", { class: "a-muted", text: d.id })),
          el("td", { text: t("adm_device_kind_" + d.kind) + (d.counter ? " · " + t("adm_window_n", { n: d.counter }) : "") }),
          el("td", { text: siteNames[d.site] || d.site }),
          el("td", { text: localTime(d.created_at) }),
          el("td", { text: localTime(d.last_seen) }),
          el("td", { class: d.alerts && d.alerts.length ? "a-alert" : null, "data-alerts": (d.alerts || []).join(" "), text: status(d) }),
          el(
            "td",
            {},
            d.revoked_at
              ? el("span", { class: "a-muted", text: t("adm_revoked") + " " + localTime(d.revoked_at) })
              : el("button", {
                  type: "button",
                  class: "warn",
                  onclick: async () => {
                    if (!window.confirm(t("adm_revoke_confirm"))) return;
                    try {
                      await api(`/admin/devices/${encodeURIComponent(d.id)}/revoke`, { body: {} });
                      await devicesSection();
                    } catch (e) {
                      if (e.status !== 401) toast(e.message, true);
                    }
                  },
                }, t("adm_revoke"))
          )
        )
      )
    );
    main.replaceChildren(card(t("adm_enrol"), form, tokenBox), card(t("adm_device_list") + ` (${devices.length})`, el("div", { class: "a-scroll" }, table)));
  }

  // --- settings --------------------------------------------------------------------------

  const SETTINGS = (detail) => [
    { name: "target_wait_minutes", type: "number", min: 1, max: 240 },
    { name: "max_wait_minutes", type: "number", min: 1, max: 480 },
    { name: "mix", custom: true }, // custom: drawn and read by admin_rules.js
    { name: "appointment_early_minutes", type: "number", min: 0, max: 240 },
    { name: "appointment_late_minutes", type: "number", min: 0, max: 120 },
    { name: "no_show_calls", type: "number", min: 1, max: 5 },
    { name: "no_show_interval_seconds", type: "number", min: 0, max: 300 },
    { name: "no_show_return", custom: true },
    { name: "walk_in_share", type: "number", min: 0, max: 1, step: "0.05" },
    { name: "booking_no_show_limit", type: "number", min: 0, max: 20 },
    { name: "booking_no_show_days", type: "number", min: 1, max: 365 },
    { name: "booking_suspend_days", type: "number", min: 1, max: 365 },
    { name: "booking_cancel_minutes", type: "number", min: 0, max: 2880 },
    { name: "booking_grace_minutes", type: "number", min: 0, max: 240 },
    { name: "remote_tickets", type: "checkbox" },
    { name: "identification", type: "select", options: ["off", "optional", "required"].map((v) => [v, t("set_identification_" + v)]) },
    { name: "elderly_age", type: "number", min: 50, max: 100 },
    { name: "daily_limit_per_person", type: "number", min: 1, max: 20 },
    { name: "personal_data_days", type: "number", min: 30, max: 1095 },
    { name: "elderly_one_tap", type: "select", options: oneTapOptions(detail) },
    { name: "help_item", type: "select", options: oneTapOptions(detail, "set_help_item_none") },
    { name: "require_id_for_capped", type: "checkbox" },
    { name: "open_on_holidays", type: "checkbox" },
    { name: "announce_template", wide: true, placeholder: CFG.announce_default.zh },
    { name: "announce_template_en", wide: true, placeholder: CFG.announce_default.en },
    { name: "announce_english", type: "checkbox" },
    { name: "announce_times", type: "number", min: 1, max: 3 },
    { name: "notice", wide: true },
    { name: "notice_en", wide: true },
    { name: "rating_window_hours", type: "number", min: 1, max: 720 },
  ];

  /* An item the kiosk sends people to (the elderly's one tap, a request for help): one of
   * the site's services or bundles, or none. */
  function oneTapOptions(detail, none = "set_elderly_one_tap_none") {
    const items = [...(detail.services || []), ...(detail.bundles || [])];
    return [["", t(none)], ...items.map((i) => [i.code, `${i.code} ${itemName(i)}`])];
  }

  async function settingsSection() {
    const { box, picker } = await siteSection("settings-box", (site) => show(site));

    async function show(siteId) {
      const detail = await api("/sites/" + encodeURIComponent(siteId));
      if (!picker.shows(siteId)) return;
      const site = detail.site;
      const settings = site.settings || {};
      const help = (name) => (HQ.text["set_" + name + "_help"] ? t("set_" + name + "_help") : null);
      const RULES = window.HQ_ADMIN_RULES;
      const form = formEl("settings-form", [
        el("div", { class: "a-grid" }, SETTINGS(detail).map((spec) => (spec.custom ? RULES.settingsField(spec.name, settings) : field({ ...spec, label: t("set_" + spec.name), help: help(spec.name) }, spec.name === "identification" ? settings[spec.name] || "off" : settings[spec.name])))),
      ]);
      const body = () => ({ ...values(form), ...RULES.readSettings(form) });
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        save(form, () => api(`/admin/sites/${encodeURIComponent(siteId)}/settings`, { method: "PUT", body: body() }), () => show(siteId));
      });
      box.replaceChildren(
        el("div", { class: "a-cols a-cols-wide" }, card(t("adm_settings_for") + " · " + itemName(site), form), card(t("adm_rules_title"), RULES.explanation(detail))),
        card(t("adm_preview_title"), RULES.previewPanel(KIT, siteId, form, body))
      );
    }
    await show(picker.select.value);
  }

  // --- audit log -------------------------------------------------------------------------

  function short(value) {
    if (value === null || value === undefined) return "—";
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length > 80 ? text.slice(0, 77) + "…" : text;
  }

  /* What changed, key by key (the full records are one click away). */
  function changeSummary(entry) {
    const before = entry.before;
    const after = entry.after;
    const lines = [];
    if (before && after && typeof before === "object" && typeof after === "object") {
      const keys = Array.from(new Set(Object.keys(before).concat(Object.keys(after))));
      for (const key of keys) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) lines.push(el("div", {}, el("b", { text: key + ": " }), el("del", { text: short(before[key]) }), " → ", el("ins", { text: short(after[key]) })));
      }
    } else if ((after || before) && typeof (after || before) === "object") {
      // Created (or gone): the record itself, key by key.
      const record = after || before;
      for (const [key, value] of Object.entries(record)) {
        const shown = el(after ? "ins" : "del", { text: short(value) });
        lines.push(el("div", {}, el("b", { text: key + ": " }), shown));
      }
    } else {
      lines.push(el("div", {}, el("del", { text: short(before) }), " → ", el("ins", { text: short(after) })));
    }
    return el(
      "td",
      { class: "a-change" },
      lines,
      el("details", {}, el("summary", { text: "JSON" }), el("pre", { text: "before: " + JSON.stringify(before, null, 1) + "\nafter: " + JSON.stringify(after, null, 1) }))
    );
  }

  function failed(e) {
    if (e.status !== 401) toast(e.message, true);
  }

  async function auditSection() {
    const kinds = CFG.audit_kinds || [];
    const select = el("select", { id: "audit-kind" }, el("option", { value: "" }, t("adm_all_kinds")), kinds.map((k) => el("option", { value: k }, t("audit_kind_" + k))));
    const who = el("input", { type: "search", id: "audit-actor", maxlength: 64, autocomplete: "off" });
    const from = el("input", { type: "search", id: "audit-address", maxlength: 64, autocomplete: "off" });
    const body = el("tbody", { id: "audit-rows" });
    const more = el("button", { type: "button", id: "audit-more", hidden: true }, t("adm_more"));
    let cursor = null;
    async function load(reset) {
      const params = new URLSearchParams({ limit: "50" });
      if (select.value) params.set("kind", select.value);
      if (who.value.trim()) params.set("actor", who.value.trim());
      if (from.value.trim()) params.set("address", from.value.trim());
      if (!reset && cursor) params.set("before", cursor);
      const page = await api("/admin/audit?" + params.toString());
      if (reset) body.replaceChildren();
      for (const e of page.entries) {
        body.append(
          el(
            "tr",
            { "data-kind": e.kind, "data-id": e.id },
            el("td", { text: localTime(e.at) }),
            el("td", { text: e.actor }),
            el("td", { class: "a-address", text: e.address || "—" }),
            el("td", { text: t("audit_kind_" + e.kind) }),
            el("td", { text: t("audit_action_" + e.action) }),
            el("td", { text: e.target }),
            changeSummary(e)
          )
        );
      }
      if (reset && !page.entries.length) body.append(el("tr", {}, el("td", { colspan: 7, class: "a-muted", text: t("adm_no_entries") })));
      cursor = page.next_before;
      more.hidden = !cursor;
    }
    const filters = el(
      "form",
      { class: "a-bar", id: "audit-filters", novalidate: true },
      el("label", {}, t("adm_kind"), " ", select),
      el("label", {}, t("adm_filter_who"), " ", who),
      el("label", {}, t("adm_filter_address"), " ", from),
      el("button", { type: "submit" }, t("adm_filter"))
    );
    select.addEventListener("change", () => load(true).catch(failed));
    filters.addEventListener("submit", (ev) => {
      ev.preventDefault();
      load(true).catch(failed);
    });
    more.addEventListener("click", () => load(false).catch(failed));
    main.replaceChildren(
      filters,
      card(
        t("adm_audit_title"),
        el("table", { class: "grid a-table a-audit" }, el("thead", {}, el("tr", {}, [t("adm_when"), t("adm_who"), t("adm_address"), t("adm_kind"), t("adm_action"), t("adm_target"), t("adm_change")].map((h) => el("th", { text: h })))), body),
        more
      )
    );
    await load(true);
  }

  // --- login and start ------------------------------------------------------------------

  const SECTIONS = { sites: sitesSection, catalog: catalogSection, counters: countersSection, staff: staffSection, devices: devicesSection, settings: settingsSection, audit: auditSection };
  // Sections kept in their own files (admin_proxies.js) register in HQ_ADMIN_SECTIONS and get these helpers.
  const KIT = { api, toast, field, values, formEl, card, save, showError, siteSection, localTime, itemName, main };
  for (const [name, section] of Object.entries(window.HQ_ADMIN_SECTIONS || {})) SECTIONS[name] = () => section(KIT);

  function showLogin() {
    main.hidden = true;
    $("login").hidden = false;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("username").focus();
  }

  function logout() {
    const token = store.getItem(TOKEN);
    store.removeItem(TOKEN);
    store.removeItem(USER);
    store.removeItem(ROLE);
    store.removeItem(SCOPE);
    if (token) fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" }, body: "{}" }).catch(() => {});
    showLogin();
  }

  async function start() {
    $("login").hidden = true;
    main.hidden = false;
    $("logout").hidden = false;
    $("who").textContent = store.getItem(USER) || "";
    window.hallqueueAdmin.ready = false;
    const manager = store.getItem(ROLE) === "manager";
    for (const link of document.querySelectorAll("#a-nav a")) link.hidden = manager && !MANAGER_SECTIONS.includes(link.dataset.section);
    if (manager && !MANAGER_SECTIONS.includes(CFG.section)) {
      main.replaceChildren(card(t("adm_manager_only_settings"), el("a", { href: "./settings", text: t("adm_nav_settings") })));
      window.hallqueueAdmin.ready = true;
      return;
    }
    try {
      await SECTIONS[CFG.section]();
      window.hallqueueAdmin.ready = true;
    } catch (e) {
      if (e.status === 403) {
        logout();
        $("login-error").textContent = t("adm_not_admin");
      } else if (e.status !== 401) toast(e.message, true);
    }
  }

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    try {
      const r = await api("/auth/login", { body: { username: $("username").value, password: $("password").value } });
      if (r.role !== "admin" && r.role !== "manager") {
        fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: "Bearer " + r.token, "Content-Type": "application/json" }, body: "{}" }).catch(() => {});
        $("login-error").textContent = t("adm_not_admin");
        return;
      }
      store.setItem(TOKEN, r.token);
      store.setItem(USER, r.username);
      store.setItem(ROLE, r.role);
      store.setItem(SCOPE, JSON.stringify(r.sites));
      $("password").value = "";
      await start();
    } catch (e) {
      $("login-error").textContent = e.message;
    }
  });
  $("logout").addEventListener("click", logout);
  $("lang-switch").addEventListener("click", HQ.switchLang);

  if (store.getItem(TOKEN)) start();
  else showLogin();
})();
