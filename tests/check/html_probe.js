// Injected by tests/check/html.rs at the end of a copy of the report: scroll
// through the page so that every thumbnail is drawn, check what a reviewer
// relies on, and write the findings as JSON into <pre id="voxprep-probe">,
// which the test reads from Chromium's --dump-dom. No element, no pass.
//
// --dump-dom writes the page once it has loaded; an iframe whose document
// stays open holds the load event back until the probe is done, so that
// the probe runs in real time, with real frames (under a virtual time
// budget the page's IntersectionObserver is never told of a scroll).
(function () {
  "use strict";
  var hold = document.createElement("iframe");
  hold.style.display = "none";
  document.body.appendChild(hold);
  hold.contentDocument.open();
  function release() { hold.contentDocument.close(); }
  // Whatever happens, the page loads within 30 s (the test reads no
  // result then, and fails).
  setTimeout(release, 30000);
  // Two frames and a task: the page's IntersectionObserver has been told.
  function frames() {
    return new Promise(function (r) {
      requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(r, 0); }); });
    });
  }
  function visible(r) { return !r.hidden && r.offsetParent !== null; }
  function inked(cv) {
    if (!cv.width || !cv.height) return 0;
    var d = cv.getContext("2d", { willReadFrequently: true }).getImageData(0, 0, cv.width, cv.height).data, n = 0;
    // Pixels of the waveform's dark blue or the clipping red.
    for (var i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 255 && ((d[i] < 80 && d[i + 2] > 100) || (d[i] > 200 && d[i + 1] < 110))) n++;
    }
    return n;
  }
  async function probe() {
    var out = {};
    var rows = Array.prototype.slice.call(document.querySelectorAll("#rows > .r"));
    out.rows = rows.length;
    out.row_verdicts = { pass: 0, warn: 0, fail: 0 };
    rows.forEach(function (r) { out.row_verdicts[r.getAttribute("data-v")]++; });
    out.summary = {};
    ["pass", "warn", "fail", "units"].forEach(function (k) {
      var el = document.getElementById("n-" + k);
      out.summary[k] = el ? Number(el.textContent) : null;
    });
    var canvases = Array.prototype.slice.call(document.querySelectorAll("#rows canvas"));
    out.thumbnails = canvases.length;
    out.drawn_before_scrolling = canvases.filter(function (c) { return c.hasAttribute("data-drawn"); }).length;
    // Scroll a screen at a time: the page draws what comes into view.
    var step = Math.max(window.innerHeight - 100, 200);
    for (var y = 0; y <= document.documentElement.scrollHeight; y += step) {
      window.scrollTo(0, y);
      await frames();
    }
    await frames();
    out.undrawn = canvases.filter(function (c) {
      return !c.hasAttribute("data-drawn") || inked(c) < 20;
    }).map(function (c) { return c.closest(".r").getAttribute("data-p"); });
    window.scrollTo(0, 0);
    var verdict = document.getElementById("f-verdict");
    verdict.value = "fail";
    verdict.dispatchEvent(new Event("change"));
    var shown = rows.filter(visible);
    out.fail_filter = {
      shown: shown.length,
      all_fail: shown.every(function (r) { return r.getAttribute("data-v") === "fail"; }),
      counter: document.getElementById("shown").textContent
    };
    var code = document.getElementById("f-code");
    verdict.value = "";
    code.value = "clipping";
    code.dispatchEvent(new Event("change"));
    out.clipping_filter = rows.filter(visible).map(function (r) { return r.getAttribute("data-p"); });
    out.errors = window.voxprepProbeErrors || ["the head probe did not run"];
    var pre = document.createElement("pre");
    pre.id = "voxprep-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }
  function start() {
    probe().catch(function (e) {
      var pre = document.createElement("pre");
      pre.id = "voxprep-probe";
      pre.textContent = JSON.stringify({ probe_failed: String(e && e.stack || e) });
      document.body.appendChild(pre);
    }).then(release);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
