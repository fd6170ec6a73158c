// A verification run in progress: reload its page every two seconds until it has finished.
(function () {
  "use strict";
  var run = document.querySelector("[data-run-running]");
  if (run) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
