/* Palava — the coverage map of the inclusion pages (Leaflet, no tile server).
 *
 * The container <div class="coverage-map" data-map-url="…"> answers a GeoJSON FeatureCollection
 * of places; properties: code, name, state ("recent", "earlier" or "never"), state_label and
 * last (ISO date or null). Places are coloured by state (classes coverage-<state>, colours in
 * engagement-inclusion.css). Text is always put in as text, never as HTML. Without JavaScript
 * the page's lists give the same information.
 */
(function () {
  "use strict";

  var STATES = { recent: true, earlier: true, never: true };

  function text(tag, className, value) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    el.textContent = value;
    return el;
  }

  function classFor(props) {
    var state = STATES[props.state] ? props.state : "never";
    return "cov-area coverage-" + state;
  }

  function popupFor(container, props) {
    var box = document.createElement("div");
    box.appendChild(text("strong", "", props.name || ""));
    box.appendChild(document.createTextNode(" "));
    box.appendChild(text("span", "map-code", props.code || ""));
    box.appendChild(text("div", "", props.state_label || ""));
    if (props.last) {
      var last = text("div", "", (container.getAttribute("data-label-last") || "") + " ");
      var day = text("span", "", props.last);
      day.setAttribute("dir", "ltr");
      last.appendChild(day);
      box.appendChild(last);
    }
    return box;
  }

  function showMessage(container, message) {
    container.classList.add("place-map-empty");
    container.textContent = message || "";
  }

  function draw(container, data) {
    var L = window.L;
    var features = ((data && data.features) || []).filter(function (f) {
      return f && f.geometry && f.properties;
    });
    if (!features.length) {
      showMessage(container, container.getAttribute("data-empty-message"));
      return;
    }
    container.textContent = "";
    container.classList.add("is-ready");
    var map = L.map(container, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      maxZoom: 16,
    });
    var layer = L.geoJSON(
      { type: "FeatureCollection", features: features },
      {
        style: function (feature) {
          return { className: classFor(feature.properties), weight: 1.5, fillOpacity: 0.7 };
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: 9,
            weight: 1.5,
            fillOpacity: 0.9,
            className: classFor(feature.properties),
          });
        },
        onEachFeature: function (feature, item) {
          item.bindPopup(popupFor(container, feature.properties));
          var name = document.createElement("span");
          name.textContent =
            (feature.properties.name || "") + " — " + (feature.properties.state_label || "");
          item.bindTooltip(name, { sticky: true });
        },
      }
    ).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: 12 });
    } else {
      map.setView([0, 0], 2);
    }
    L.control.scale({ imperial: false }).addTo(map);
    container.setAttribute("data-map-state", "ready");
  }

  function load(container) {
    var url = container.getAttribute("data-map-url");
    if (!url || !window.L || !window.fetch) {
      return;
    }
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("map data: " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        draw(container, data);
      })
      .catch(function () {
        showMessage(container, container.getAttribute("data-error-message"));
      });
  }

  function init() {
    var maps = document.querySelectorAll(".coverage-map[data-map-url]");
    Array.prototype.forEach.call(maps, load);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
