/* Site-wide: a save that fails or never reaches the server is never silent. htmx does not swap
   error responses, so without this a refused or failed change would look like nothing. */
(function () {
  "use strict";

  var MESSAGES = {
    403: "Not saved: your role does not allow this change.",
    404: "Not saved: this record is no longer available in your clinic.",
    413: "Not saved: what you sent is too large.",
    429: "Not saved: too many attempts. Wait a moment and try again."
  };

  function announce(text) {
    var region = document.getElementById("request-errors");
    if (!region) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    region.replaceChildren(alert);
    alert.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    announce(MESSAGES[status] ||
      "Not saved: the server could not save this change (error " + status + "). " +
      "Your text is still on the page; try again, or reload and check the note.");
  });

  document.addEventListener("htmx:sendError", function () {
    announce("Not saved: the connection to the server was lost. Your text is still on the " +
      "page; save again when the connection is back.");
  });
})();
