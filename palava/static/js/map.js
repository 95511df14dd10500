/* Palava — place maps with Leaflet, no tile server.
 *
 * A map is a <div class="place-map" data-map-url="…"> whose URL answers a GeoJSON
 * FeatureCollection; each feature has properties.role = "unit" (the place itself),
 * "child" (a unit inside it) or "site" (a settlement or site, a point), plus name, code and url.
 * The base is a plain neutral background: boundaries and points only, nothing fetched from
 * elsewhere. Names are always put in the page as text, never as HTML.
 * Without JavaScript (or when the place has no geometry) the page's lists say the same.
 * Needs map-common.js (window.PalavaMap).
 */
(function () {
  "use strict";

  var M = window.PalavaMap;
  var textElement = M.text;

  function tooltipFor(props) {
    var box = document.createElement("span");
    box.appendChild(textElement("strong", "", props.name || ""));
    if (props.code) {
      box.appendChild(document.createTextNode(" "));
      box.appendChild(textElement("span", "map-code", props.code));
    }
    if (props.kind_label) {
      box.appendChild(document.createElement("br"));
      box.appendChild(textElement("span", "", props.kind_label));
    }
    return box;
  }

  function polygonClass(props) {
    var classes = props.role === "unit" ? "map-unit" : "map-child";
    if (props.access) {
      classes += " map-access-" + props.access;
    }
    return classes;
  }

  function draw(container, data) {
    var L = window.L;
    var features = (data && data.features) || [];
    var hasGeometry = features.some(function (f) {
      return f && f.geometry;
    });
    if (!hasGeometry) {
      M.showMessage(container, container.getAttribute("data-empty-message"));
      return;
    }
    var map = M.create(container, 18);
    var goTo = function (url) {
      if (url) {
        window.location.assign(url);
      }
    };
    var children = L.geoJSON(
      { type: "FeatureCollection", features: features.filter(function (f) {
        return f.properties && f.properties.role === "child" && f.geometry;
      }) },
      {
        style: function (feature) {
          return { className: polygonClass(feature.properties), weight: 1.5, fillOpacity: 0.25 };
        },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(tooltipFor(feature.properties), { sticky: true });
          layer.on("click", function () {
            goTo(feature.properties.url);
          });
        },
      }
    );
    var unit = L.geoJSON(
      { type: "FeatureCollection", features: features.filter(function (f) {
        return f.properties && f.properties.role === "unit" && f.geometry;
      }) },
      {
        interactive: false,
        style: function (feature) {
          return { className: polygonClass(feature.properties), weight: 3, fillOpacity: 0.08 };
        },
      }
    );
    var sites = L.geoJSON(
      { type: "FeatureCollection", features: features.filter(function (f) {
        return f.properties && f.properties.role === "site" && f.geometry;
      }) },
      {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: 5,
            weight: 1.5,
            fillOpacity: 0.9,
            className: "map-site map-site-" + (feature.properties.kind || "other"),
          });
        },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(tooltipFor(feature.properties));
        },
      }
    );
    unit.addTo(map);
    children.addTo(map);
    sites.addTo(map);
    var bounds = unit.getBounds();
    if (!bounds.isValid()) {
      bounds = children.getBounds();
    }
    if (!bounds.isValid()) {
      bounds = sites.getBounds();
    }
    M.fit(map, bounds, 13);
    M.ready(map, container);
  }

  M.start(".place-map", draw);
})();
