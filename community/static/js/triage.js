// Staff console keyboard shortcuts and "select all". Progressive enhancement only.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  var selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll('[data-queue-table] input[name="ids"]').forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-queue-row]"));
  var current = -1;
  function focusRow(index) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("row-focused", i === current); });
    var link = rows[current].querySelector("[data-row-link]");
    if (link) { link.focus(); }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) { return; }
    var key = ev.key;
    if (rows.length && (key === "j" || key === "k")) {
      focusRow(current + (key === "j" ? 1 : -1));
      ev.preventDefault();
    } else if (rows.length && key === "x" && current >= 0) {
      var box = rows[current].querySelector('input[name="ids"]');
      if (box) { box.checked = !box.checked; }
      ev.preventDefault();
    } else if (rows.length && key === "o" && current >= 0) {
      window.location.href = rows[current].getAttribute("data-href");
    } else if (key === "a" || key === "r") {
      var field = document.querySelector('[data-shortcut="' + key + '"]') || (key === "a" && document.querySelector("[data-assign-input]"));
      if (field) { field.focus(); ev.preventDefault(); }
    }
  });
})();
