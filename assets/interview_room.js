// The interview room's recorder. The page's state sets the data attributes of #room
// (interview, question, reading and answer seconds, chunks already saved, a key that
// changes with every question); this shows the camera, counts the reading time down,
// records with MediaRecorder and uploads a chunk every CHUNK_MS to the portal's own
// recording endpoints while recording, one at a time and in order. A failed upload is
// retried with backoff, so a dropped connection loses nothing; the recorder keeps going
// meanwhile. A gap reported by the server is closed from the queue. Once the answer
// is stopped and every chunk is saved, it is submitted and #room-saved is pressed, so
// the page's state moves on. Messages are the page's own elements, in both languages;
// a refusal from the server is shown as the server words it (in the visitor's language).
// A same-origin file: the Content-Security-Policy allows no inline code.
(function () {
  "use strict";
  if (window.__talentRoom) { return; }
  window.__talentRoom = true;

  var CHUNK_MS = 2000;
  var MAX_BACKOFF_MS = 8000;
  var stream = null;
  var current = null; // the question being answered: {key, interview, question, ...}

  function $(id) { return document.getElementById(id); }
  function show(id, on) { var el = $(id); if (el) { el.hidden = !on; } }
  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function setText(id, text) { var el = $(id); if (el && el.textContent !== text) { el.textContent = text; } }
  function error(text) { setText("room-error", text || ""); show("room-error", !!text); }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function phase(name) {
    show("room-phase-reading", name === "reading");
    show("room-phase-recording", name === "recording");
    show("room-phase-saving", name === "saving");
    show("room-start", name === "reading");
    show("room-stop", name === "recording");
    show("room-retry", name === "failed");
    show("room-submit-saved", name === "saved-part");
    show("room-retake", (name === "recording" || name === "saved-part") && current && current.retakes > 0);
  }

  function url(base, q, extra) {
    return base + "?interview=" + encodeURIComponent(q.interview) + "&question=" +
      encodeURIComponent(q.question) + (extra || "");
  }

  async function refusal(response) {
    try { var body = await response.json(); return body; } catch (e) { return {}; }
  }

  // ------------------------------------------------------------ camera

  async function camera() {
    if (stream) { return stream; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      throw new Error("unsupported");
    }
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: true });
    return stream;
  }

  function attachPreview() {
    var video = $("room-preview");
    if (video && stream && video.srcObject !== stream) { video.srcObject = stream; }
    var ok = !!stream && stream.getVideoTracks().length > 0 && stream.getAudioTracks().length > 0;
    show("room-devices-ok", ok);
    show("room-no-camera", !ok);
  }

  // ------------------------------------------------------------ uploads

  async function upload(q) {
    // One at a time, in order; retried until it is saved or the server refuses it.
    if (q.uploading) { return; }
    q.uploading = true;
    var backoff = 500;
    try {
      while (q.queue.length && !q.dead) {
        var part = q.queue[0];
        var response;
        try {
          response = await fetch(url(q.chunkUrl, q, "&seq=" + part.seq), {
            method: "POST", body: part.blob, credentials: "same-origin",
            headers: { "content-type": "application/octet-stream" } });
        } catch (e) {
          show("room-offline", true);
          await sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
          continue;
        }
        show("room-offline", false);
        if (response.ok) {
          q.sent = (q.sent || 0) + 1;
          q.queue.shift();
          backoff = 500;
          continue;
        }
        var body = await refusal(response);
        if (response.status === 409 && typeof body.expected === "number") {
          // the server has less or more than we think: drop what it has, resend from there
          q.queue = q.queue.filter(function (p) { return p.seq >= body.expected; });
          if (q.queue.length && q.queue[0].seq !== body.expected) {
            q.dead = true;
            error(body.error);
          }
          continue;
        }
        if (response.status === 429 || response.status >= 500) {
          await sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
          continue;
        }
        q.dead = true; // refused for good (closed, too long, no consent…): say why
        error(body.error);
        stop(q, true);
      }
    } finally {
      q.uploading = false;
    }
    if (q.stopped && !q.queue.length && !q.dead) { submit(q); }
  }

  async function finishedOnServer(q) {
    // after an attempt whose answer was lost, the server knows whether it took it
    try {
      var response = await fetch(url(q.resumeUrl, q), { credentials: "same-origin" });
      return response.ok && (await response.json()).finished === true;
    } catch (e) {
      return false;
    }
  }

  async function submit(q) {
    if (q.submitting || q.submitted) { return; }
    q.submitting = true;
    phase("saving");
    var backoff = 500;
    for (;;) {
      var response;
      try {
        response = await fetch(url(q.finishUrl, q, "&language=" + q.language), {
          method: "POST", credentials: "same-origin" });
      } catch (e) {
        q.uncertain = true;
        show("room-offline", true);
        await sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        continue;
      }
      show("room-offline", false);
      var body = await refusal(response);
      if (response.ok || (response.status === 409 && q.uncertain && await finishedOnServer(q))) {
        break;
      }
      if (response.status === 429 || response.status >= 500) {
        await sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        continue;
      }
      q.submitting = false;
      error(body.error);
      phase("failed");
      return;
    }
    q.submitted = true;
    var done = $("room-saved");
    if (done) { done.click(); }
  }

  async function retake(q) {
    // what was recorded is dropped here and on the server; the state starts the question over
    q.dead = true;
    stop(q, true);
    while (q.uploading) { await sleep(100); }
    var again = $("room-retaken");
    if (!q.sent && !q.saved) { if (again) { again.click(); } return; } // nothing reached the server
    var response;
    try {
      response = await fetch(url(q.retakeUrl, q), { method: "POST", credentials: "same-origin" });
    } catch (e) {
      show("room-offline", true);
      return;
    }
    if (!response.ok) {
      error((await refusal(response)).error);
      return;
    }
    if (again) { again.click(); }
  }

  // ------------------------------------------------------------ recording

  function pickType() {
    var types = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }

  function record(q) {
    if (q.recorder || q.stopped) { return; }
    clearInterval(q.readingTimer);
    var type = pickType();
    var recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    q.recorder = recorder;
    var seq = 0;
    recorder.ondataavailable = function (event) {
      if (!event.data || !event.data.size || q.dead) { return; }
      q.queue.push({ seq: seq++, blob: event.data });
      upload(q);
    };
    recorder.onstop = function () {
      q.stopped = true;
      if (!q.dead) { phase("saving"); }
      upload(q);
    };
    recorder.start(CHUNK_MS);
    phase("recording");
    var started = Date.now();
    var tick = function () {
      var left = Math.max(0, q.limit - Math.floor((Date.now() - started) / 1000));
      setText("room-answer-left", format(left));
      if (left === 0) { stop(q); }
    };
    tick();
    q.answerTimer = setInterval(tick, 250);
  }

  function stop(q, quietly) {
    clearInterval(q.answerTimer);
    clearInterval(q.readingTimer);
    if (q.recorder && q.recorder.state !== "inactive") { q.recorder.stop(); }
    else if (!q.recorder) { q.stopped = true; }
    if (quietly) { phase("failed-quiet"); }
  }

  function reading(q) {
    phase("reading");
    var started = Date.now();
    var tick = function () {
      var left = Math.max(0, q.reading - Math.floor((Date.now() - started) / 1000));
      setText("room-reading-left", format(left));
      if (left === 0) { record(q); }
    };
    tick();
    q.readingTimer = setInterval(tick, 250);
  }

  async function begin(room) {
    var q = {
      key: room.getAttribute("data-key") || "",
      interview: room.getAttribute("data-interview"),
      question: room.getAttribute("data-question"),
      reading: parseInt(room.getAttribute("data-reading") || "0", 10) || 0,
      limit: parseInt(room.getAttribute("data-limit") || "0", 10) || 0,
      saved: parseInt(room.getAttribute("data-saved") || "0", 10) || 0,
      retakes: parseInt(room.getAttribute("data-retakes") || "0", 10) || 0,
      retakeUrl: room.getAttribute("data-retake-url"),
      language: room.getAttribute("data-language") || "zh",
      chunkUrl: room.getAttribute("data-chunk-url"),
      resumeUrl: room.getAttribute("data-resume-url"),
      finishUrl: room.getAttribute("data-finish-url"),
      queue: []
    };
    current = q;
    error("");
    show("room-offline", false);
    if (q.saved > 0) {
      // a recording of this answer began before a reload or a closed tab: it cannot be
      // continued (a new recorder starts a new file), so what was saved is submitted
      phase("saved-part");
      return;
    }
    phase("");
    try {
      await camera();
    } catch (e) {
      stream = null;
      attachPreview();
      return;
    }
    if (current !== q) { return; }
    attachPreview();
    reading(q);
  }

  function teardown() {
    if (current) { stop(current, true); current = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
  }

  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("button") : null;
    if (!target || !current) { return; }
    if (target.id === "room-start") { record(current); }
    else if (target.id === "room-retake") { retake(current); }
    else if (target.id === "room-stop") { stop(current); }
    else if (target.id === "room-retry" || target.id === "room-submit-saved") {
      error("");
      current.uncertain = true; // an earlier attempt may have reached the server
      submit(current);
    }
  });

  // Follow the page: a new key is a new question; no #room (another page, the typed
  // answer) ends the recording and releases the camera.
  setInterval(function () {
    var room = $("room");
    if (!room) { if (current || stream) { teardown(); } return; }
    var key = room.getAttribute("data-key") || "";
    if (!key) { return; }
    if (!current || current.key !== key) {
      if (current) { stop(current, true); }
      begin(room);
    } else if (stream) {
      attachPreview(); // the preview element is new after a re-render
    }
  }, 250);
})();
