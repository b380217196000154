// The practice page's countdown. The page's state sets data-key (a new value restarts
// the clock, an empty one stops it) and data-seconds on #practice-timer; this shows
// the time left in #practice-timer-value and reveals #practice-time-up when it has run
// out (the answer can still be submitted). It runs in the browser so that no event
// crosses the network every second. A same-origin file: the policy allows no inline code.
(function () {
  if (window.talentPracticeTimer) return;
  window.talentPracticeTimer = true;
  var key = "";
  var started = 0;
  var shown = "";

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var timer = document.getElementById("practice-timer");
    var value = document.getElementById("practice-timer-value");
    var up = document.getElementById("practice-time-up");
    if (!timer || !value) {
      key = "";
      return;
    }
    var nowKey = timer.getAttribute("data-key") || "";
    var limit = parseInt(timer.getAttribute("data-seconds") || "0", 10) || 0;
    if (nowKey !== key) {
      key = nowKey;
      started = Date.now();
    }
    if (!key) {
      if (up) up.hidden = true;
      return; // stopped: the answer was submitted; the last value stays
    }
    var left = Math.max(0, limit - Math.floor((Date.now() - started) / 1000));
    var text = format(left);
    if (text !== shown || value.textContent !== text) {
      value.textContent = text;
      shown = text;
    }
    timer.setAttribute("data-expired", left === 0 ? "1" : "0");
    if (up) up.hidden = left > 0;
  }

  window.setInterval(tick, 250);
})();
