/* Palava — the relationship graph: a small force-directed layout drawn in SVG, no library.
 *
 * Reads <script type="application/json" id="graph-data"> (not executed; allowed by the CSP):
 *   {"nodes": [{"id", "name", "type", "influence", "url"}],
 *    "edges": [{"source", "target", "kind", "symmetric", "ended"}]}
 * and draws it into <div class="actor-graph" data-graph-source="graph-data">.
 * Colours and line styles come from CSS classes (node-<type>, edge-<kind>); the legend and a
 * plain list of the same relationships are in the page, so nothing depends on this file.
 * The layout is deterministic (seeded), so the same data gives the same picture.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (key) {
      el.setAttribute(key, attrs[key]);
    });
    return el;
  }

  /* A small seeded pseudo-random generator (mulberry32). */
  function random(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function radius(node) {
    return 4 + 1.5 * (node.influence || 1);
  }

  /* Fruchterman-Reingold (grid variant: repulsion only within 3k) in a clamped frame, with a
   * pull towards the centre so separate clusters stay together; then stretched to the frame. */
  function layout(nodes, edges, width, height) {
    var rand = random(nodes.length * 7919 + edges.length);
    var n = nodes.length;
    var pad = 40;
    var k = Math.sqrt(((width - 2 * pad) * (height - 2 * pad)) / Math.max(n, 1)) * 0.6;
    var reach2 = 9 * k * k;
    var i, j;
    for (i = 0; i < n; i += 1) {
      nodes[i].x = pad + rand() * (width - 2 * pad);
      nodes[i].y = pad + rand() * (height - 2 * pad);
    }
    var iterations = n > 150 ? 250 : 350;
    var temperature = width / 10;
    var cool = temperature / (iterations + 1);
    for (var step = 0; step < iterations; step += 1) {
      for (i = 0; i < n; i += 1) {
        nodes[i].dx = 0;
        nodes[i].dy = 0;
      }
      for (i = 0; i < n; i += 1) {
        for (j = i + 1; j < n; j += 1) {
          var ddx = nodes[i].x - nodes[j].x;
          var ddy = nodes[i].y - nodes[j].y;
          var dist2 = ddx * ddx + ddy * ddy || 0.01;
          if (dist2 > reach2) {
            continue; /* the grid variant of FR: far nodes do not push */
          }
          var force = (k * k) / dist2;
          nodes[i].dx += ddx * force;
          nodes[i].dy += ddy * force;
          nodes[j].dx -= ddx * force;
          nodes[j].dy -= ddy * force;
        }
      }
      edges.forEach(function (edge) {
        var a = edge.a;
        var b = edge.b;
        var ex = a.x - b.x;
        var ey = a.y - b.y;
        var d = Math.sqrt(ex * ex + ey * ey) || 0.01;
        var pull = d / k;
        a.dx -= ex * pull;
        a.dy -= ey * pull;
        b.dx += ex * pull;
        b.dy += ey * pull;
      });
      for (i = 0; i < n; i += 1) {
        var node = nodes[i];
        node.dx += (width / 2 - node.x) * 0.03;
        node.dy += (height / 2 - node.y) * 0.03;
        var len = Math.sqrt(node.dx * node.dx + node.dy * node.dy) || 0.01;
        var move = Math.min(len, temperature);
        node.x = Math.min(width - pad, Math.max(pad, node.x + (node.dx / len) * move));
        node.y = Math.min(height - pad, Math.max(pad, node.y + (node.dy / len) * move));
      }
      temperature = Math.max(temperature - cool, 0.5);
    }
    stretch(nodes, width, height, pad);
  }

  /* Scale the drawing to the padded frame, keeping room for labels on the right. */
  function stretch(nodes, width, height, pad) {
    var minX = Infinity;
    var minY = Infinity;
    var maxX = -Infinity;
    var maxY = -Infinity;
    nodes.forEach(function (nd) {
      minX = Math.min(minX, nd.x);
      minY = Math.min(minY, nd.y);
      maxX = Math.max(maxX, nd.x);
      maxY = Math.max(maxY, nd.y);
    });
    var spanX = maxX - minX;
    var spanY = maxY - minY;
    var left = pad;
    var right = width - pad - 70;
    var top = pad / 2;
    var bottom = height - pad / 2;
    nodes.forEach(function (nd) {
      nd.x = spanX > 0 ? left + ((nd.x - minX) / spanX) * (right - left) : width / 2;
      nd.y = spanY > 0 ? top + ((nd.y - minY) / spanY) * (bottom - top) : height / 2;
    });
  }

  function arrowMarkers(defs) {
    var marker = svg("marker", {
      id: "graph-arrow",
      viewBox: "0 0 10 10",
      refX: "10",
      refY: "5",
      markerWidth: "7",
      markerHeight: "7",
      orient: "auto-start-reverse",
    });
    marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "graph-arrow" }));
    defs.appendChild(marker);
  }

  function draw(container, data) {
    var byId = {};
    var nodes = (data.nodes || []).map(function (raw) {
      var node = { id: raw.id, name: raw.name, type: raw.type, influence: raw.influence,
        url: raw.url, links: [] };
      byId[node.id] = node;
      return node;
    });
    var edges = [];
    (data.edges || []).forEach(function (raw) {
      var a = byId[raw.source];
      var b = byId[raw.target];
      if (a && b && a !== b) {
        var edge = { a: a, b: b, kind: raw.kind, symmetric: raw.symmetric, ended: raw.ended };
        a.links.push(b);
        b.links.push(a);
        edges.push(edge);
      }
    });
    /* Actors without a relationship are listed in the page, not drawn (they would only
     * spread the picture out); when nobody is linked, everybody is drawn. */
    var linked = nodes.filter(function (node) {
      return node.links.length > 0;
    });
    if (linked.length) {
      nodes = linked;
    }
    if (!nodes.length) {
      return;
    }
    var width = Math.max(320, Math.round(container.clientWidth || 900));
    var height =
      width < 600 ? Math.round(width * 1.3) : Math.round(Math.max(420, Math.min(760, width * 0.62)));
    layout(nodes, edges, width, height);

    var root = svg("svg", {
      class: "graph-svg",
      viewBox: "0 0 " + width + " " + height,
      role: "img",
      "aria-label": container.getAttribute("data-label") || "",
      preserveAspectRatio: "xMidYMid meet",
    });
    var defs = svg("defs");
    arrowMarkers(defs);
    root.appendChild(defs);
    var edgeLayer = svg("g", { class: "graph-edges" });
    var nodeLayer = svg("g", { class: "graph-nodes" });
    root.appendChild(edgeLayer);
    root.appendChild(nodeLayer);

    edges.forEach(function (edge) {
      /* Stop the line at the target's rim so the arrow shows. */
      var ex = edge.b.x - edge.a.x;
      var ey = edge.b.y - edge.a.y;
      var d = Math.sqrt(ex * ex + ey * ey) || 1;
      var rb = radius(edge.b) + 2;
      var line = svg("line", {
        x1: edge.a.x.toFixed(1),
        y1: edge.a.y.toFixed(1),
        x2: (edge.b.x - (ex / d) * rb).toFixed(1),
        y2: (edge.b.y - (ey / d) * rb).toFixed(1),
        class: "graph-edge edge-" + edge.kind + (edge.ended ? " edge-ended" : ""),
      });
      if (!edge.symmetric) {
        line.setAttribute("marker-end", "url(#graph-arrow)");
      }
      edge.el = line;
      edgeLayer.appendChild(line);
    });

    nodes.forEach(function (node) {
      var link = svg("a", { href: node.url || "#", class: "graph-node node-" + node.type });
      var title = svg("title");
      title.textContent = node.name;
      link.appendChild(title);
      link.appendChild(
        svg("circle", {
          cx: node.x.toFixed(1),
          cy: node.y.toFixed(1),
          r: String(radius(node)),
        })
      );
      var showLabel = nodes.length <= 40 || (node.influence || 0) >= 5;
      var label = svg("text", {
        x: (node.x + radius(node) + 3).toFixed(1),
        y: (node.y + 4).toFixed(1),
        class: "graph-label" + (showLabel ? "" : " graph-label-hover"),
      });
      label.textContent = node.name;
      link.appendChild(label);
      node.el = link;
      nodeLayer.appendChild(link);
      var highlight = function (on) {
        root.classList.toggle("is-focused", on);
        link.classList.toggle("is-active", on);
        node.links.forEach(function (other) {
          other.el.classList.toggle("is-neighbour", on);
        });
        edges.forEach(function (edge) {
          if (edge.a === node || edge.b === node) {
            edge.el.classList.toggle("is-active", on);
          }
        });
      };
      link.addEventListener("mouseenter", function () { highlight(true); });
      link.addEventListener("mouseleave", function () { highlight(false); });
      link.addEventListener("focus", function () { highlight(true); });
      link.addEventListener("blur", function () { highlight(false); });
    });

    container.textContent = "";
    container.appendChild(root);
    container.setAttribute("data-graph-state", "ready");
  }

  function init() {
    var containers = document.querySelectorAll(".actor-graph[data-graph-source]");
    Array.prototype.forEach.call(containers, function (container) {
      var source = document.getElementById(container.getAttribute("data-graph-source"));
      if (!source) {
        return;
      }
      try {
        draw(container, JSON.parse(source.textContent || "{}"));
      } catch (error) {
        container.setAttribute("data-graph-state", "error");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
