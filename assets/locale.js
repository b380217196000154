// Remembers the language switch's choice in the tp_locale cookie, so a reload, the next
// visit and the portal's plain HTTP pages (sign-in frames, uploads) use it. The switch
// itself is a Reflex event; the server reads this cookie from the websocket handshake.
// Keeping the language out of Reflex's cookie vars saves an event on every navigation.
// A file, not inline code: the Content-Security-Policy allows no inline scripts.
(function () {
  "use strict";
  if (window.__talentLocale) { return; }
  window.__talentLocale = true;
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-next-locale]") : null;
    if (!button) { return; }
    var value = button.getAttribute("data-next-locale");
    if (value !== "en" && value !== "zh_CN") { return; }
    document.cookie = "tp_locale=" + value + "; path=/; max-age=31536000; samesite=strict" +
      (window.location.protocol === "https:" ? "; secure" : "");
  }, true);
})();
