// The growth dashboard (/pulse): live counters from "pulse.counters" pushes (relayed by
// realtime.js as a DOM event), the "updated N seconds ago" line, and the two Chart.js charts.
// Progressive enhancement: every figure is in the page and in a table without JavaScript.
(function () {
  "use strict";
  var lang = (document.documentElement.lang || "zh-CN").indexOf("en") === 0 ? "en" : "zh_CN";
  var section = document.querySelector("[data-live-counters]");
  var updated = document.querySelector("[data-pulse-updated]");
  var computedAt = updated ? Date.parse(updated.getAttribute("data-computed-at")) : NaN;

  function tick() {
    if (!updated || isNaN(computedAt)) { return; }
    var n = Math.max(0, Math.round((Date.now() - computedAt) / 1000));
    updated.textContent = updated.getAttribute("data-template").replace("{n}", String(n));
  }

  document.addEventListener("pulse:counters", function (event) {
    var msg = event.detail || {};
    // Pushes carry the whole community's figures; a product page refreshes from its own endpoint.
    if (!section || section.getAttribute("data-pulse-product")) { return; }
    var shown = (msg.display && (msg.display[lang] || msg.display.zh_CN)) || {};
    Object.keys(shown).forEach(function (key) {
      section.querySelectorAll('[data-pulse-counter="' + key + '"]').forEach(function (el) { el.textContent = shown[key]; });
    });
    if (msg.computed_at) { computedAt = Date.parse(msg.computed_at); tick(); }
  });
  if (updated) { setInterval(tick, 1000); }

  function hours(seconds) { return seconds === null ? null : Math.round(seconds / 36) / 100; }

  function draw(canvas) {
    if (typeof window.Chart !== "function") { return; }
    var labels = JSON.parse(canvas.getAttribute("data-labels") || "[]");
    fetch(canvas.getAttribute("data-src"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        var items = data.items || [];
        var weeks = items.map(function (w) { return w.week; });
        var sets;
        if (canvas.getAttribute("data-pulse-chart") === "weekly") {
          sets = [{ label: labels[0], data: items.map(function (w) { return w.received; }) },
                  { label: labels[1], data: items.map(function (w) { return w.resolved; }) }];
        } else {
          sets = [{ label: labels[0], data: items.map(function (w) { return hours(w.p50_seconds); }) },
                  { label: labels[1], data: items.map(function (w) { return hours(w.p90_seconds); }) }];
        }
        new window.Chart(canvas, { type: canvas.getAttribute("data-pulse-chart") === "weekly" ? "bar" : "line",
          data: { labels: weeks, datasets: sets },
          options: { responsive: true, animation: false, plugins: { legend: { position: "bottom" } } } });
      })
      .catch(function () { /* the table beneath shows the same data */ });
  }
  document.querySelectorAll("canvas[data-pulse-chart]").forEach(draw);
})();
