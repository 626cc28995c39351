// Talk now, live: only loaded on an open conversation's page. Progressive
// enhancement: without this file the waiting page refreshes itself and an
// open conversation has a button to look for new messages.
//
// 1. Lines arrive through an EventSource (/<lang>/talk/events). The browser
//    resumes after the last line it has (Last-Event-ID); a line already shown
//    is never shown twice.
// 2. A message is sent with fetch. Each one carries a one-time client id; a
//    resend after a failure uses the same id, so it is stored once. "Sent"
//    shows only after the server's answer; until then the text stays in the
//    box (also when the server refuses it).
// 3. Nothing is kept in the browser: no storage of any kind. Everything
//    anyone wrote is put on the page with textContent, never as markup.
//
// ES5 on purpose, like exit.js; no inline script, the CSP forbids it.
(function () {
  "use strict";

  var RETRIES = 2;
  var RETRY_MS = 2000;
  var REOPEN_MS = 5000;

  var doc = document;
  var log = doc.getElementById("talk-log");
  var form = doc.getElementById("talk-form");
  if (!log || !form || !window.EventSource || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var list = log.querySelector("ol");
  var box = form.querySelector("textarea");
  var status = doc.getElementById("talk-status");
  var sendStatus = doc.getElementById("talk-send-status");
  var check = doc.getElementById("talk-check");
  var lastSeq = parseInt(log.getAttribute("data-last-seq"), 10) || 0;
  var source = null;
  var pending = null;  // {clientId, text}: the message not yet acknowledged
  var sending = false;
  var closed = false;

  // With JavaScript she can write while waiting, and needs no button.
  form.hidden = false;
  if (check) { check.hidden = true; }

  function words(name) { return form.getAttribute("data-" + name) || ""; }

  function say(text) {
    if (sendStatus) { sendStatus.textContent = text || ""; }
  }

  function newClientId() {
    var crypto = window.crypto;
    if (crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i += 1) { hex += (bytes[i] + 256).toString(16).slice(1); }
    return hex;
  }

  // --- the lines -------------------------------------------------------------

  function element(tag, className, text) {
    var made = doc.createElement(tag);
    if (className) { made.className = className; }
    if (text) { made.textContent = text; }
    return made;
  }

  function build(line) {
    var item = element("li", line.sender === "system" ? "talk-event"
      : (line.sender === "person" ? "from-you" : "from-team"));
    item.setAttribute("data-seq", String(line.seq));
    var meta = element("p", "meta");
    if (line.sender !== "system") {
      meta.appendChild(doc.createTextNode(
        log.getAttribute(line.sender === "person" ? "data-you" : "data-team") + " · "));
    }
    var time = element("time", "", line.time || "");
    if (line.at) { time.setAttribute("datetime", line.at); }
    meta.appendChild(time);
    item.appendChild(meta);
    var body = element("p", "body", line.text || "");
    if (line.sender !== "system") { body.setAttribute("dir", "auto"); }
    item.appendChild(body);
    return item;
  }

  // In the order of their numbers, each once, whichever way it came first
  // (the stream, or the answer to her own send).
  function addLine(line) {
    if (!line || !line.seq) { return; }
    var items = list.children;
    var before = null;
    for (var i = 0; i < items.length; i += 1) {
      var seq = parseInt(items[i].getAttribute("data-seq"), 10);
      if (seq === line.seq) { return; }
      if (seq > line.seq) { before = items[i]; break; }
    }
    list.insertBefore(build(line), before);
    if (line.seq > lastSeq) { lastSeq = line.seq; }
  }

  function parse(event) {
    try { return JSON.parse(event.data); } catch (ignored) { return null; }
  }

  // --- the stream --------------------------------------------------------------

  function open() {
    if (closed) { return; }
    var url = log.getAttribute("data-events").replace(/after=\d*/, "after=" + lastSeq);
    source = new window.EventSource(url);
    source.addEventListener("line", function (event) { addLine(parse(event)); });
    source.addEventListener("status", function (event) {
      var data = parse(event);
      if (!data || !status) { return; }
      status.textContent = data.text || "";
      status.setAttribute("data-state", data.state || "");
    });
    source.addEventListener("end", function () {
      stop();
      // The quick exit ended it (exit.js marks the page before its beacon):
      // reloading now would cancel the way out and bring the portal back.
      if (/(^| )quick-exit-leaving( |$)/.test(doc.documentElement.className)) { return; }
      // The page that says how it ended, with her code, in place of this one.
      window.location.replace(window.location.href.split("#")[0]);
    });
    source.onerror = function () {
      // The browser tries again by itself, unless the server said no (an
      // error status): then this page tries again a little later.
      if (source && source.readyState === window.EventSource.CLOSED) {
        source = null;
        window.setTimeout(open, REOPEN_MS);
      }
    };
  }

  function stop() {
    closed = true;
    if (source) { source.close(); }
    source = null;
  }

  // Another form of this page (end the conversation) or the quick exit: no
  // stream may go on to reload the page that follows.
  doc.addEventListener("submit", function (event) {
    if (event.target !== form) { stop(); }
  }, true);
  window.addEventListener("pagehide", stop);

  // --- sending -------------------------------------------------------------

  function post(message) {
    var fields = new window.URLSearchParams();
    var csrf = form.querySelector("input[name=csrf_token]");
    fields.append("csrf_token", csrf ? csrf.value : "");
    fields.append("client_id", message.clientId);
    fields.append("body", message.text);
    return window.fetch(form.action, {
      method: "POST",
      body: fields,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" }
    });
  }

  function send(message, attempt) {
    sending = true;
    say(words("sending"));
    post(message).then(function (response) {
      return response.json().then(function (answer) {
        return { ok: response.ok, status: response.status, answer: answer || {} };
      }, function () {
        return { ok: false, status: response.status, answer: {} };
      });
    }).then(function (result) {
      sending = false;
      if (result.ok && result.answer.seq) {
        addLine({ seq: result.answer.seq, sender: "person", text: message.text,
          at: result.answer.at, time: result.answer.time });
        if (box.value === message.text) { box.value = ""; }
        pending = null;
        say(words("sent"));
        return;
      }
      // Refused (too many, too long, ended): the text stays in the box, and
      // the same text sent again keeps its client id.
      say(result.answer.error || words("failed"));
    }, function () {
      // No answer: it may or may not be stored. The same id again is safe.
      if (attempt < RETRIES) {
        window.setTimeout(function () { send(message, attempt + 1); }, RETRY_MS * (attempt + 1));
        return;
      }
      sending = false;
      say(words("failed"));
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }  // a double tap sends once
    var text = box.value;
    if (!text.replace(/\s+/g, "")) {
      say(words("empty"));
      box.focus();
      return;
    }
    if (!pending || pending.text !== text) { pending = { clientId: newClientId(), text: text }; }
    send(pending, 0);
  }, false);

  open();
}());
