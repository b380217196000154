// The candidate's device check (portal/pages/device_check.py), run in the browser.
// A file, not inline code: the page's Content-Security-Policy allows scripts from
// our own origin only, and no eval. The figures go back to the server by filling
// the page's hidden form field and submitting that form (a Reflex event); the
// server validates them and decides what passes. Words come from the page
// (data-* attributes of #dc-texts, in the page's language).
(function () {
  "use strict";
  if (window.__talentDeviceCheck) { return; }
  window.__talentDeviceCheck = true;

  var PING = "/net/ping", DOWNLOAD = "/net/download", UPLOAD = "/net/upload";
  var PINGS = 12, MAX_MBPS = 1000, RECORD_MS = 3000, TIMEOUT_MS = 20000;
  var CODECS = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm;codecs=h264,opus",
                "video/webm", "video/mp4;codecs=avc1,mp4a", "video/mp4"];
  var live = {video: null, audio: null, running: false};

  function el(id) { return document.getElementById(id); }
  function words(key) {
    var holder = el("dc-texts");
    return holder ? holder.getAttribute("data-" + key) || "" : "";
  }
  function say(key) {
    var status = el("dc-status");
    if (status) { status.textContent = words(key); }
  }
  function stop(stream) {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
  }
  function round(value, digits) {
    var f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  }

  function mediaError(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") { return "denied"; }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") { return "not_found"; }
    if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") { return "in_use"; }
    return "other";
  }

  function browserName() {
    var data = navigator.userAgentData;
    if (data && data.brands) {
      var known = data.brands.filter(function (b) { return !/not.a.brand|chromium/i.test(b.brand); });
      var brand = known[0] || data.brands.filter(function (b) { return /chromium/i.test(b.brand); })[0];
      if (brand) { return (brand.brand + " " + brand.version).replace("Google ", "").slice(0, 100); }
    }
    var ua = navigator.userAgent, m;
    var rules = [[/Edg\/(\d+)/, "Edge"], [/Firefox\/(\d+)/, "Firefox"], [/Chrome\/(\d+)/, "Chrome"],
                 [/Version\/(\d+).*Safari/, "Safari"]];
    for (var i = 0; i < rules.length; i += 1) {
      m = ua.match(rules[i][0]);
      if (m) { return rules[i][1] + " " + m[1]; }
    }
    return ua.replace(/[^\x20-\x7e]/g, "").slice(0, 100);
  }

  function browser() {
    var codec = "";
    if (window.MediaRecorder && MediaRecorder.isTypeSupported) {
      for (var i = 0; i < CODECS.length && !codec; i += 1) {
        if (MediaRecorder.isTypeSupported(CODECS[i])) { codec = CODECS[i]; }
      }
    }
    return {
      name: browserName(),
      secure_context: !!window.isSecureContext,
      webrtc: typeof window.RTCPeerConnection === "function",
      media_devices: !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia),
      recorder: typeof window.MediaRecorder === "function",
      codec: codec
    };
  }

  function measuredFps(video) {
    // When the track does not say: count the frames shown for one second.
    return new Promise(function (resolve) {
      if (!video.requestVideoFrameCallback) { resolve(null); return; }
      var frames = 0, start = performance.now();
      function tick() {
        frames += 1;
        if (performance.now() - start < 1000) { video.requestVideoFrameCallback(tick); }
        else { resolve(frames * 1000 / (performance.now() - start)); }
      }
      video.requestVideoFrameCallback(tick);
      setTimeout(function () { resolve(frames > 1 ? frames : null); }, 2500);
    });
  }

  async function camera(supported) {
    if (!supported) { return {error: "unsupported", width: null, height: null, fps: null}; }
    say("camera");
    stop(live.video);
    try {
      live.video = await navigator.mediaDevices.getUserMedia(
        {video: {width: {ideal: 1280}, height: {ideal: 720}, frameRate: {ideal: 30}}, audio: false});
    } catch (err) {
      live.video = null;
      return {error: mediaError(err), width: null, height: null, fps: null};
    }
    var preview = el("dc-preview");
    if (preview) {
      preview.srcObject = live.video;
      try { await preview.play(); } catch (e) { /* muted preview: play() only fails when hidden */ }
    }
    var settings = live.video.getVideoTracks()[0].getSettings();
    var fps = settings.frameRate || (preview ? await measuredFps(preview) : null);
    return {
      error: "",
      width: settings.width ? Math.round(settings.width) : (preview ? preview.videoWidth || null : null),
      height: settings.height ? Math.round(settings.height) : (preview ? preview.videoHeight || null : null),
      fps: fps ? round(Math.min(fps, 240), 1) : null
    };
  }

  async function microphone(supported) {
    if (!supported) { return {error: "unsupported", level: null}; }
    say("microphone");
    stop(live.audio);
    try {
      live.audio = await navigator.mediaDevices.getUserMedia({audio: true, video: false});
    } catch (err) {
      live.audio = null;
      return {error: mediaError(err), level: null};
    }
    var meter = el("dc-level"), peak = 0, context = null, analyser = null, samples = null;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx) {
      context = new Ctx();
      try { await context.resume(); } catch (e) { /* resumed by the click already */ }
      analyser = context.createAnalyser();
      analyser.fftSize = 2048;
      context.createMediaStreamSource(live.audio).connect(analyser);
      samples = new Float32Array(analyser.fftSize);
    }
    var chunks = [], recorder = null;
    if (window.MediaRecorder) {
      var type = ["audio/webm;codecs=opus", "audio/mp4", "audio/webm"].filter(function (t) {
        return MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(t);
      })[0];
      recorder = new MediaRecorder(live.audio, type ? {mimeType: type} : undefined);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      recorder.start();
    }
    say("recording");
    await new Promise(function (resolve) {
      var started = performance.now();
      var timer = setInterval(function () {
        if (analyser) {
          analyser.getFloatTimeDomainData(samples);
          var now = 0;
          for (var i = 0; i < samples.length; i += 1) { now = Math.max(now, Math.abs(samples[i])); }
          peak = Math.max(peak, now);
          if (meter) { meter.value = Math.min(1, now); }
        }
        if (performance.now() - started >= RECORD_MS) { clearInterval(timer); resolve(); }
      }, 50);
    });
    if (recorder) {
      await new Promise(function (resolve) { recorder.onstop = resolve; recorder.stop(); });
      var playback = el("dc-playback");
      if (playback && chunks.length) {
        if (playback.src) { URL.revokeObjectURL(playback.src); }
        playback.src = URL.createObjectURL(new Blob(chunks, {type: chunks[0].type}));
      }
    }
    if (meter) { meter.value = 0; }
    if (context) { context.close(); }
    stop(live.audio);
    live.audio = null;
    return {error: "", level: analyser ? round(Math.min(1, peak), 3) : null};
  }

  function timed(url, options) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, TIMEOUT_MS);
    var opts = Object.assign({cache: "no-store", credentials: "same-origin", signal: abort.signal}, options || {});
    var start = performance.now();
    return fetch(url, opts).then(function (response) {
      if (response.status === 429) { throw new Error("rate_limited"); }
      if (!response.ok) { throw new Error("failed"); }
      return response.arrayBuffer();
    }).then(function (body) {
      clearTimeout(timer);
      return {ms: performance.now() - start, bytes: body.byteLength};
    }, function (err) {
      clearTimeout(timer);
      throw new Error(err && err.message === "rate_limited" ? "rate_limited" : "failed");
    });
  }

  function mbps(bytes, ms, latency) {
    // One round trip is not transfer time; never count less than half the elapsed time.
    var transfer = Math.max(ms - latency, ms / 2, 0.1);
    return round(Math.min(MAX_MBPS, bytes * 8 / (transfer * 1000)), 2);
  }

  async function network() {
    say("network");
    var result = {error: "", latency_ms: null, download_mbps: null, upload_mbps: null};
    try {
      var times = [];
      for (var i = 0; i < PINGS; i += 1) {
        times.push((await timed(PING + "?i=" + i)).ms);
      }
      times = times.slice(1).sort(function (a, b) { return a - b; });  // the first opens the connection
      var mid = times.length >> 1;
      var latency = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
      result.latency_ms = round(Math.min(latency, 60000), 1);
      var sizes = [256 * 1024, 2 * 1024 * 1024], got;
      for (var d = 0; d < sizes.length; d += 1) {
        got = await timed(DOWNLOAD + "?bytes=" + sizes[d]);
        result.download_mbps = mbps(got.bytes, got.ms, latency);
        if (got.ms > 2000) { break; }  // a slow link: the small sample says enough
      }
      for (var u = 0; u < sizes.length; u += 1) {
        var body = new Uint8Array(sizes[u]);
        got = await timed(UPLOAD, {method: "POST", body: body, headers: {"content-type": "application/octet-stream"}});
        result.upload_mbps = mbps(sizes[u], got.ms, latency);
        if (got.ms > 2000) { break; }
      }
    } catch (err) {
      result.error = err.message === "rate_limited" ? "rate_limited" : "failed";
    }
    return result;
  }

  function submit(figures) {
    var field = el("dc-result"), form = el("dc-form");
    if (!field || !form) { return; }  // the candidate left the page meanwhile
    field.value = JSON.stringify(figures);
    if (form.requestSubmit) { form.requestSubmit(); }
    else { form.dispatchEvent(new Event("submit", {bubbles: true, cancelable: true})); }
  }

  async function run(button) {
    if (live.running) { return; }
    live.running = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      var info = browser();
      var figures = {browser: info};
      figures.camera = await camera(info.media_devices);
      figures.microphone = await microphone(info.media_devices);
      figures.network = await network();
      submit(figures);
      say("finished");
    } catch (err) {
      say("failed");
    } finally {
      live.running = false;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("#dc-start");
    if (button) {
      event.preventDefault();
      run(button);
    }
  });

  // The live preview runs while the page is open: leaving it (a client-side
  // navigation removes the element) turns the camera off.
  setInterval(function () {
    if (live.video && !document.body.contains(el("dc-preview"))) {
      stop(live.video);
      live.video = null;
    }
  }, 1000);
}());
