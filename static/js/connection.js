// Shows the offline banner whenever the device loses the network, on every page.
(function () {
  "use strict";
  var banner = document.getElementById("offline-banner");
  if (!banner) return;
  function update() { banner.hidden = navigator.onLine; }
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
  // Pages with a live connection (Socket.IO) call this to show their own state too.
  window.posConnection = { setOnline: function (online) { banner.hidden = online; } };
})();
