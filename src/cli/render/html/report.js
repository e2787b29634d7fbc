(function () {
  "use strict";
  var main = document.getElementById("rows");
  var rows = Array.prototype.slice.call(main.children);
  var threshold = parseFloat(main.getAttribute("data-th")) || 0;
  var CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var LEVEL = {};
  for (var q = 0; q < CHARS.length; q++) LEVEL[CHARS.charAt(q)] = q / 31 - 1;
  // Report order (the order the other formats list the files in).
  rows.forEach(function (r) { r.voxIndex = +r.getAttribute("data-i"); });
  var FLOOR = parseFloat(main.getAttribute("data-floor")) || 60;
  // A level of the dB scale (-1..1) on a linear one (-1..1).
  function linear(y) {
    var m = Math.abs(y);
    var v = m <= 0 ? 0 : Math.pow(10, (m * FLOOR - FLOOR) / 20);
    return y < 0 ? -v : v;
  }

  // A thumbnail: silence at the ends (amber when it costs a unit), a tick
  // at each 12 s unit, the dB-scaled envelope, clipped bins in red, and
  // the silence threshold dashed.
  function draw(cv) {
    if (cv.getAttribute("data-drawn")) return;
    var e = cv.getAttribute("data-e") || "";
    var n = e.length >> 1;
    var W = 200, H = 48, ratio = window.devicePixelRatio || 1;
    cv.width = Math.round(W * ratio);
    cv.height = Math.round(H * ratio);
    var g = cv.getContext("2d");
    g.scale(ratio, ratio);
    var bin = W / Math.max(n, 1), mid = H / 2, half = H / 2 - 1;
    var x = function (b) { return b * bin; };
    var lead = parseFloat(cv.getAttribute("data-a")) || 0;
    var trail = parseFloat(cv.getAttribute("data-z")) || 0;
    g.fillStyle = cv.getAttribute("data-s") === "1" ? "#f5b942" : "#dbe4f0";
    if (lead > 0) g.fillRect(0, 0, x(Math.min(lead, n)), H);
    if (trail > 0) { var from = x(Math.max(n - trail, 0)); g.fillRect(from, 0, W - from, H); }
    var unit = parseFloat(cv.getAttribute("data-t"));
    if (unit > 0) {
      g.fillStyle = "#57606a";
      for (var u = unit; u < n; u += unit) {
        g.fillRect(Math.round(x(u)), 0, 1, H);
      }
    }
    var clipped = {};
    (cv.getAttribute("data-k") || "").split(",").forEach(function (range) {
      if (!range) return;
      var ends = range.split("-"), a = +ends[0], b = ends.length > 1 ? +ends[1] : a;
      for (var c = a; c <= b; c++) clipped[c] = true;
    });
    // Each bin twice: light on the dB scale (what shows silence and the
    // threshold), dark on a linear one (what the ear calls loud).
    var w = Math.max(bin, 1);
    for (var i = 0; i < n; i++) {
      var hi = LEVEL[e.charAt(2 * i)] || 0, lo = LEVEL[e.charAt(2 * i + 1)] || 0;
      var top = mid - Math.max(hi, lo) * half, bottom = mid - Math.min(hi, lo) * half;
      g.fillStyle = clipped[i] ? "#f4a09b" : "#a9bcdc";
      g.fillRect(x(i), top, w, Math.max(bottom - top, 1));
      var lhi = linear(Math.max(hi, lo)), llo = linear(Math.min(hi, lo));
      g.fillStyle = clipped[i] ? "#e5534b" : "#2f4b7c";
      g.fillRect(x(i), mid - lhi * half, w, Math.max((lhi - llo) * half, 1));
      if (clipped[i]) { g.fillRect(x(i), 0, w, 3); g.fillRect(x(i), H - 3, w, 3); }
    }
    g.strokeStyle = "#2da44e";
    g.lineWidth = 1;
    g.setLineDash([3, 2]);
    g.beginPath();
    [mid - threshold * half, mid + threshold * half].forEach(function (y) {
      g.moveTo(0, Math.round(y) + 0.5);
      g.lineTo(W, Math.round(y) + 0.5);
    });
    g.stroke();
    cv.setAttribute("data-drawn", "1");
  }

  var canvases = Array.prototype.slice.call(main.querySelectorAll("canvas[data-e]"));
  if ("IntersectionObserver" in window) {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting) { draw(en.target); seen.unobserve(en.target); }
      });
    }, { rootMargin: "600px 0px" });
    canvases.forEach(function (c) { seen.observe(c); });
  } else {
    canvases.forEach(draw);
  }

  // Play: the player is made when asked for, so that thousands of rows
  // hold no media element.
  main.addEventListener("click", function (ev) {
    var b = ev.target;
    if (!b.classList || !b.classList.contains("play")) return;
    var link = b.parentNode.querySelector("a");
    var audio = document.createElement("audio");
    audio.controls = true;
    audio.src = link.getAttribute("href");
    audio.addEventListener("error", function () {
      var note = document.createElement("span");
      note.textContent = " (the browser cannot play it)";
      audio.replaceWith(note);
    });
    b.replaceWith(audio);
    audio.play().catch(function () {});
  });

  var verdict = document.getElementById("f-verdict");
  var code = document.getElementById("f-code");
  var path = document.getElementById("f-path");
  var sort = document.getElementById("sort");
  var shown = document.getElementById("shown");

  function filter() {
    var v = verdict.value, c = code.value, p = path.value.toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var ok = (!v || r.getAttribute("data-v") === v) &&
        (!c || (" " + r.getAttribute("data-c") + " ").indexOf(" " + c + " ") >= 0) &&
        (!p || r.getAttribute("data-p").toLowerCase().indexOf(p) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }

  var RANK = { fail: 0, warn: 1, pass: 2 };
  function num(r, k) { return parseFloat(r.getAttribute(k)); }
  function order() {
    var k = sort.value;
    var by = {
      path: function (a, b) {
        var x = a.getAttribute("data-p"), y = b.getAttribute("data-p");
        return x < y ? -1 : x > y ? 1 : 0;
      },
      verdict: function (a, b) { return RANK[a.getAttribute("data-v")] - RANK[b.getAttribute("data-v")]; },
      report: function () { return 0; },
      dur: function (a, b) { return num(b, "data-d") - num(a, "data-d"); },
      units: function (a, b) { return num(b, "data-u") - num(a, "data-u"); },
      lufs: function (a, b) { return num(b, "data-l") - num(a, "data-l"); }
    }[k] || function () { return 0; };
    var sorted = rows.slice().sort(function (a, b) { return by(a, b) || a.voxIndex - b.voxIndex; });
    var frag = document.createDocumentFragment();
    sorted.forEach(function (r) { frag.appendChild(r); });
    main.appendChild(frag);
  }

  verdict.addEventListener("change", filter);
  code.addEventListener("change", filter);
  path.addEventListener("input", filter);
  sort.addEventListener("change", order);
  filter();
})();
