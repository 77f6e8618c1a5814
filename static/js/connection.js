// The offline banner of every page: shown while the device has no network, or while the
// page's live connection (Socket.IO) says it is down — whichever is worse. A page loaded from
// the device's kept copy because the server could not be reached (static/js/offline.js) shows
// it, with its own words, until the server answers again.
(function () {
  "use strict";
  var banner = document.getElementById("offline-banner");
  var words = banner ? banner.textContent.trim() : "";
  var pageOnline = true;
  var shell = false;
  function update() {
    if (!banner) return;
    banner.hidden = navigator.onLine && pageOnline && !shell;
    banner.textContent = shell && banner.dataset.shellText ? banner.dataset.shellText : words;
    banner.dataset.state = shell ? "shell" : "network";
  }
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
  window.posConnection = {
    setOnline: function (online) { pageOnline = !!online; update(); },
    setShell: function (kept) { shell = !!kept; update(); },
  };
})();
