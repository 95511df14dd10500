/* Palava — an indicator's estimates by place on a map (Leaflet, no tile server).
 *
 * The container <div class="estimate-map" data-map-url="…"> answers a GeoJSON FeatureCollection
 * of places; properties: name, code, bin (0-4, or null), value_text, ci_text, n, small_n and
 * suppressed. Places are coloured by bin (classes est-bin-N, colours in estimates.css); places
 * with too few respondents are hatched grey. Text is always put in as text, never as HTML.
 * Without JavaScript the page's table gives the same figures.
 */
(function () {
  "use strict";

  var HATCH_ID = "est-hatch";

  function text(tag, className, value) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    el.textContent = value;
    return el;
  }

  function popupFor(container, props) {
    var box = document.createElement("div");
    box.appendChild(text("strong", "", props.name || ""));
    box.appendChild(document.createTextNode(" "));
    box.appendChild(text("span", "map-code", props.code || ""));
    if (props.suppressed) {
      box.appendChild(document.createElement("br"));
      box.appendChild(text("span", "", container.getAttribute("data-label-few") || ""));
      return box;
    }
    var value = text("div", "est-popup-value", props.value_text || "");
    value.setAttribute("dir", "ltr");
    box.appendChild(value);
    var ci = text("div", "", (container.getAttribute("data-label-ci") || "") + " ");
    ci.appendChild(text("span", "", props.ci_text || ""));
    ci.lastChild.setAttribute("dir", "ltr");
    box.appendChild(ci);
    box.appendChild(text("div", "", String(props.n) + " " + (container.getAttribute("data-label-n") || "")));
    if (props.small_n) {
      box.appendChild(text("div", "badge badge-warn", container.getAttribute("data-label-small") || ""));
    }
    return box;
  }

  function classFor(props) {
    if (props.suppressed || props.bin === null || props.bin === undefined) {
      return "est-area est-few";
    }
    return "est-area est-bin-" + props.bin + (props.small_n ? " est-small" : "");
  }

  function addHatch(map) {
    var svg = map.getPanes().overlayPane.querySelector("svg");
    if (!svg || svg.querySelector("#" + HATCH_ID)) {
      return;
    }
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", HATCH_ID);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "8");
    pattern.setAttribute("height", "8");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var back = document.createElementNS(ns, "rect");
    back.setAttribute("width", "8");
    back.setAttribute("height", "8");
    back.setAttribute("class", "est-hatch-back");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("y1", "0");
    line.setAttribute("x2", "0");
    line.setAttribute("y2", "8");
    line.setAttribute("class", "est-hatch-line");
    pattern.appendChild(back);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
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
          return { className: classFor(feature.properties), weight: 1.5, fillOpacity: 0.85 };
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
          name.textContent = feature.properties.name || "";
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
    addHatch(map);
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
    var maps = document.querySelectorAll(".estimate-map[data-map-url]");
    Array.prototype.forEach.call(maps, load);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
