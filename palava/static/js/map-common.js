/* Palava — what the map scripts share (Leaflet, no tile server).
 *
 * Loaded before map.js, estimate-map.js and coverage-map.js; exposes window.PalavaMap:
 *   text(tag, className, value)   an element holding text (never HTML)
 *   showMessage(container, msg)   replace the map by a plain message
 *   create(container, maxZoom)    empty the container and make a Leaflet map in it
 *   fit(map, bounds, maxZoom)     fit to bounds, or a world view when they are not valid
 *   ready(map, container)         add the scale bar and mark the map ready (data-map-state)
 *   features(container, data)    the features with geometry and properties; when there are
 *                                 none, shows the container's data-empty-message instead
 *   shade(map, features, opts)    add the features as one layer of areas and dots, each with
 *                                 opts.classFor(props), opts.fillOpacity, a popup from
 *                                 opts.popup(props) and a sticky tooltip opts.tooltip(props)
 *                                 (text); returns the layer
 *   start(selector, draw)         for each container matching selector (with data-map-url),
 *                                 fetch its GeoJSON and call draw(container, data); on a failed
 *                                 fetch show its data-error-message
 */
(function () {
  "use strict";

  function text(tag, className, value) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    el.textContent = value;
    return el;
  }

  function showMessage(container, message) {
    container.classList.add("place-map-empty");
    container.textContent = message || "";
  }

  function create(container, maxZoom) {
    container.textContent = "";
    container.classList.add("is-ready");
    return window.L.map(container, {
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      maxZoom: maxZoom,
    });
  }

  function fit(map, bounds, maxZoom) {
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: maxZoom });
    } else {
      map.setView([0, 0], 2);
    }
  }

  function ready(map, container) {
    window.L.control.scale({ imperial: false }).addTo(map);
    container.setAttribute("data-map-state", "ready");
  }

  function features(container, data) {
    var list = ((data && data.features) || []).filter(function (f) {
      return f && f.geometry && f.properties;
    });
    if (!list.length) {
      showMessage(container, container.getAttribute("data-empty-message"));
    }
    return list;
  }

  function shade(map, list, opts) {
    var L = window.L;
    return L.geoJSON(
      { type: "FeatureCollection", features: list },
      {
        style: function (feature) {
          return {
            className: opts.classFor(feature.properties),
            weight: 1.5,
            fillOpacity: opts.fillOpacity,
          };
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: 9,
            weight: 1.5,
            fillOpacity: 0.9,
            className: opts.classFor(feature.properties),
          });
        },
        onEachFeature: function (feature, item) {
          item.bindPopup(opts.popup(feature.properties));
          item.bindTooltip(text("span", "", opts.tooltip(feature.properties)), { sticky: true });
        },
      }
    ).addTo(map);
  }

  function load(container, draw) {
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

  function start(selector, draw) {
    var init = function () {
      var maps = document.querySelectorAll(selector + "[data-map-url]");
      Array.prototype.forEach.call(maps, function (container) {
        load(container, draw);
      });
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  }

  window.PalavaMap = {
    text: text,
    showMessage: showMessage,
    create: create,
    fit: fit,
    ready: ready,
    features: features,
    shade: shade,
    start: start,
  };
})();
