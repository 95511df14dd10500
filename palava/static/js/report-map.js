/* Palava — optional location picker on the public report form.
 *
 * Without JavaScript the form has a "Where?" text field only, and that is enough. With it, two
 * buttons appear: "Use my current location" (the browser's geolocation) and "Show the place on
 * a map", which loads the vendored Leaflet only then (nothing heavy for people who do not ask)
 * and draws the mission's province and district outlines (no tile server: nothing is fetched
 * from elsewhere). A tap on the map sets the hidden latitude and longitude fields.
 */
(function () {
  "use strict";

  function button(label) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = "button-secondary button-small";
    el.textContent = label;
    return el;
  }

  function loadLeaflet(box, done) {
    if (window.L) {
      done();
      return;
    }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = box.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = box.getAttribute("data-leaflet-js");
    script.onload = done;
    document.head.appendChild(script);
  }

  function round(value) {
    return Math.round(value * 100000) / 100000;
  }

  function init() {
    var box = document.querySelector(".report-map[data-geojson-url]");
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    if (!box || !lat || !lon) {
      return;
    }
    var status = document.createElement("p");
    status.className = "muted report-map-status";
    status.setAttribute("aria-live", "polite");
    var actions = document.createElement("div");
    actions.className = "field-actions";
    var open = button(box.getAttribute("data-label-open"));
    var here = button(box.getAttribute("data-label-here"));
    var clear = button(box.getAttribute("data-label-clear"));
    var canvas = document.createElement("div");
    canvas.className = "report-map-canvas";
    canvas.hidden = true;
    if (window.fetch) {
      actions.appendChild(open);
    }
    if (navigator.geolocation) {
      actions.appendChild(here);
    }
    actions.appendChild(clear);
    box.appendChild(actions);
    box.appendChild(canvas);
    box.appendChild(status);
    box.hidden = false;

    var map = null;
    var marker = null;

    function show() {
      var has = lat.value !== "" && lon.value !== "";
      clear.hidden = !has;
      status.textContent = has ? box.getAttribute("data-label-chosen") : "";
      if (map && marker) {
        map.removeLayer(marker);
        marker = null;
      }
      if (map && has) {
        marker = window.L.circleMarker([Number(lat.value), Number(lon.value)], {
          radius: 8,
          weight: 2,
          fillOpacity: 0.8,
          className: "report-map-point",
        }).addTo(map);
      }
    }

    function set(latitude, longitude) {
      lat.value = String(round(latitude));
      lon.value = String(round(longitude));
      show();
    }

    function draw(data) {
      var L = window.L;
      canvas.hidden = false;
      map = L.map(canvas, { attributionControl: false, zoomSnap: 0.25, maxZoom: 16 });
      var outlines = L.geoJSON(data, {
        style: function (feature) {
          var level = feature.properties && feature.properties.level;
          return { className: "report-map-area", weight: level === 1 ? 2 : 1, fillOpacity: 0.05 };
        },
        onEachFeature: function (feature, layer) {
          var name = document.createElement("span");
          name.textContent = (feature.properties && feature.properties.name) || "";
          layer.bindTooltip(name, { sticky: true });
        },
      }).addTo(map);
      var bounds = outlines.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [8, 8] });
      } else {
        map.setView([0, 20], 3);
      }
      map.on("click", function (event) {
        set(event.latlng.lat, event.latlng.lng);
      });
      show();
    }

    open.addEventListener("click", function () {
      open.disabled = true;
      loadLeaflet(box, function () {
        window
          .fetch(box.getAttribute("data-geojson-url"), { credentials: "omit" })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("outline " + response.status);
            }
            return response.json();
          })
          .then(draw)
          .catch(function () {
            open.disabled = false;
          });
      });
    });
    here.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(
        function (position) {
          set(position.coords.latitude, position.coords.longitude);
          if (map) {
            map.setView([position.coords.latitude, position.coords.longitude], 12);
          }
        },
        function () {
          status.textContent = box.getAttribute("data-label-failed");
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
      );
    });
    clear.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      show();
    });
    show();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
