// Quick exit and few traces in the browser history. Progressive enhancement:
// without this file the exit is a link to /exit and navigation is ordinary.
//
// 1. Leaving: the exit link, Shift pressed 3 times within 5 seconds (Shift used
//    for a capital letter does not count) or Escape pressed twice within 2
//    seconds. The page is hidden at once, typed text is cleared, a beacon asks
//    the server to end the session, and location.replace opens the neutral site
//    in place of this history entry.
// 2. Few traces: links and forms inside the portal replace the current history
//    entry instead of adding one, so the whole visit is one entry, and the exit
//    replaces that one too. Forms are sent with fetch and the answer is written
//    into this document, because a POST navigation always adds an entry.
//
// ES5 on purpose (old phones); no inline script, the CSP forbids it.
(function () {
  "use strict";

  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 5000;
  var ESCAPE_PRESSES = 2;
  var ESCAPE_WINDOW_MS = 2000;

  var doc = document;
  var button = doc.getElementById("quick-exit");
  if (!button || !window.location || !window.location.replace) { return; }
  var status = doc.getElementById("quick-exit-status");
  var exitUrl = button.getAttribute("data-exit-url");
  var beaconUrl = button.getAttribute("href");
  var leaving = false;

  function leave() {
    if (leaving) { return; }
    leaving = true;
    // Hide first: whatever happens next, nobody sees the page any more.
    doc.documentElement.className += " quick-exit-leaving";
    if (doc.body) { doc.body.style.display = "none"; }
    clearTypedText();
    try {
      if (navigator.sendBeacon) { navigator.sendBeacon(beaconUrl); }
    } catch (ignored) { /* leaving matters more than the beacon */ }
    window.location.replace(exitUrl);
  }

  // If a browser kept this page anyway (back/forward cache), it holds no text.
  function clearTypedText() {
    var fields = doc.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      var type = (field.type || "").toLowerCase();
      if (type === "hidden" || type === "submit" || type === "button") { continue; }
      if (type === "checkbox" || type === "radio") {
        field.checked = false;
      } else if (field.tagName === "SELECT") {
        field.selectedIndex = -1;
      } else {
        field.value = "";
      }
    }
  }

  // --- the shortcuts ------------------------------------------------------

  function say(text) {
    if (!status) { return; }
    // Empty first, so the same words twice in a row are announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text || ""; }, 50);
  }

  function message(name) {
    return status ? status.getAttribute("data-" + name) : "";
  }

  function Counter(needed, windowMs, onCount, onExpire) {
    this.needed = needed;
    this.windowMs = windowMs;
    this.onCount = onCount;
    this.onExpire = onExpire;
    this.count = 0;
    this.timer = null;
  }
  Counter.prototype.press = function () {
    var self = this;
    this.count += 1;
    if (this.count >= this.needed) {
      this.stop();
      leave();
      return;
    }
    if (this.count === 1) {
      this.timer = window.setTimeout(function () {
        self.stop();
        self.onExpire();
      }, this.windowMs);
    }
    this.onCount(this.needed - this.count);
  };
  Counter.prototype.stop = function () {
    if (this.timer) { window.clearTimeout(this.timer); }
    this.timer = null;
    this.count = 0;
  };
  Counter.prototype.reset = function () {
    if (this.count > 0) {
      this.stop();
      say("");
    }
  };

  var shifts = new Counter(SHIFT_PRESSES, SHIFT_WINDOW_MS, function (left) {
    say(message("shift-" + left));
  }, function () { say(message("expired")); });
  var escapes = new Counter(ESCAPE_PRESSES, ESCAPE_WINDOW_MS, function () {
    say(message("escape-1"));
  }, function () { say(""); });

  // A Shift counts when it is released without another key pressed meanwhile:
  // Shift+A types a capital and must not count.
  var shiftHeld = false;
  var shiftUsedWithAnotherKey = false;

  function isShift(event) {
    return event.key === "Shift" || event.keyCode === 16;
  }
  function isEscape(event) {
    return event.key === "Escape" || event.key === "Esc" || event.keyCode === 27;
  }

  doc.addEventListener("keydown", function (event) {
    if (event.isComposing) { return; }
    if (isShift(event)) {
      if (!event.repeat) {
        shiftHeld = true;
        shiftUsedWithAnotherKey = false;
      }
      return;
    }
    if (shiftHeld) { shiftUsedWithAnotherKey = true; }
    shifts.reset();
    if (isEscape(event)) {
      // A dialog or widget that used this Escape to close itself keeps it.
      if (!event.defaultPrevented && !event.repeat) { escapes.press(); }
      return;
    }
    escapes.reset();
  }, true);

  doc.addEventListener("keyup", function (event) {
    if (!isShift(event)) { return; }
    var counts = shiftHeld && !shiftUsedWithAnotherKey && !event.isComposing;
    shiftHeld = false;
    shiftUsedWithAnotherKey = false;
    if (counts) { shifts.press(); }
  }, true);

  // Switching windows while Shift is down loses the keyup; start clean.
  window.addEventListener("blur", function () {
    shiftHeld = false;
  });

  // --- navigation inside the portal replaces the history entry -------------

  function sameOrigin(url) {
    return url.protocol === window.location.protocol && url.host === window.location.host;
  }

  // Pages of the portal: everything on this origin except the staff side,
  // static files and the exit itself.
  function isPortalUrl(url) {
    if (!sameOrigin(url)) { return false; }
    var path = url.pathname;
    return !/^\/(staff|static)(\/|$)/.test(path) && path !== beaconUrl;
  }

  function parse(href) {
    var a = doc.createElement("a");
    a.href = href;
    // Old IE leaves the leading slash out of pathname.
    if (a.pathname && a.pathname.charAt(0) !== "/") { a.pathname = "/" + a.pathname; }
    return a;
  }

  doc.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) { return; }
    var link = event.target;
    while (link && link.nodeName !== "A") { link = link.parentNode; }
    if (!link || !link.getAttribute("href")) { return; }
    if (link === button) {
      event.preventDefault();
      leave();
      return;
    }
    // New tab or window, a download, another frame: the person asked for that.
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    if (link.hasAttribute("download")) { return; }
    var target = link.getAttribute("target");
    if (target && target !== "_self") { return; }
    var url = parse(link.href);
    if (!isPortalUrl(url)) { return; }
    event.preventDefault();
    // Also for "#main" and other anchors on this page: a same-page jump would
    // otherwise add an entry too.
    window.location.replace(link.href);
  }, false);

  function formBody(form, submitter) {
    var data = new window.FormData(form);
    if (submitter && submitter.name && !submitter.disabled) {
      data.append(submitter.name, submitter.value || "");
    }
    var enctype = (form.getAttribute("enctype") || "").toLowerCase();
    if (enctype !== "multipart/form-data" && window.URLSearchParams) {
      var params = new window.URLSearchParams();
      var pairs = [];
      data.forEach(function (value, name) {
        if (typeof value === "string") { pairs.push([name, value]); }
      });
      for (var i = 0; i < pairs.length; i += 1) { params.append(pairs[i][0], pairs[i][1]); }
      return params;
    }
    return data;
  }

  // Shows the answer in this document, in place, under the answer's address.
  function showAnswer(url, html) {
    if (leaving) { return; }
    if (url && sameOrigin(parse(url))) { window.history.replaceState(null, "", url); }
    doc.open();
    doc.write(html);
    doc.close();
    window.scrollTo(0, 0);
    // A new page was announced by the page load before; now move focus to
    // what changed: the list of problems, or else the heading.
    var target = doc.querySelector(".error-summary") || doc.querySelector("main h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  }

  var sending = false;

  doc.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var form = event.target;
    var target = form.getAttribute("target");
    if (target && target !== "_self") { return; }
    var submitter = event.submitter || null;
    var action = (submitter && submitter.getAttribute("formaction")) || form.action;
    var method = ((submitter && submitter.getAttribute("formmethod")) ||
      form.getAttribute("method") || "get").toLowerCase();
    var url = parse(action);
    if (!isPortalUrl(url)) { return; }

    if (method === "get") {
      if (!window.URLSearchParams) { return; }
      event.preventDefault();
      url.search = "?" + formBody(form, submitter).toString();
      window.location.replace(url.href);
      return;
    }
    if (method !== "post" || !window.fetch || !window.FormData) { return; }
    event.preventDefault();
    if (sending) { return; }  // a double tap sends once
    sending = true;
    window.fetch(url.href, {
      method: "POST",
      body: formBody(form, submitter),
      credentials: "same-origin",
      redirect: "follow",
      cache: "no-store"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") !== 0) {
        window.location.replace(response.url || url.href);
        return;
      }
      response.text().then(function (html) { showAnswer(response.url, html); }, function () {
        window.location.replace(response.url || url.href);
      });
    }, function () {
      // The request did not get through: let the browser try and show its
      // own error page, as without JavaScript.
      sending = false;
      if (!leaving) { form.submit(); }
    });
  }, false);
}());
