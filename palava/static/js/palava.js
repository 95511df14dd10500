/* Palava — small progressive enhancements. Every page works without this file:
 * the selects have submit buttons and the menu is simply always shown.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  /* Selects inside <form data-autosubmit> submit their form when changed. */
  function enableAutosubmit() {
    var forms = document.querySelectorAll("form[data-autosubmit]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("change", function (event) {
        if (event.target && event.target.tagName === "SELECT") {
          if (typeof form.requestSubmit === "function") {
            form.requestSubmit();
          } else {
            form.submit();
          }
        }
      });
    });
  }

  /* The phone-width menu toggle (CSS hides the menu only when the "js" class is present). */
  function enableMenuToggle() {
    var toggle = document.querySelector(".nav-toggle");
    if (!toggle) {
      return;
    }
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      menu.classList.toggle("is-open", !open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("is-open")) {
        toggle.setAttribute("aria-expanded", "false");
        menu.classList.remove("is-open");
        toggle.focus();
      }
    });
  }

  /* After htmx swaps new results in, move focus there so screen readers announce them. */
  function enableHtmxFocus() {
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail && event.detail.target;
      if (target && target.hasAttribute("data-focus-after-swap")) {
        target.setAttribute("tabindex", "-1");
        target.focus();
      }
    });
  }

  function init() {
    enableAutosubmit();
    enableMenuToggle();
    enableHtmxFocus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// The nav bell's unread count: fetched once the page has loaded (and again when the tab comes
// back into view), never polled; the duty officer's board polls for new notices itself.
(function () {
  function refresh() {
    document.querySelectorAll("[data-bell-url]").forEach(function (slot) {
      fetch(slot.getAttribute("data-bell-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { slot.innerHTML = html; })
        .catch(function () {});
    });
  }
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
})();
