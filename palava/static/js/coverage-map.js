/* Palava — the coverage map of the inclusion pages (Leaflet, no tile server).
 *
 * The container <div class="coverage-map" data-map-url="…"> answers a GeoJSON FeatureCollection
 * of places; properties: code, name, state ("recent", "earlier" or "never"), state_label and
 * last (ISO date or null). Places are coloured by state (classes coverage-<state>, colours in
 * engagement-inclusion.css). Text is always put in as text, never as HTML. Without JavaScript
 * the page's lists give the same information. Needs map-common.js (window.PalavaMap).
 */
(function () {
  "use strict";

  var M = window.PalavaMap;
  var text = M.text;
  var STATES = { recent: true, earlier: true, never: true };

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

  function draw(container, data) {
    var features = M.features(container, data);
    if (!features.length) {
      return;
    }
    var map = M.create(container, 16);
    var layer = M.shade(map, features, {
      classFor: classFor,
      fillOpacity: 0.7,
      popup: function (props) {
        return popupFor(container, props);
      },
      tooltip: function (props) {
        return (props.name || "") + " — " + (props.state_label || "");
      },
    });
    M.fit(map, layer.getBounds(), 12);
    M.ready(map, container);
  }

  M.start(".coverage-map", draw);
})();
