// PIN pad: big keys for touch, number keys and Backspace/Enter on a keyboard or bump bar.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=pin-form]");
  if (!form) return;
  // Back from a screen may show this page from the browser's memory: ask the server again,
  // which sends a signed-in device on to its screen (and gives a fresh form otherwise).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) location.reload();
  });
  var input = form.querySelector("#pin");
  form.addEventListener("click", function (event) {
    var key = event.target.closest(".pin-key");
    if (!key || key.type === "submit") return;
    if (key.dataset.action === "clear") input.value = input.value.slice(0, -1);
    else if (input.value.length < 8) input.value += key.dataset.digit;
    input.focus();
  });
})();
