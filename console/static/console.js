// Every console page: htmx sends the session's CSRF token with each request, and a 4xx/5xx
// answer still replaces its target (the API's refusal, in the staff member's language), so a
// refused action never fails silently.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A short message at the bottom of the screen; with an action button when given.
  window.qzToast = function (message, action, onAction, seconds) {
    var box = document.getElementById("toasts");
    if (!box) return null;
    var toast = document.createElement("div");
    toast.className = "toast";
    var text = document.createElement("span");
    text.textContent = message;
    toast.appendChild(text);
    if (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = action;
      button.addEventListener("click", function () {
        toast.remove();
        onAction();
      });
      toast.appendChild(button);
    }
    box.appendChild(toast);
    window.setTimeout(function () { toast.remove(); }, (seconds || 5) * 1000);
    return toast;
  };

  // Forms that ask before they act: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
})();
