// Live updates over Socket.IO: the bell, the notification feed and an open item page.
// Progressive enhancement: every page works without it (a reload shows the same state).
(function () {
  "use strict";
  if (typeof window.io !== "function") { return; }
  var body = document.body;
  var lang = (document.documentElement.lang || "zh-CN").indexOf("en") === 0 ? "en" : "zh_CN";
  var loggedIn = !!body.getAttribute("data-user-id");
  var postId = body.getAttribute("data-post-id");
  var bell = document.querySelector("[data-bell]");
  // Where this page's state starts; everything newer is fetched by the set of ids shown since.
  var baseline = bell ? parseInt(bell.getAttribute("data-last-id") || "0", 10) : 0;
  var seen = {};
  var seenIds = [];
  var SEEN_SENT = 500;  // the server takes up to 1000
  var SYNC_EVERY_MS = 60000;

  // Same origin only; the server refuses other origins. Rooms are re-joined on every (re)connect.
  var socket = window.io({ withCredentials: true });

  function pick(html) { return html ? (html[lang] || html.zh_CN || "") : ""; }

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();  // server-rendered, sanitized markup
    return t.content.firstElementChild;
  }

  function setUnread(n) {
    if (!bell) { return; }
    var badge = bell.querySelector("[data-unread-count]");
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = !n;
    bell.setAttribute("aria-label", bell.getAttribute("data-label") + (n ? " (" + n + " " + bell.getAttribute("data-unread-label") + ")" : ""));
  }

  // An inline SVG icon from the page's sprite (templates/_macros/icons.html): no emoji font needed.
  function iconFor(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "icon"); svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    var use = document.createElementNS(ns, "use");
    use.setAttribute("href", "#icon-" + (document.getElementById("icon-" + name) ? name : "dot"));
    svg.appendChild(use);
    return svg;
  }

  function toast(n) {
    var box = document.querySelector("[data-live-toasts]");
    if (!box) { return; }
    var a = document.createElement("a");
    a.className = "live-toast";
    a.href = n.url;
    a.appendChild(iconFor(n.icon || "dot"));
    a.appendChild(document.createTextNode(" " + n.text));
    box.appendChild(a);
    setTimeout(function () { if (a.parentNode) { a.parentNode.removeChild(a); } }, 8000);
  }

  function showInFeed(n) {
    var feed = document.querySelector("[data-notification-feed]");
    if (!feed) { return; }
    if (n.replaces) {
      var old = document.getElementById("notification-" + n.replaces);
      if (old) { old.parentNode.removeChild(old); }
    }
    var holder = feed.querySelector("[data-live-day]");
    var list = feed.querySelector("[data-live-list]");
    var li = document.createElement("li");
    li.className = "notification unread";
    li.id = "notification-" + n.id;
    var icon = document.createElement("span"); icon.className = "notification-icon"; icon.appendChild(iconFor(n.icon || "dot"));
    icon.setAttribute("aria-hidden", "true");
    var main = document.createElement("div"); main.className = "notification-main";
    var link = document.createElement("a"); link.href = n.url; link.textContent = n.text; link.className = "notification-text";
    main.appendChild(link);
    if (n.note) { var note = document.createElement("p"); note.className = "notification-note"; note.textContent = n.note; main.appendChild(note); }
    li.appendChild(icon); li.appendChild(main);
    list.insertBefore(li, list.firstChild);
    holder.hidden = false;
    var empty = feed.querySelector("[data-notifications-empty]");
    if (empty) { empty.hidden = true; }
  }

  // Each notification is shown once, whether it arrives live or from a sync.
  function receive(n) {
    if (!n || seen[n.id] || n.id <= baseline) { return; }
    seen[n.id] = true;
    seenIds.push(n.id);
    if (seenIds.length > SEEN_SENT) {  // keep the request small: older ones move into the baseline
      seenIds.sort(function (a, b) { return a - b; });
      baseline = seenIds[seenIds.length - SEEN_SENT - 1];
      seenIds = seenIds.slice(seenIds.length - SEEN_SENT);
    }
    toast(n);
    showInFeed(n);
  }

  // Pushes can be lost (a Redis outage, a reconnect): on connect, when the server says its
  // message queue came back ("resync"), and every minute, ask for what has not been shown.
  function sync() {
    if (!loggedIn || !socket.connected) { return; }
    socket.emit("sync", { after_id: baseline, seen: seenIds.slice() }, function (reply) {
      if (!reply || !reply.ok) { return; }
      reply.items.forEach(receive);
      setUnread(reply.unread);
    });
  }
  socket.on("resync", sync);
  setInterval(sync, SYNC_EVERY_MS);

  socket.on("connect", function () {
    sync();
    if (postId) { socket.emit("join", { room: "post:" + postId }); }
    if (document.querySelector("[data-live-counters], [data-roadmap-live]")) { socket.emit("join", { room: "public" }); }
  });

  socket.on("notification", function (msg) { receive(msg.notification); setUnread(msg.unread); });
  socket.on("unread", function (msg) { setUnread(msg.unread); });
  socket.on("session.ended", function () { socket.disconnect(); });

  // An open item page.
  function forThisPost(msg) { return postId && String(msg.post_id) === postId; }

  socket.on("comment.created", function (msg) {
    if (!forThisPost(msg) || document.getElementById("comment-" + msg.comment_id)) { return; }
    var list = document.querySelector("[data-comments]");
    var li = fragment(pick(msg.html));
    if (!list || !li) { return; }
    var parent = msg.parent_id ? document.getElementById("comment-" + msg.parent_id) : null;
    if (parent) {
      var after = parent;
      while (after.nextElementSibling && after.nextElementSibling.classList.contains("reply")) { after = after.nextElementSibling; }
      after.parentNode.insertBefore(li, after.nextSibling);
    } else { list.appendChild(li); }
    var empty = document.querySelector("[data-comments-empty]");
    if (empty) { empty.hidden = true; }
    var count = document.querySelector("[data-comment-count]");
    if (count && !msg.staff_only) { count.textContent = msg.comment_count; }
  });

  function addTimeline(msg) {
    var list = document.querySelector("[data-timeline]");
    if (!list || document.getElementById("timeline-" + msg.entry_id)) { return; }
    var li = fragment(pick(msg.html));
    if (li) { list.appendChild(li); }
  }

  socket.on("post.timeline", function (msg) { if (forThisPost(msg)) { addTimeline(msg); } });
  socket.on("post.status", function (msg) {
    if (!forThisPost(msg)) { return; }
    addTimeline(msg);
    var status = document.querySelector("[data-post-status]");
    if (status) { status.innerHTML = pick(msg.status_html); }
  });
  socket.on("post.votes", function (msg) {
    document.querySelectorAll('[data-vote-count="' + msg.post_id + '"]').forEach(function (el) { el.textContent = msg.vote_count; });
  });

  // Roadmap 支持 and demand counts (board cards and the item page).
  socket.on("roadmap.demand", function (msg) {
    document.querySelectorAll('[data-roadmap-votes="' + msg.item_id + '"]').forEach(function (el) { el.textContent = msg.vote_count; });
    document.querySelectorAll('[data-roadmap-demand="' + msg.item_id + '"]').forEach(function (el) {
      el.textContent = el.getAttribute("data-label").replace("987654321", String(msg.demand));
    });
  });

  // The growth dashboard's counters: handed to static/js/pulse.js as a DOM event.
  socket.on("pulse.counters", function (msg) {
    document.dispatchEvent(new CustomEvent("pulse:counters", { detail: msg }));
  });

  // Public live counters (used by the public dashboard).
  socket.on("counters", function (msg) {
    Object.keys(msg).forEach(function (key) {
      document.querySelectorAll('[data-live-counter="' + key + '"]').forEach(function (el) { el.textContent = msg[key]; });
    });
  });
})();
