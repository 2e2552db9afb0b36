/* A ticket's phone page: polls the ticket (no token, no socket), then offers 好差评. */
(function () {
  "use strict";
  const HQ = window.HQ;
  const $ = (id) => document.getElementById(id);
  const id = $("ticket").dataset.ticket;
  const POLL_MS = 5000;
  let done = false;
  let timer = null;

  function showRating(rating) {
    $("rate").hidden = !!rating;
    $("rated").hidden = !rating;
    if (rating) $("rated-text").textContent = HQ.t("rated_thanks", { name: HQ.lang === "en" ? rating.name_en : rating.name });
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const r = await HQ.api("/tickets/" + encodeURIComponent(id));
      const t = r.ticket;
      const status = $("t-status");
      status.dataset.status = t.status;
      let text = HQ.t("status_" + t.status);
      let detail = "";
      if (t.status === "waiting") {
        detail = HQ.t("ahead", { n: r.ahead }) + " · " + HQ.t("estimated", { n: r.estimated_wait_minutes });
      } else if (t.status === "called") {
        text = HQ.t("go_to_window", { n: t.counter });
      } else if (t.status === "serving") {
        text = HQ.t("being_served", { n: t.counter });
      }
      status.textContent = text;
      $("t-detail").textContent = detail;
      $("t-updated").textContent = new Date().toLocaleTimeString(HQ.lang === "en" ? "en-GB" : "zh-CN", {
        hour12: false,
        timeZone: $("ticket").dataset.timezone || undefined,
      });
      if (t.status === "done" && !done) {
        done = true;
        showRating((await HQ.api("/tickets/" + encodeURIComponent(id) + "/rating")).rating);
      }
      if (["done", "no_show", "cancelled", "unserved"].includes(t.status)) return; // final
    } catch (e) {
      if (e.status === 404) {
        $("t-status").textContent = HQ.t("unknown_ticket");
        return;
      }
    }
    timer = setTimeout(poll, POLL_MS);
  }

  for (const b of document.querySelectorAll("#levels button")) {
    b.addEventListener("click", async () => {
      $("rate-error").textContent = "";
      try {
        const r = await HQ.api("/tickets/" + encodeURIComponent(id) + "/rating", { body: { level: Number(b.dataset.level) } });
        showRating(r.rating);
      } catch (e) {
        if (e.code === "already_rated") showRating((await HQ.api("/tickets/" + encodeURIComponent(id) + "/rating")).rating);
        else $("rate-error").textContent = e.message;
      }
    });
  }
  $("lang-switch").addEventListener("click", HQ.switchLang);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !done) poll();
  });
  poll();
})();
