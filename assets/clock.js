// Keeps a candidate page's countdown and join link current without a reload: every
// 30 seconds it presses the page's hidden #clock-tick button, whose Reflex event
// recomputes the times from what the page already loaded (no database query). A
// file, not inline code: the Content-Security-Policy allows no inline scripts.
(function () {
  "use strict";
  if (window.__talentClock) { return; }
  window.__talentClock = true;
  setInterval(function () {
    var tick = document.getElementById("clock-tick");
    if (tick && !document.hidden) { tick.click(); }
  }, 30000);
})();
