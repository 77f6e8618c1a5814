// Leaving for the login page, once. The socket's session_revoked, a refused reconnect and a
// 401 may all ask, and a second navigation would abort the first; a sign-out from the page's
// own form is already on its way, so what its socket hears next must not navigate again.

/** leave() runs `go` the first time only; leave.leaving() says whether the page is leaving. */
export function leaveOnce(go) {
  let leaving = false;
  const form = document.querySelector('form[action="/logout"]');
  if (form) form.addEventListener("submit", () => { leaving = true; });
  const leave = function () {
    if (leaving) return;
    leaving = true;
    go();
  };
  leave.leaving = () => leaving;
  return leave;
}
