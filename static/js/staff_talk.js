// Talk now, the team's pages, live. Progressive enhancement: without this
// file the list reloads itself every 10 seconds and a conversation's page is
// an ordinary form that comes back after each message.
//
// 1. The list (/staff/talk): listens to /staff/talk/events; on "changed" it
//    fetches the page again and puts its new list (#talk-board) in place of
//    the old one, parsed with DOMParser from our own page, never written as
//    markup from strings; the element that had the focus keeps it.
// 2. A conversation (/staff/talk/<id>): listens to its events; each new line
//    is built with textContent. A message is sent with fetch under a
//    client id of its own; it shows "Sent" only when the server answers that
//    it is stored, and a lost answer is sent again with the same id (stored
//    once). Taken, handed over or ended: the page comes again.
//
// ES5 on purpose, like exit.js; no inline script, the CSP forbids it.
(function () {
  "use strict";

  var doc = document;
  if (!window.EventSource || !window.fetch || !window.DOMParser) {
    // An old browser: the list reloads itself, as without JavaScript.
    if (doc.getElementById("talk-board")) {
      window.setTimeout(function () { window.location.reload(); }, 10000);
    }
    return;
  }

  function withAfter(url, after) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "after=" + encodeURIComponent(after);
  }

  // --- the list ------------------------------------------------------------

  function listPage(board) {
    var fetching = false;
    var again = false;
    var source = new window.EventSource(
      withAfter(board.getAttribute("data-events"), board.getAttribute("data-state") || "0")
    );

    function swap(fresh) {
      var current = doc.getElementById("talk-board");
      if (!current) { return; }
      var focused = doc.activeElement;
      var focusId = focused && focused.id && current.contains(focused) ? focused.id : null;
      var imported = doc.importNode(fresh, true);
      current.parentNode.replaceChild(imported, current);
      if (focusId) {
        var same = doc.getElementById(focusId);
        if (same) { same.focus(); }
      }
    }

    function refresh() {
      if (fetching) { again = true; return; }
      fetching = true;
      window.fetch(window.location.pathname, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        return response.text().then(function (html) {
          var parsed = new window.DOMParser().parseFromString(html, "text/html");
          var fresh = parsed.getElementById("talk-board");
          if (!fresh) {
            // Signed out, or an error page: show it as the browser would.
            source.close();
            window.location.reload();
            return;
          }
          swap(fresh);
        });
      }).then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      }, function () {
        fetching = false;
      });
    }

    source.addEventListener("changed", refresh);
  }

  // --- one conversation --------------------------------------------------------

  function newClientId() {
    var bytes = new window.Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i += 1) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function conversationPage(root) {
    var list = doc.getElementById("transcript");
    var status = doc.getElementById("message-status");
    var form = doc.getElementById("message-form");
    var phrases = doc.getElementById("phrase-form");
    var language = root.getAttribute("data-language") || "";
    var last = parseInt(root.getAttribute("data-after"), 10) || 0;
    var pending = [];
    var reloading = false;

    function text(name) { return root.getAttribute("data-" + name) || ""; }

    function say(words) {
      if (!status) { return; }
      status.textContent = "";
      window.setTimeout(function () { status.textContent = words; }, 50);
    }

    function reload() {
      if (reloading) { return; }
      reloading = true;
      window.location.reload();
    }

    function paragraph(className, words, lang) {
      var p = doc.createElement("p");
      p.className = className;
      p.textContent = words;
      p.setAttribute("dir", "auto");
      if (lang) { p.setAttribute("lang", lang); }
      return p;
    }

    function lineItem(line) {
      var li = doc.createElement("li");
      var name = "talk-" + line.sender;
      if (line.sender === "staff") { name += " from-team"; }
      if (line.warning) { name += " danger-box"; }
      li.className = name;
      li.setAttribute("data-seq", String(line.seq));
      li.appendChild(paragraph("meta", (line.who ? line.who + ", " : "") + line.at));
      li.appendChild(paragraph("body", line.text, line.sender === "person" ? language : ""));
      if (line.original) { li.appendChild(paragraph("talk-original", line.original, language)); }
      return li;
    }

    function dropPending(seq) {
      pending = pending.filter(function (item) {
        if (item.seq !== null && item.seq <= seq && item.node.parentNode) {
          item.node.parentNode.removeChild(item.node);
          return false;
        }
        return item.seq === null || item.seq > seq;
      });
    }

    function append(line) {
      if (!list || line.seq <= last) { return; }
      last = line.seq;
      var empty = doc.getElementById("transcript-empty");
      if (empty && empty.parentNode) { empty.parentNode.removeChild(empty); }
      list.appendChild(lineItem(line));
      dropPending(last);
      if (line.event === "taken" || line.event === "handed_over") { reload(); }
    }

    if (root.getAttribute("data-open") === "yes") {
      var source = new window.EventSource(withAfter(root.getAttribute("data-events"), last));
      source.addEventListener("line", function (event) {
        append(JSON.parse(event.data));
      });
      source.addEventListener("end", function () {
        source.close();
        reload();
      });
    }

    function showPending(words) {
      var li = doc.createElement("li");
      li.className = "talk-staff from-team talk-pending";
      var meta = paragraph("meta", text("you") + ", " + text("sending"));
      li.appendChild(meta);
      li.appendChild(paragraph("body", words));
      if (list) { list.appendChild(li); }
      var item = { node: li, meta: meta, seq: null };
      pending.push(item);
      return item;
    }

    function post(target, data, item, tries, typed) {
      window.fetch(target.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok && answer.seq) {
            item.seq = answer.seq;
            item.meta.textContent = text("you") + ", " + text("sent");
            say(text("sent"));
            // The line came through the stream first: the pending one goes.
            if (answer.seq <= last) { dropPending(last); }
            return;
          }
          // Refused (ended, not ours, too long): nothing was stored.
          if (item.node.parentNode) { item.node.parentNode.removeChild(item.node); }
          if (typed && form) {
            var box = form.querySelector("textarea");
            if (box && !box.value) { box.value = typed; }
          }
          say(answer.error || "");
          if (response.status === 409) { reload(); }
        });
      }).then(null, function () {
        // No answer: the same id again, so it is stored once whatever happened.
        item.meta.textContent = text("you") + ", " + text("failed");
        if (tries < 5) {
          window.setTimeout(function () { post(target, data, item, tries + 1, typed); },
            1000 * (tries + 1));
        }
      });
    }

    function formData(target, submitter) {
      var data = new window.FormData(target);
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value || ""); }
      return data;
    }

    function onSubmit(target, isPhrase) {
      // Browsers without event.submitter: the button last pressed.
      var clicked = null;
      target.addEventListener("click", function (event) {
        var button = event.target;
        while (button && button !== target && button.nodeName !== "BUTTON") {
          button = button.parentNode;
        }
        clicked = button && button.nodeName === "BUTTON" ? button : null;
      }, false);
      target.addEventListener("submit", function (event) {
        event.preventDefault();
        var submitter = event.submitter || clicked;
        var data = formData(target, submitter);
        var clientId = newClientId();
        data.set("client_id", clientId);
        var words;
        var typed = null;
        if (isPhrase) {
          words = submitter ? submitter.firstChild.nodeValue : "";
        } else {
          var box = target.querySelector("textarea");
          typed = box ? box.value : "";
          if (!typed.replace(/\s+/g, "")) {
            // The server says why, in the page's words.
            post(target, data, showPending(""), 5, null);
            return;
          }
          words = typed;
          box.value = "";
          box.focus();
        }
        post(target, data, showPending(words), 0, typed);
      }, false);
    }

    if (form && window.FormData) { onSubmit(form, false); }
    if (phrases && window.FormData) { onSubmit(phrases, true); }
  }

  function start() {
    var board = doc.getElementById("talk-board");
    if (board) { listPage(board); }
    var conversation = doc.getElementById("talk-conversation");
    if (conversation) { conversationPage(conversation); }
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
