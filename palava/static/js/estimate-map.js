/* Palava — an indicator's estimates by place on a map (Leaflet, no tile server).
 *
 * The container <div class="estimate-map" data-map-url="…"> answers a GeoJSON FeatureCollection
 * of places; properties: name, code, bin (0-4, or null), value_text, ci_text, n, small_n and
 * suppressed. Places are coloured by bin (classes est-bin-N, colours in estimates.css); places
 * with too few respondents are hatched grey. Text is always put in as text, never as HTML.
 * Without JavaScript the page's table gives the same figures. Needs map-common.js
 * (window.PalavaMap).
 */
(function () {
  "use strict";

  var M = window.PalavaMap;
  var text = M.text;
  var HATCH_ID = "est-hatch";

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

  function draw(container, data) {
    var features = M.features(container, data);
    if (!features.length) {
      return;
    }
    var map = M.create(container, 16);
    var layer = M.shade(map, features, {
      classFor: classFor,
      fillOpacity: 0.85,
      popup: function (props) {
        return popupFor(container, props);
      },
      tooltip: function (props) {
        return props.name || "";
      },
    });
    M.fit(map, layer.getBounds(), 12);
    addHatch(map);
    M.ready(map, container);
  }

  M.start(".estimate-map", draw);
})();
