// Buttons of the TOTP-key and recovery-code frames (portal/auth_routes.py).
// A file, not inline code: the frames' Content-Security-Policy allows scripts
// from our own origin only. The secrets are read from the frame's own page.
(function () {
  "use strict";
  var status = document.getElementById("frame-status");

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function copyByHand(text) {
    // Without the async clipboard (plain http off localhost): a selected textarea.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  // The page's language (the shell's lang attribute), which the switch changes in place.
  function locale() {
    try {
      var holder = window.frameElement && window.frameElement.closest("[lang]");
      return holder && holder.getAttribute("lang") === "en" ? "en" : "zh_CN";
    } catch (e) {
      return document.documentElement.lang === "en" ? "en" : "zh_CN";
    }
  }

  function pick(json) {
    try { return JSON.parse(json)[locale()]; } catch (e) { return json; }
  }

  function translate() {
    var lang = locale();
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i += 1) {
      nodes[i].textContent = pick(nodes[i].getAttribute("data-i18n"));
    }
    say("");
    fit();
  }

  function copy(text, done, failed) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(done); }, function () {
        say(copyByHand(text) ? done : failed);
      });
    } else {
      say(copyByHand(text) ? done : failed);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var action = button.getAttribute("data-action");
    if (action === "copy") {
      var source = document.getElementById(button.getAttribute("data-source"));
      var text = source.getAttribute("data-copy") || source.textContent;
      copy(text, pick(button.getAttribute("data-done")), pick(button.getAttribute("data-failed")));
    } else if (action === "print") {
      window.print();
    }
  });

  // Follow the portal's light/dark theme, and grow the frame to its content
  // (its width differs from phone to desktop, and a fixed height cut the key off).
  function theme() {
    try {
      var dark = window.parent.document.documentElement.classList.contains("dark");
      document.documentElement.classList.toggle("dark", dark);
    } catch (e) { /* not embedded by our own page: keep the default */ }
  }

  function fit() {
    var frame = window.frameElement;
    if (frame) {
      frame.style.height = Math.ceil(document.body.getBoundingClientRect().height) + 2 + "px";
    }
  }

  theme();
  translate();
  window.addEventListener("load", fit);
  window.addEventListener("resize", fit);
  try {
    new MutationObserver(theme).observe(window.parent.document.documentElement,
                                        { attributes: true, attributeFilter: ["class"] });
    var holder = window.frameElement && window.frameElement.closest("[lang]");
    if (holder) {
      new MutationObserver(translate).observe(holder, { attributes: true, attributeFilter: ["lang"] });
    }
  } catch (e) { /* standalone */ }
}());
