// The offline banner of every page: shown while the device has no network, or while the
// page's live connection (Socket.IO) says it is down — whichever is worse.
(function () {
  "use strict";
  var banner = document.getElementById("offline-banner");
  var pageOnline = true;
  function update() {
    if (banner) banner.hidden = navigator.onLine && pageOnline;
  }
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
  window.posConnection = {
    setOnline: function (online) { pageOnline = !!online; update(); },
  };
})();
