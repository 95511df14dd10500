/* The "new dossier" form: show the place or the route part for the chosen kind, and build the
   route: add, remove and move stops. The server checks everything again; without this script
   both parts show and a few empty stops are offered. */
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("dossier-form");
    if (!form) {
      return;
    }
    var route = form.querySelector('[data-dossier-part="route"]');
    var list = document.getElementById("dossier-stops");
    var max = parseInt(route ? route.getAttribute("data-route-max") : "25", 10) || 25;

    function kind() {
      var checked = form.querySelector('input[name="kind"]:checked');
      return checked ? checked.value : "place";
    }

    function showKind() {
      var current = kind();
      form.querySelectorAll("[data-dossier-part]").forEach(function (part) {
        part.hidden = part.getAttribute("data-dossier-part") !== current;
      });
    }

    function stops() {
      return list ? Array.prototype.slice.call(list.querySelectorAll(".dossier-stop")) : [];
    }

    function refresh() {
      var rows = stops();
      rows.forEach(function (row, index) {
        var input = row.querySelector("input");
        if (input) {
          input.setAttribute("aria-label", (list.getAttribute("data-stop-label") || "Stop") +
            " " + (index + 1));
        }
        var up = row.querySelector('[data-stop-action="up"]');
        var down = row.querySelector('[data-stop-action="down"]');
        var remove = row.querySelector('[data-stop-action="remove"]');
        if (up) { up.disabled = index === 0; }
        if (down) { down.disabled = index === rows.length - 1; }
        if (remove) { remove.disabled = rows.length <= 1; }
      });
      var add = form.querySelector('[data-stop-action="add"]');
      if (add) {
        add.disabled = rows.length >= max;
      }
    }

    function addStop() {
      var rows = stops();
      if (!rows.length || rows.length >= max) {
        return;
      }
      var copy = rows[rows.length - 1].cloneNode(true);
      var input = copy.querySelector("input");
      if (input) {
        input.value = "";
      }
      list.appendChild(copy);
      if (window.htmx && typeof window.htmx.process === "function") {
        window.htmx.process(copy);
      }
      refresh();
      if (input) {
        input.focus();
      }
    }

    form.querySelectorAll("[data-stop-action]").forEach(function (button) {
      button.hidden = false;
    });
    if (list && route) {
      list.setAttribute("data-stop-label", route.getAttribute("data-stop-label") || "Stop");
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-stop-action]");
      if (!button || !form.contains(button)) {
        return;
      }
      var action = button.getAttribute("data-stop-action");
      var row = button.closest(".dossier-stop");
      if (action === "add") {
        addStop();
      } else if (row && action === "remove" && stops().length > 1) {
        row.remove();
      } else if (row && action === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
        button.focus();
      } else if (row && action === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
        button.focus();
      }
      refresh();
    });
    form.querySelectorAll('input[name="kind"]').forEach(function (radio) {
      radio.addEventListener("change", showKind);
    });
    showKind();
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
