/* What the managers' pages share: the login (a staff token in sessionStorage, like the
 * console's but under its own keys), the header, names of sites and queues, the site tree. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  const KEYS = { token: "hq.manage.token", user: "hq.manage.user", role: "hq.manage.role" };
  const M = (HQ.manage = {});

  M.token = () => store.getItem(KEYS.token);

  M.api = (path, options) => HQ.api(path, Object.assign({ token: M.token() }, options || {}));

  M.siteName = (site) => (HQ.lang === "en" && site.name_en ? site.name_en : site.name);
  M.itemName = (items, key) => {
    const item = items[key];
    if (!item) return key ? key.slice(2) : "";
    return HQ.lang === "en" && item.name_en ? item.name_en : item.name;
  };

  M.pad = (n) => String(n).padStart(2, "0");
  /* hh:mm of an instant, in the site's time zone (the browser may be elsewhere). */
  M.clock = (iso, timeZone) => {
    if (!iso) return "";
    try {
      return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: timeZone || undefined }).format(new Date(iso));
    } catch (e) {
      const d = new Date(iso);
      return M.pad(d.getHours()) + ":" + M.pad(d.getMinutes());
    }
  };
  M.localDate = (d) => d.getFullYear() + "-" + M.pad(d.getMonth() + 1) + "-" + M.pad(d.getDate());

  /* Sites in tree order with their depth: roots are those whose parent is not in the list. */
  M.tree = (sites) => {
    const ids = new Set(sites.map((s) => s.id));
    const children = new Map();
    for (const s of sites) {
      const parent = s.parent && ids.has(s.parent) ? s.parent : null;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(s);
    }
    const out = [];
    const walk = (parent, depth) => {
      for (const s of children.get(parent) || []) {
        out.push({ site: s, depth, children: (children.get(s.id) || []).map((c) => c.id) });
        walk(s.id, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  };

  function show(loggedIn) {
    $("login").hidden = loggedIn;
    $("work").hidden = !loggedIn;
    $("logout").hidden = !loggedIn;
    $("m-user").textContent = loggedIn ? store.getItem(KEYS.user) || "" : "";
  }

  M.logout = function () {
    const t = M.token();
    for (const k of Object.values(KEYS)) store.removeItem(k);
    if (t) HQ.api("/auth/logout", { method: "POST", token: t, body: {} }).catch(() => {});
    if (M.onLogout) M.onLogout();
    show(false);
    $("username").focus();
  };

  /* Start the page: `start()` runs once a manager or admin is logged in. */
  M.boot = function (start) {
    $("lang-switch").addEventListener("click", HQ.switchLang);
    $("logout").addEventListener("click", M.logout);
    const nav = () => {
      const here = location.pathname.endsWith("/reports") ? "reports" : location.pathname.endsWith("/plans") ? "plans" : location.pathname.endsWith("/follow-ups") ? "follow-ups" : location.hash === "#city" ? "city" : "sites";
      for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === here);
    };
    window.addEventListener("hashchange", nav);
    nav();
    $("login-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      $("login-error").textContent = "";
      try {
        const r = await HQ.api("/auth/login", { body: { username: $("username").value, password: $("password").value } });
        if (r.role !== "manager" && r.role !== "admin") {
          $("login-error").textContent = HQ.t("not_manager");
          HQ.api("/auth/logout", { method: "POST", token: r.token, body: {} }).catch(() => {});
          return;
        }
        store.setItem(KEYS.token, r.token);
        store.setItem(KEYS.user, r.username);
        store.setItem(KEYS.role, r.role);
        $("password").value = "";
        show(true);
        start();
      } catch (e) {
        $("login-error").textContent = e.message;
      }
    });
    if (M.token()) {
      show(true);
      start();
    } else {
      show(false);
    }
  };

  /* A failed read: a dead session goes back to the login form. */
  M.failed = function (e) {
    if (e instanceof HQ.ApiError && e.status === 401) {
      M.logout();
      return true;
    }
    console.error(e);
    return false;
  };
})();
