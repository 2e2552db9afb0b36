/* The start page: the language switch, and opening a site's hall display with the token
 * typed beside it. The token goes only into the display's own address, as a display PC
 * would be set up; the start page never sends or keeps it. */
(function () {
  "use strict";
  document.getElementById("lang-switch").addEventListener("click", HQ.switchLang);
  for (const form of document.querySelectorAll("form.s-open")) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const token = form.elements.token.value.trim();
      if (!token) return;
      const query = new URLSearchParams({ token: token });
      if (event.submitter && event.submitter.value === "small") query.set("layout", "small");
      if (HQ.lang === "en") query.set("lang", "en");
      location.assign("/display/" + encodeURIComponent(form.dataset.site) + "?" + query.toString());
    });
  }
})();
