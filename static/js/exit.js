// Quick exit: leave at once and replace this history entry, so Back does not
// return to the portal. The beacon asks the server to end the session too.
(function () {
  "use strict";
  var button = document.getElementById("quick-exit");
  if (!button) { return; }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    document.body.style.display = "none";
    if (navigator.sendBeacon) { navigator.sendBeacon(button.getAttribute("href")); }
    window.location.replace(button.getAttribute("data-exit-url"));
  });
}());
