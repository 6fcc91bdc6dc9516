// While a title is typed on the compose page, list up to five similar existing items
// (debounced; results rendered with textContent only, never as HTML).
(function () {
  "use strict";
  var box = document.getElementById("similar-items");
  if (!box) { return; }
  var input = document.getElementById(box.getAttribute("data-title-input"));
  var list = box.querySelector("[data-similar-list]");
  var rowTemplate = box.querySelector("template[data-similar-row]");
  var votesLabel = box.querySelector("[data-votes-label]").getAttribute("data-votes-label");
  var url = box.getAttribute("data-similar-url");
  if (!input || !list || !rowTemplate) { return; }
  var timer = null, lastQuery = null, controller = null;

  function render(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var row = rowTemplate.content.cloneNode(true);
      var link = row.querySelector('[data-field="title"]');
      link.textContent = item.title;
      link.setAttribute("href", item.url);
      var status = row.querySelector('[data-field="status"]');
      if (item.status) { status.textContent = item.status_label; status.classList.add("status-" + item.status); }
      else { status.remove(); }
      row.querySelector('[data-field="votes"]').textContent = votesLabel.replace("{n}", String(item.vote_count));
      list.appendChild(row);
    });
    box.hidden = items.length === 0;
  }

  function lookup() {
    var title = input.value.trim();
    if (title === lastQuery) { return; }
    lastQuery = title;
    if (title.length < 2) { render([]); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?title=" + encodeURIComponent(title), {
      headers: { "Accept": "application/json" }, credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { render(data.items || []); })
      .catch(function () { /* similar items are a hint; failing quietly is fine */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, 350);
  });
  if (input.value) { lookup(); }
})();
