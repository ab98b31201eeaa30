// Docket's one script: it makes the countdowns tick. Pages work without it.
//
// The server renders its own instant on <body data-now> and each deadline on
// <span class="countdown" data-due>. The script counts from the server's
// instant with the browser's monotonic clock (performance.now), so a client
// whose wall clock is wrong, or is changed while the page is open, shows the
// same time left as the server. A countdown marked data-frozen (a stopped or
// closed clock) keeps the text the server rendered.
(function () {
  "use strict";

  var body = document.body;
  var serverNow = Date.parse(body.getAttribute("data-now"));
  if (isNaN(serverNow)) {
    return;
  }
  var start = window.performance.now();
  var dueSoon = Number(body.getAttribute("data-due-soon-ms")) || 7 * 86400000;
  var critical = Number(body.getAttribute("data-critical-ms")) || 2 * 86400000;
  // The bands' words are the server's (the critical band says its threshold).
  var labels = {
    on_track: body.getAttribute("data-band-on-track") || "On track",
    due_soon: body.getAttribute("data-band-due-soon") || "Due soon",
    critical: body.getAttribute("data-band-critical") || "2 days or less",
    overdue: body.getAttribute("data-band-overdue") || "Overdue"
  };

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  // text formats milliseconds as the server does: "12 d 04 h 05 m 06 s".
  function text(ms) {
    var overdue = ms < 0;
    var s = Math.floor(Math.abs(ms) / 1000);
    var t = Math.floor(s / 86400) + " d " + pad(Math.floor((s % 86400) / 3600)) + " h " +
      pad(Math.floor((s % 3600) / 60)) + " m " + pad(s % 60) + " s";
    return overdue ? "overdue by " + t : t;
  }

  function band(ms) {
    if (ms < 0) {
      return "overdue";
    }
    if (ms <= critical) {
      return "critical";
    }
    if (ms <= dueSoon) {
      return "due_soon";
    }
    return "on_track";
  }

  var clocks = [];
  var nodes = document.querySelectorAll(".countdown[data-due]");
  for (var i = 0; i < nodes.length; i++) {
    var el = nodes[i];
    if (el.hasAttribute("data-frozen")) {
      continue;
    }
    var due = Date.parse(el.getAttribute("data-due"));
    if (isNaN(due)) {
      continue;
    }
    var row = el.closest("tr, .clock-card");
    clocks.push({ el: el, due: due, badge: row ? row.querySelector(".band") : null, band: "" });
  }
  if (clocks.length === 0) {
    return;
  }

  function tick() {
    var now = serverNow + (window.performance.now() - start);
    for (var i = 0; i < clocks.length; i++) {
      var c = clocks[i];
      var left = c.due - now;
      var t = text(left);
      if (c.el.textContent !== t) {
        c.el.textContent = t;
      }
      var b = band(left);
      if (c.badge && b !== c.band && c.badge.className.indexOf("band-" + b) < 0 && c.band !== "") {
        c.badge.className = "band band-" + b;
        c.badge.textContent = labels[b];
      }
      c.band = b;
    }
    body.setAttribute("data-ticking", "true");
  }

  tick();
  window.setInterval(tick, 1000);
})();
