// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  window.communityCsrf = csrf ? csrf.content : "";

  // Read form attributes, never form.action / form.submit: a control with that name hides them.
  function formUrl(form) { return form.getAttribute("action") || window.location.pathname; }
  function submitNatively(form) { HTMLFormElement.prototype.submit.call(form); }

  // A vote follows the item: show it on the follow button and in a short note.
  function showFollowing(following, automatically) {
    var form = document.querySelector("form[data-follow-form]");
    if (!form) { return; }
    form.querySelector('input[name="state"]').value = following ? "off" : "on";
    form.querySelector("button").textContent = form.getAttribute(following ? "data-label-unfollow" : "data-label-follow");
    var note = form.querySelector("[data-auto-followed]");
    if (note && automatically) { note.textContent = note.getAttribute("data-auto-followed"); }
  }

  // Vote without a reload.
  document.querySelectorAll("form[data-vote-form]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var url = formUrl(form);
      fetch(url, { method: "POST", body: new FormData(form), headers: { "Accept": "application/json", "X-CSRFToken": window.communityCsrf }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw r; } return r.json(); })
        .then(function (data) {
          var button = form.querySelector("button");
          form.querySelector('input[name="state"]').value = data.voted ? "off" : "on";
          button.classList.toggle("voted", data.voted);
          button.setAttribute("aria-pressed", data.voted ? "true" : "false");
          document.querySelectorAll('[data-vote-count="' + url.match(/posts\/(\d+)/)[1] + '"]').forEach(function (el) { el.textContent = data.vote_count; });
          if (data.voted) { showFollowing(data.following, data.auto_followed); }
        })
        .catch(function () { submitNatively(form); });
    });
  });

  // Markdown preview through the server's sanitizing renderer.
  document.querySelectorAll("[data-preview-for]").forEach(function (button) {
    button.addEventListener("click", function () {
      var area = document.getElementById(button.getAttribute("data-preview-for"));
      var out = document.getElementById(area.id + "-preview");
      var body = new FormData(); body.append("body", area.value); body.append("csrf_token", window.communityCsrf);
      fetch(area.getAttribute("data-preview"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { out.innerHTML = data.html; out.hidden = false; });
    });
  });

  // Reply to a comment: fill the parent id in the main comment form.
  document.querySelectorAll("[data-reply-to]").forEach(function (link) {
    link.addEventListener("click", function () {
      var form = document.getElementById("comment-form"); if (!form) { return; }
      form.querySelector("[data-parent-input]").value = link.getAttribute("data-reply-to");
      var note = form.querySelector("[data-replying-to]");
      note.textContent = "↪ " + link.getAttribute("data-reply-name"); note.hidden = false;
      form.querySelector("textarea").focus();
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) { if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); } });
  });

  // Compose: show the fields of the chosen kind of post.
  var kinds = document.querySelectorAll('input[name="kind"]');
  function showKind() {
    var chosen = document.querySelector('input[name="kind"]:checked');
    document.querySelectorAll("[data-kind-only]").forEach(function (el) {
      el.hidden = !chosen || el.getAttribute("data-kind-only") !== chosen.value;
    });
  }
  kinds.forEach(function (k) { k.addEventListener("change", showKind); });
  if (kinds.length) { showKind(); }
})();
