// Live reload for `starvault serve` only (the build leaves this file out otherwise):
// poll the server's build number and reload when a rebuild finished.
(function () {
  "use strict";
  var url = "/_starvault/version";
  var seen = null;
  function poll() {
    fetch(url, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (v) {
        if (v === null) return;
        if (seen !== null && v !== seen) { location.reload(); return; }
        seen = v;
      })
      .catch(function () {})
      .then(function () { setTimeout(poll, 700); });
  }
  poll();
})();
