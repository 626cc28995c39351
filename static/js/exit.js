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
// Small on purpose too: every first visit loads this file (page weight,
// docs/performance.md). Globals (location, history, setTimeout) are used bare
// because the minifier cannot shorten them; local names it does shorten. It
// keeps what it is given otherwise, so: one `var` per scope, a guard's
// `return` without braces, `==` where both sides are strings or numbers, and
// the flags start undefined (false to every test of them).
(function () {
  "use strict";

  var w = window,
    doc = document,
    button = doc.getElementById("quick-exit");
  if (!button || !w.location || !location.replace) return;
  var status = doc.getElementById("quick-exit-status"),
    exitUrl = attribute(button, "data-exit-url"),
    beaconUrl = attribute(button, "href"),
    leaving,
    sending,
    // A Shift counts when it is released without another key pressed
    // meanwhile: Shift+A types a capital and must not count.
    shiftHeld,
    shiftUsedWithAnotherKey,
    // Shift 3 times within 5 s, Escape twice within 2 s.
    shifts = counter(3, 5000, function (left) {
      sayMessage("shift-" + left);
    }, function () { sayMessage("expired"); }),
    escapes = counter(2, 2000, function () {
      sayMessage("escape-1");
    }, function () { say(""); });

  function attribute(element, name) {
    return element.getAttribute(name);
  }

  // Without `capture`, in the bubbling phase.
  function on(target, type, listener, capture) {
    target.addEventListener(type, listener, capture);
  }

  function leave() {
    if (leaving) return;
    leaving = true;
    // Hide first: whatever happens next, nobody sees the page any more.
    doc.documentElement.className += " quick-exit-leaving";
    if (doc.body) doc.body.style.display = "none";
    clearTypedText();
    try {
      if (navigator.sendBeacon) navigator.sendBeacon(beaconUrl);
    } catch (ignored) { /* leaving matters more than the beacon */ }
    location.replace(exitUrl);
  }

  // If a browser kept this page anyway (back/forward cache), it holds no text.
  function clearTypedText() {
    var fields = doc.querySelectorAll("input,textarea,select"), i, field, type;
    for (i = 0; i < fields.length; i++) {
      field = fields[i];
      type = (field.type || "").toLowerCase();
      if (type == "checkbox" || type == "radio") field.checked = false;
      else if (field.tagName == "SELECT") field.selectedIndex = -1;
      else if (!/^(hidden|submit|button)$/.test(type)) field.value = "";
    }
  }

  // --- the shortcuts ------------------------------------------------------

  function say(text) {
    if (!status) return;
    // Empty first, so the same words twice in a row are announced twice.
    status.textContent = "";
    setTimeout(function () { status.textContent = text || ""; }, 50);
  }

  function sayMessage(name) {
    say(status && attribute(status, "data-" + name));
  }

  // Counts presses within a window that starts at the first press; leaves at
  // the `needed`-th, and says so when the window runs out first.
  function counter(needed, windowMs, onCount, onExpire) {
    var count = 0, timer = 0;
    function stop() {
      clearTimeout(timer);
      timer = count = 0;
    }
    return {
      press: function () {
        if (++count >= needed) {
          stop();
          leave();
          return;
        }
        if (count == 1) {
          timer = setTimeout(function () {
            stop();
            onExpire();
          }, windowMs);
        }
        onCount(needed - count);
      },
      reset: function () {
        if (count) {
          stop();
          say("");
        }
      }
    };
  }

  function isShift(event) {
    return event.key == "Shift" || event.keyCode == 16;
  }

  on(doc, "keydown", function (event) {
    if (event.isComposing) return;
    if (isShift(event)) {
      if (!event.repeat) {
        shiftHeld = true;
        shiftUsedWithAnotherKey = false;
      }
      return;
    }
    if (shiftHeld) shiftUsedWithAnotherKey = true;
    shifts.reset();
    if (event.key == "Escape" || event.key == "Esc" || event.keyCode == 27) {
      // A dialog or widget that used this Escape to close itself keeps it.
      if (!event.defaultPrevented && !event.repeat) escapes.press();
      return;
    }
    escapes.reset();
  }, true);

  on(doc, "keyup", function (event) {
    if (!isShift(event)) return;
    var counts = shiftHeld && !shiftUsedWithAnotherKey && !event.isComposing;
    shiftHeld = shiftUsedWithAnotherKey = false;
    if (counts) shifts.press();
  }, true);

  // Switching windows while Shift is down loses the keyup; start clean.
  on(w, "blur", function () {
    shiftHeld = false;
  });

  // --- navigation inside the portal replaces the history entry -------------

  function sameOrigin(url) {
    return url.protocol == location.protocol && url.host == location.host;
  }

  // Pages of the portal: everything on this origin except the staff side,
  // static files and the exit itself.
  function isPortalUrl(url) {
    var path = url.pathname;
    return sameOrigin(url) && !/^\/(staff|static)(\/|$)/.test(path) && path != beaconUrl;
  }

  function parse(href) {
    var a = doc.createElement("a");
    a.href = href;
    // Old IE leaves the leading slash out of pathname.
    if (a.pathname && a.pathname.charAt(0) != "/") a.pathname = "/" + a.pathname;
    return a;
  }

  // A form's target or a link's: another frame or window is what the person asked for.
  function elsewhere(element) {
    var target = attribute(element, "target");
    return target && target != "_self";
  }

  on(doc, "click", function (event) {
    if (event.defaultPrevented || event.button != 0) return;
    var link = event.target;
    while (link && link.nodeName != "A") link = link.parentNode;
    if (!link || !attribute(link, "href")) return;
    if (link == button) {
      event.preventDefault();
      leave();
      return;
    }
    // New tab or window, a download, another frame: the person asked for that.
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.hasAttribute("download") || elsewhere(link)) return;
    if (!isPortalUrl(parse(link.href))) return;
    event.preventDefault();
    // Also for "#main" and other anchors on this page: a same-page jump would
    // otherwise add an entry too.
    location.replace(link.href);
  });

  function formBody(form, submitter) {
    var data = new FormData(form), params;
    if (submitter && submitter.name && !submitter.disabled) {
      data.append(submitter.name, submitter.value || "");
    }
    if ((attribute(form, "enctype") || "").toLowerCase() != "multipart/form-data" && w.URLSearchParams) {
      params = new URLSearchParams();
      data.forEach(function (value, name) {
        if (typeof value == "string") params.append(name, value);
      });
      return params;
    }
    return data;
  }

  // Shows the answer in this document, in place, under the answer's address.
  function showAnswer(url, html) {
    if (leaving) return;
    if (url && sameOrigin(parse(url))) history.replaceState(null, "", url);
    doc.open();
    doc.write(html);
    doc.close();
    w.scrollTo(0, 0);
    // A new page was announced by the page load before; now move focus to
    // what changed: the list of problems, or else the heading.
    var target = doc.querySelector(".error-summary") || doc.querySelector("main h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  on(doc, "submit", function (event) {
    if (event.defaultPrevented) return;
    var form = event.target,
      submitter = event.submitter,
      action = (submitter && attribute(submitter, "formaction")) || form.action,
      method = ((submitter && attribute(submitter, "formmethod")) ||
        attribute(form, "method") || "get").toLowerCase(),
      url = parse(action);
    if (elsewhere(form) || !isPortalUrl(url)) return;

    if (method == "get") {
      if (!w.URLSearchParams) return;
      event.preventDefault();
      url.search = "?" + formBody(form, submitter).toString();
      location.replace(url.href);
      return;
    }
    if (method != "post" || !w.fetch || !w.FormData) return;
    event.preventDefault();
    if (sending) return;  // a double tap sends once
    sending = true;
    // fetch follows redirects by default: the answer is the page they lead to.
    fetch(url.href, {
      method: "POST",
      body: formBody(form, submitter),
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      function follow() { location.replace(response.url || url.href); }
      if (!/^text\/html/.test(response.headers.get("Content-Type"))) {
        follow();
        return;
      }
      response.text().then(function (html) { showAnswer(response.url, html); }, follow);
    }, function () {
      // The request did not get through: let the browser try and show its
      // own error page, as without JavaScript.
      sending = false;
      if (!leaving) form.submit();
    });
  });
}());
