/* Palava — the map of messages, with Leaflet and no tile server.
 *
 * <div class="place-map" data-map-url="…" data-areas-url="…"> : the first URL answers a GeoJSON
 * FeatureCollection of points, one per place (its centroid, never a sender's position), with
 * properties name, code, count, worst_urgency, worst_urgency_label and url (the inbox filtered
 * by the place). The optional second URL is the places map of the member's area, drawn under
 * the points as plain boundaries. Names are put in the page as text, never as HTML.
 * Without JavaScript the page's table says the same.
 */
(function () {
  "use strict";

  var MIN_RADIUS = 5;
  var MAX_RADIUS = 22;

  function showMessage(container, message) {
    container.classList.add("place-map-empty");
    container.textContent = message || "";
  }

  function fetchJson(url) {
    return window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("map data: " + response.status);
        }
        return response.json();
      });
  }

  function tooltipFor(props, countLabel) {
    var box = document.createElement("span");
    var name = document.createElement("strong");
    name.textContent = props.name || "";
    box.appendChild(name);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(String(props.count) + " " + (countLabel || "")));
    if (props.worst_urgency_label) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(props.worst_urgency_label));
    }
    return box;
  }

  function radiusFor(count, largest) {
    if (largest <= 0) {
      return MIN_RADIUS;
    }
    return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt(count / largest);
  }

  function draw(container, data, areas) {
    var L = window.L;
    var points = ((data && data.features) || []).filter(function (f) {
      return f && f.geometry && f.properties;
    });
    if (!points.length) {
      showMessage(container, container.getAttribute("data-empty-message"));
      return;
    }
    container.textContent = "";
    container.classList.add("is-ready");
    var map = L.map(container, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      maxZoom: 14,
    });
    if (areas && areas.features) {
      L.geoJSON(
        {
          type: "FeatureCollection",
          features: areas.features.filter(function (f) {
            return f && f.geometry && f.properties && f.properties.role !== "site";
          }),
        },
        {
          interactive: false,
          style: function (feature) {
            return {
              className: feature.properties.role === "unit" ? "map-unit" : "map-child",
              weight: feature.properties.role === "unit" ? 2 : 1,
              fillOpacity: 0.15,
            };
          },
        }
      ).addTo(map);
    }
    var largest = points.reduce(function (most, f) {
      return Math.max(most, f.properties.count || 0);
    }, 0);
    var countLabel = container.getAttribute("data-count-label");
    var layer = L.geoJSON(
      { type: "FeatureCollection", features: points },
      {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: radiusFor(feature.properties.count || 0, largest),
            weight: 1.5,
            fillOpacity: 0.75,
            className: "msg-point urgency-point-" + (feature.properties.worst_urgency || "none"),
          });
        },
        onEachFeature: function (feature, marker) {
          marker.bindTooltip(tooltipFor(feature.properties, countLabel));
          marker.on("click", function () {
            if (feature.properties.url) {
              window.location.assign(feature.properties.url);
            }
          });
        },
      }
    ).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 });
    } else {
      map.setView([0, 0], 2);
    }
    L.control.scale({ imperial: false }).addTo(map);
    container.setAttribute("data-map-state", "ready");
  }

  function load(container) {
    var url = container.getAttribute("data-map-url");
    if (!url || !window.L || !window.fetch || !window.Promise) {
      return;
    }
    var areasUrl = container.getAttribute("data-areas-url");
    var areas = areasUrl
      ? fetchJson(areasUrl).catch(function () {
          return null;
        })
      : Promise.resolve(null);
    Promise.all([fetchJson(url), areas])
      .then(function (results) {
        draw(container, results[0], results[1]);
      })
      .catch(function () {
        showMessage(container, container.getAttribute("data-error-message"));
      });
  }

  function init() {
    var maps = document.querySelectorAll(".place-map[data-map-url]");
    Array.prototype.forEach.call(maps, load);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
