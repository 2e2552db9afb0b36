/* 差评 follow-ups (整改/回访): a site's list (GET /api/v1/sites/{site}/follow-ups), overdue
 * ones marked; an open one closes with a note (POST /api/v1/follow-ups/{id}/close); the
 * site's ratings download in the national 好差评 system's fields. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const M = HQ.manage;
  const $ = (id) => document.getElementById(id);
  const hook = (window.hallqueueFollowUps = { loads: 0 });
  const en = HQ.lang === "en";

  function closer(item) {
    const note = HQ.el("input", { type: "text", maxlength: "200", class: "fu-note", placeholder: HQ.t("follow_ups_note_hint") });
    const button = HQ.el("button", { type: "button", class: "fu-close", text: HQ.t("follow_ups_close") });
    button.addEventListener("click", async () => {
      $("fu-error").textContent = "";
      try {
        await M.api("/follow-ups/" + encodeURIComponent(item.id) + "/close", { body: { note: note.value } });
        await load();
      } catch (e) {
        if (!M.failed(e)) $("fu-error").textContent = e.message;
      }
    });
    return HQ.el("td", {}, note, button);
  }

  function row(item) {
    const state = item.status === "closed" ? HQ.t("follow_ups_closed") : item.overdue ? HQ.t("follow_ups_overdue") : HQ.t("follow_ups_open");
    return HQ.el(
      "tr",
      { class: item.overdue ? "over" : null, "data-id": item.id },
      HQ.el("td", { text: item.opened_at.slice(0, 10) }),
      HQ.el("td", { text: item.ticket_number + " " + (item.item || "") }),
      HQ.el("td", { text: (item.counter || "") + (item.clerk ? " · " + item.clerk : "") }),
      HQ.el("td", { text: en ? item.level_name_en : item.level_name }),
      HQ.el("td", { text: en ? item.reason_name_en : item.reason_name }),
      HQ.el("td", { text: item.due_on }),
      HQ.el("td", { class: item.overdue ? "over" : null, text: state }),
      item.status === "open" ? closer(item) : HQ.el("td", { text: (item.note || "") + (item.closed_by ? " — " + item.closed_by : "") })
    );
  }

  async function load() {
    const site = $("fu-site").value;
    if (!site) return;
    const status = $("fu-status").value;
    try {
      const found = await M.api("/sites/" + encodeURIComponent(site) + "/follow-ups" + (status ? "?status=" + status : ""));
      $("fu-rows").replaceChildren(...found.follow_ups.map(row));
      $("fu-summary").textContent = HQ.t("follow_ups_counts", { open: found.open, overdue: found.overdue });
      hook.loads += 1;
    } catch (e) {
      if (!M.failed(e)) $("fu-error").textContent = e.message;
    }
  }

  async function download(format) {
    const site = $("fu-site").value;
    const q = new URLSearchParams({ from: $("fu-from").value, to: $("fu-to").value, format });
    try {
      const response = await fetch("/api/v1/sites/" + encodeURIComponent(site) + "/ratings/export?" + q, {
        headers: { Authorization: "Bearer " + M.token() },
        cache: "no-store",
      });
      if (!response.ok) throw new HQ.ApiError(response.status, await response.json().catch(() => null));
      const url = URL.createObjectURL(await response.blob());
      const link = HQ.el("a", { href: url, download: "hallqueue-ratings-" + site + "." + format });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      if (!M.failed(e)) $("fu-error").textContent = e.message;
    }
  }

  async function start() {
    try {
      const live = await M.api("/manage/live");
      const tree = M.tree(live.sites.map((s) => s.site));
      $("fu-site").replaceChildren(
        ...tree.map((n) => HQ.el("option", { value: n.site.id, text: "\u3000".repeat(n.depth) + M.siteName(n.site) }))
      );
    } catch (e) {
      if (M.failed(e)) return;
    }
    const today = new Date();
    $("fu-to").value = M.localDate(today);
    $("fu-from").value = M.localDate(new Date(today.getTime() - 29 * 86400000));
    await load();
  }

  $("fu-site").addEventListener("change", load);
  $("fu-status").addEventListener("change", load);
  for (const b of document.querySelectorAll(".fu-export")) b.addEventListener("click", () => download(b.dataset.format));
  M.onLogout = () => $("fu-rows").replaceChildren();
  M.boot(start);
})();
