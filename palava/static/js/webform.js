/* Palava web entry: live skip logic, calculations, constraints and required answers.
 * Evaluates the ODK XPath subset of palava/assessments/entry/xpath.py (same rules); the
 * server checks everything again on submission, and the page works without this file.
 * No eval(), no dependencies; unknown functions are "true / no value" and nothing is logged.
 */
(function () {
  "use strict";

  var REFS = {};
  var REPEATS = {};
  var ROOT = "data";
  var MAX_LEN = 4000;
  var form = null;

  function configure(schema) {
    REFS = schema.refs || {};
    REPEATS = {};
    (schema.repeats || []).forEach(function (p) { REPEATS[p] = true; });
    ROOT = schema.root || "data";
    MAX_LEN = schema.limit || 4000;
  }
  var MAX_DEPTH = 40;
  var MAX_OPS = 300;
  var UNKNOWN = { unknown: true };

  /* ---------- tokenizer and parser ---------- */
  var TOKEN = /^\s*(?:(\$\{[^}\s]{1,200}\})|(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|(!=|<=|>=|\/\/|\.\.|[=<>+\-*\/(),|\[\].@])|([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?))/;
  var KINDS = ["ref", "num", "str", "op", "name"];

  function tokenize(src) {
    if (src.length > MAX_LEN) throw new Error("long");
    var out = [];
    var rest = src;
    while (rest.trim() !== "") {
      var m = TOKEN.exec(rest);
      if (!m || m[0].length === 0) throw new Error("char");
      for (var i = 1; i <= 5; i++) {
        if (m[i] !== undefined) { out.push({ k: KINDS[i - 1], t: m[i] }); break; }
      }
      rest = rest.slice(m[0].length);
    }
    out.push({ k: "end", t: "" });
    return out;
  }

  var LEVELS = [["or"], ["and"], ["=", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "div", "mod"]];
  var WORD_OPS = { or: 1, and: 1, div: 1, mod: 1 };

  function Parser(tokens) { this.t = tokens; this.p = 0; this.d = 0; this.ops = 0; }
  Parser.prototype.cur = function () { return this.t[this.p]; };
  Parser.prototype.take = function () { return this.t[this.p++]; };
  Parser.prototype.isOp = function (text) {
    var c = this.cur();
    return (c.k === "op" || c.k === "name") && c.t === text;
  };
  Parser.prototype.enter = function () { if (++this.d > MAX_DEPTH) throw new Error("deep"); };
  Parser.prototype.expect = function (text) {
    if (!this.isOp(text)) throw new Error("expected " + text);
    this.p++;
  };
  Parser.prototype.parse = function () {
    var n = this.binary(0);
    if (this.cur().k !== "end") throw new Error("trailing");
    return n;
  };
  Parser.prototype.atOp = function (ops) {
    var c = this.cur();
    if (c.k === "op" && ops.indexOf(c.t) >= 0) return true;
    return c.k === "name" && WORD_OPS[c.t] === 1 && ops.indexOf(c.t) >= 0;
  };
  Parser.prototype.binary = function (level) {
    if (level === LEVELS.length) return this.unary();
    var left = this.binary(level + 1);
    while (this.atOp(LEVELS[level])) {
      var op = this.take().t;
      if (++this.ops > MAX_OPS) throw new Error("long");
      left = ["bin", op, left, this.binary(level + 1)];
    }
    return left;
  };
  Parser.prototype.unary = function () {
    if (this.cur().k === "op" && this.cur().t === "-") {
      this.take();
      this.enter();
      var n = ["neg", this.unary()];
      this.d--;
      return n;
    }
    var left = this.primary();
    while (this.cur().k === "op" && this.cur().t === "|") {
      this.take();
      left = ["union", left, this.primary()];
    }
    return left;
  };
  Parser.prototype.primary = function () {
    this.enter();
    var c = this.cur();
    var n;
    if (c.k === "num") { this.take(); n = ["num", parseFloat(c.t)]; }
    else if (c.k === "str") { this.take(); n = ["str", c.t.slice(1, -1)]; }
    else if (c.k === "ref") {
      this.take();
      n = ["ref", c.t.slice(2, -1).trim()];
      if (this.cur().k === "op" && (this.cur().t === "/" || this.cur().t === "[")) throw new Error("path");
    } else if (c.k === "op" && c.t === "(") {
      this.take();
      n = this.binary(0);
      this.expect(")");
    } else if (c.k === "name" && this.t[this.p + 1].t === "(") {
      var name = this.take().t;
      this.take();
      var args = [];
      if (!(this.cur().k === "op" && this.cur().t === ")")) {
        args.push(this.binary(0));
        while (this.cur().k === "op" && this.cur().t === ",") { this.take(); args.push(this.binary(0)); }
      }
      this.expect(")");
      n = ["call", name, args];
    } else if (c.k === "name" || (c.k === "op" && (c.t === "/" || c.t === "." || c.t === ".."))) {
      n = this.path();
    } else {
      throw new Error("unexpected");
    }
    this.d--;
    return n;
  };
  Parser.prototype.path = function () {
    var absolute = false;
    var steps = [];
    if (this.cur().k === "op" && this.cur().t === "/") { absolute = true; this.take(); }
    for (;;) {
      var c = this.cur();
      if ((c.k === "op" && (c.t === "." || c.t === "..")) || c.k === "name") steps.push(this.take().t);
      else if (c.k === "op" && (c.t === "@" || c.t === "*" || c.t === "[")) throw new Error("unsupported");
      else { if (!steps.length && !absolute) throw new Error("unexpected"); break; }
      if (this.cur().k === "op" && this.cur().t === "[") throw new Error("predicate");
      if (this.cur().k === "op" && this.cur().t === "/") { this.take(); continue; }
      break;
    }
    return ["path", absolute, steps];
  };

  var cache = {};
  function parse(src) {
    if (Object.prototype.hasOwnProperty.call(cache, src)) return cache[src];
    var n;
    try { n = new Parser(tokenize(src)).parse(); } catch (e) { n = null; }
    cache[src] = n;
    return n;
  }

  /* ---------- values ---------- */
  function NodeSet(values) { this.values = values; }
  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?/;

  function toStr(v) {
    if (v instanceof NodeSet) return v.values.length ? v.values[0] : "";
    if (v === UNKNOWN) return "";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
      if (isNaN(v)) return "NaN";
      if (!isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
      return String(v);
    }
    return v;
  }
  function days(text) {
    var m = DATETIME.exec(text);
    var t;
    if (m) t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    else { m = DATE.exec(text); t = Date.UTC(+m[1], +m[2] - 1, +m[3]); }
    return t / 86400000;
  }
  function toNum(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    if (v === UNKNOWN) return NaN;
    var s = toStr(v).trim();
    if (!s) return NaN;
    if (DATE.test(s) || DATETIME.test(s)) return days(s);
    if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(s)) return NaN;
    return parseFloat(s);
  }
  function toBool(v) {
    if (typeof v === "boolean") return v;
    if (v === UNKNOWN) return true;
    if (typeof v === "number") return !(v === 0 || isNaN(v));
    if (v instanceof NodeSet) return v.values.length > 0;
    return v !== "";
  }
  function cmpAtoms(op, a, b) {
    if (op === "=" || op === "!=") {
      var eq;
      if (typeof a === "boolean" || typeof b === "boolean") eq = toBool(a) === toBool(b);
      else if (typeof a === "number" || typeof b === "number") eq = toNum(a) === toNum(b);
      else eq = toStr(a) === toStr(b);
      return op === "=" ? eq : !eq;
    }
    var x = toNum(a), y = toNum(b);
    if (op === "<") return x < y;
    if (op === ">") return x > y;
    if (op === "<=") return x <= y;
    return x >= y;
  }
  function compare(op, a, b) {
    if (a === UNKNOWN || b === UNKNOWN) return true;
    if (a instanceof NodeSet || b instanceof NodeSet) {
      if (typeof a === "boolean" || typeof b === "boolean") return cmpAtoms(op, toBool(a), toBool(b));
      var l = a instanceof NodeSet ? a.values : [a];
      var r = b instanceof NodeSet ? b.values : [b];
      for (var i = 0; i < l.length; i++) for (var j = 0; j < r.length; j++) if (cmpAtoms(op, l[i], r[j])) return true;
      return false;
    }
    return cmpAtoms(op, a, b);
  }
  function arith(op, a, b) {
    var x = toNum(a), y = toNum(b);
    if (op === "+") return x + y;
    if (op === "-") return x - y;
    if (op === "*") return x * y;
    if (op === "div") return x / y;
    if (y === 0 || !isFinite(x)) return NaN;
    return x % y;
  }
  function flat(args) {
    var out = [];
    args.forEach(function (a) { if (a instanceof NodeSet) out = out.concat(a.values); else out.push(toStr(a)); });
    return out;
  }
  function round(x, digits) {
    if (!isFinite(x)) return x;
    var f = Math.pow(10, digits);
    return Math.floor(x * f + 0.5) / f;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }
  var MATH = {
    sqrt: Math.sqrt, exp: Math.exp, log: Math.log, log10: Math.log10 || function (x) { return Math.log(x) / Math.LN10; },
    sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
    abs: Math.abs, floor: Math.floor, ceiling: Math.ceil
  };

  function call(name, argNodes, env) {
    if (name === "if") {
      if (argNodes.length !== 3) return UNKNOWN;
      return evaluate(toBool(evaluate(argNodes[0], env)) ? argNodes[1] : argNodes[2], env);
    }
    if (name === "position") {
      var t = argNodes[0];
      if (!t || t[0] !== "path") return UNKNOWN;
      return position(t[1], t[2], env.ctx);
    }
    if (name === "jr:choice-name") {
      if (argNodes.length !== 2) return UNKNOWN;
      return choiceLabel(toStr(evaluate(argNodes[1], env)), toStr(evaluate(argNodes[0], env)));
    }
    var a = argNodes.map(function (n) { return evaluate(n, env); });
    var n = a.length;
    var s;
    switch (name) {
      case "true": return true;
      case "false": return false;
      case "not": return n === 1 ? !toBool(a[0]) : UNKNOWN;
      case "boolean": return n === 1 ? toBool(a[0]) : UNKNOWN;
      case "string": return n ? toStr(a[0]) : env.current;
      case "number": return n ? toNum(a[0]) : toNum(env.current);
      case "int": s = toNum(a[0]); return isFinite(s) ? (s < 0 ? Math.ceil(s) : Math.floor(s)) : s;
      case "round": return round(toNum(a[0]), n === 2 && !isNaN(toNum(a[1])) ? Math.max(-15, Math.min(15, Math.trunc(toNum(a[1])))) : 0);
      case "pow": return Math.pow(toNum(a[0]), toNum(a[1]));
      case "pi": return Math.PI;
      case "count": return a[0] instanceof NodeSet ? a[0].values.length : UNKNOWN;
      case "sum": return flat(a).reduce(function (t, v) { return t + toNum(v); }, 0);
      case "max":
      case "min":
        s = flat(a).map(toNum);
        if (!s.length || s.some(isNaN)) return NaN;
        return name === "max" ? Math.max.apply(null, s) : Math.min.apply(null, s);
      case "string-length": return (n ? toStr(a[0]) : env.current).length;
      case "concat": return flat(a).join("");
      case "contains": return toStr(a[0]).indexOf(toStr(a[1])) >= 0;
      case "starts-with": return toStr(a[0]).indexOf(toStr(a[1])) === 0;
      case "ends-with": s = toStr(a[1]); return toStr(a[0]).slice(toStr(a[0]).length - s.length) === s;
      case "substr": s = toStr(a[0]); return s.slice(Math.max(0, toNum(a[1]) || 0), n === 3 ? Math.max(0, toNum(a[2]) || 0) : s.length);
      case "normalize-space": return (n ? toStr(a[0]) : env.current).split(/\s+/).filter(Boolean).join(" ");
      case "regex":
        s = toStr(a[0]);
        if (s.length > 10000) return false;
        try { return new RegExp(toStr(a[1])).test(s); } catch (e) { return true; }
      case "selected": return toStr(a[0]).split(/\s+/).indexOf(toStr(a[1]).trim()) >= 0;
      case "count-selected": return toStr(a[0]).split(/\s+/).filter(Boolean).length;
      case "selected-at":
        s = toStr(a[0]).split(/\s+/).filter(Boolean);
        return s[Math.trunc(toNum(a[1]))] || "";
      case "coalesce": s = toStr(a[0]); return s ? s : toStr(a[1]);
      case "once": return env.current ? env.current : toStr(a[0]);
      case "today": return today();
      case "now": return new Date().toISOString();
      case "date":
        s = toStr(a[0]);
        if (DATE.test(s)) return s;
        s = toNum(a[0]);
        return isFinite(s) ? new Date(Math.floor(s) * 86400000).toISOString().slice(0, 10) : "";
      case "decimal-date-time": return toNum(a[0]);
      default:
        if (MATH[name] && n === 1) return MATH[name](toNum(a[0]));
        return UNKNOWN;
    }
  }

  function choiceLabel(ref, value) {
    var name = ref.trim().replace(/^\$\{|\}$/g, "").split("/").pop();
    var path = REFS[name];
    if (!form || path === undefined) return value;
    var blocks = form.querySelectorAll(".wf-q[data-path]");
    for (var i = 0; i < blocks.length; i++) {
      if (blocks[i].getAttribute("data-path").replace(/\[\d+\]/g, "") !== path) continue;
      var options = blocks[i].querySelectorAll("option, input[type=radio], input[type=checkbox]");
      for (var j = 0; j < options.length; j++) {
        if (options[j].value !== value) continue;
        var label = options[j].tagName === "OPTION" ? options[j] : options[j].closest("label");
        return label ? label.textContent.trim() : value;
      }
      return value;
    }
    return value;
  }

  function evaluate(node, env) {
    switch (node[0]) {
      case "num": return node[1];
      case "str": return node[1];
      case "ref": return new NodeSet(refValues(node[1], env.ctx));
      case "path":
        if (!node[1] && node[2].length === 1 && node[2][0] === ".") return new NodeSet([env.current]);
        if (env.fields && !node[1] && node[2].length === 1 && Object.prototype.hasOwnProperty.call(env.fields, node[2][0])) {
          return new NodeSet([env.fields[node[2][0]]]);
        }
        return new NodeSet(pathValues(node[1], node[2], env.ctx));
      case "neg": return -toNum(evaluate(node[1], env));
      case "union": return new NodeSet(flat([evaluate(node[1], env), evaluate(node[2], env)]));
      case "bin":
        var op = node[1];
        if (op === "or") return toBool(evaluate(node[2], env)) || toBool(evaluate(node[3], env));
        if (op === "and") return toBool(evaluate(node[2], env)) && toBool(evaluate(node[3], env));
        var a = evaluate(node[2], env), b = evaluate(node[3], env);
        if (["=", "!=", "<", ">", "<=", ">="].indexOf(op) >= 0) return compare(op, a, b);
        return arith(op, a, b);
      case "call": return call(node[1], node[2], env);
    }
    return UNKNOWN;
  }

  function run(src, ctx, current, fields) {
    src = (src || "").trim();
    if (!src) return UNKNOWN;
    var tree = parse(src);
    if (!tree) return UNKNOWN;
    try { return evaluate(tree, { ctx: ctx, current: current || "", fields: fields || null }); } catch (e) { return UNKNOWN; }
  }

  /* ---------- the filling: values by instance path ---------- */
  var values = {};
  var counts = {};
  var calcs = {};

  function splitPath(path) {
    return path.split("/").map(function (part) {
      var m = /^(.*?)(?:\[(\d+)\])?$/.exec(part);
      return { name: m[1], index: m[2] === undefined ? null : +m[2] };
    });
  }

  function expand(segs, ctx) {
    var k = 0;
    while (k < segs.length && k < ctx.length && segs[k] === ctx[k].name) k++;
    var paths = [""];
    for (var i = 0; i < segs.length; i++) {
      var schemaPath = segs.slice(0, i + 1).join("/");
      var next = [];
      for (var p = 0; p < paths.length; p++) {
        var base = paths[p] ? paths[p] + "/" + segs[i] : segs[i];
        if (REPEATS[schemaPath]) {
          if (i < k && ctx[i].index !== null) next.push(base + "[" + ctx[i].index + "]");
          else for (var j = 0; j < (counts[base] || 0); j++) next.push(base + "[" + j + "]");
        } else next.push(base);
      }
      paths = next;
    }
    return paths;
  }
  function lookup(paths) {
    return paths.map(function (p) { return Object.prototype.hasOwnProperty.call(values, p) ? values[p] : ""; });
  }
  function refValues(name, ctx) {
    var path = REFS[name];
    if (path === undefined) return [];
    return lookup(expand(path.split("/"), ctx));
  }
  function steps(absolute, list, ctx) {
    var segs = absolute ? [] : ctx.map(function (c) { return c.name; });
    var rest = list.slice();
    if (absolute) {
      if (rest[0] !== ROOT) return null;
      rest.shift();
    }
    for (var i = 0; i < rest.length; i++) {
      if (rest[i] === "..") { if (!segs.length) return null; segs.pop(); }
      else if (rest[i] !== ".") segs.push(rest[i]);
    }
    return segs;
  }
  function pathValues(absolute, list, ctx) {
    var segs = steps(absolute, list, ctx);
    return segs ? lookup(expand(segs, ctx)) : [];
  }
  function position(absolute, list, ctx) {
    var segs = steps(absolute, list, ctx);
    if (!segs || !segs.length || !REPEATS[segs.join("/")] || segs.length > ctx.length) return NaN;
    var c = ctx[segs.length - 1];
    return c && c.name === segs[segs.length - 1] && c.index !== null ? c.index + 1 : NaN;
  }

  function readBlock(block) {
    var path = block.getAttribute("data-path");
    var type = block.getAttribute("data-type");
    if (!type) return;
    if (block.classList.contains("wf-silent")) {
      var hidden = block.querySelector("input");
      values[path] = hidden ? hidden.value : (calcs[path] !== undefined ? calcs[path] : block.getAttribute("data-value") || "");
      return;
    }
    if (block.classList.contains("wf-note") || block.classList.contains("wf-unsupported")) {
      values[path] = calcs[path] !== undefined ? calcs[path] : block.getAttribute("data-value") || "";
      return;
    }
    var fields = block.querySelectorAll("[name]");
    var picked = [];
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.name !== path) continue;
      if (f.type === "radio" || f.type === "checkbox") { if (f.checked) picked.push(f.value); }
      else if (f.value.trim()) picked.push(f.value.trim());
    }
    values[path] = picked.join(" ");
  }

  function readAll() {
    values = {};
    counts = {};
    form.querySelectorAll("input[name^='_n:']").forEach(function (i) { counts[i.name.slice(3)] = +i.value || 0; });
    form.querySelectorAll("[data-type]").forEach(readBlock);
  }

  /* ---------- applying the rules ---------- */
  var relevance = new Map();
  var blocks = [];

  function contextOf(el) {
    return splitPath(el.getAttribute("data-path"));
  }
  function parentRelevant(el) {
    var parent = el.parentElement && el.parentElement.closest("[data-path]");
    return parent ? relevance.get(parent) !== false : true;
  }

  /* choice_filter: options whose columns do not match are hidden and unselected */
  function filterChoices() {
    var cleared = false;
    form.querySelectorAll(".wf-q[data-filter]").forEach(function (el) {
      var expr = el.getAttribute("data-filter");
      var ctx = contextOf(el);
      el.querySelectorAll("[data-fields]").forEach(function (opt) {
        var fields;
        try { fields = JSON.parse(opt.getAttribute("data-fields")); } catch (e) { return; }
        var keep = toBool(run(expr, ctx, "", fields));
        var holder = opt.tagName === "OPTION" ? opt : opt.closest("label") || opt;
        holder.hidden = !keep;
        if (opt.tagName === "OPTION") {
          opt.disabled = !keep;
          if (!keep && opt.selected) { opt.selected = false; opt.parentElement.value = ""; cleared = true; }
        } else if (!keep && opt.checked) {
          opt.checked = false;
          cleared = true;
        }
      });
    });
    return cleared;
  }

  function update() {
    readAll();
    if (filterChoices()) readAll();
    for (var pass = 0; pass < 3; pass++) {
      var changed = false;
      for (var i = 0; i < blocks.length; i++) {
        var el = blocks[i];
        var path = el.getAttribute("data-path");
        var ctx = contextOf(el);
        var expr = el.getAttribute("data-relevant");
        var rel = parentRelevant(el) && (!expr || toBool(run(expr, ctx)));
        relevance.set(el, rel);
        if (!el.classList.contains("wf-instance") && !el.classList.contains("wf-silent")) el.hidden = !rel;
        var calc = el.getAttribute("data-calc");
        if (calc) {
          var v = rel ? toStr(run(calc, ctx, values[path] || "")) : "";
          if (v === "NaN") v = "";
          if (calcs[path] !== v) { calcs[path] = v; changed = true; }
          values[path] = v;
          showCalc(el, v);
        } else if (!rel && el.hasAttribute("data-type")) {
          if (values[path]) changed = true;
          values[path] = "";
        }
      }
      if (!changed) break;
    }
    outputs();
    requiredMarks();
    repeatCounts();
    progress();
  }

  function showCalc(el, v) {
    var input = el.querySelector("input[name]");
    if (input && (input.readOnly || input.type === "hidden")) input.value = v;
    var out = el.querySelector("output");
    if (out) {
      out.textContent = v;
      if (out.parentElement.classList.contains("wf-value")) out.parentElement.hidden = !v;
    }
  }

  function outputs() {
    form.querySelectorAll(".wf-out[data-ref]").forEach(function (span) {
      var holder = span.closest("[data-path]");
      var ctx = holder ? contextOf(holder) : [];
      var found = refValues(span.getAttribute("data-ref"), ctx);
      span.textContent = found.length ? found[0] : "";
    });
  }

  function isRequired(el) {
    var expr = el.getAttribute("data-required");
    if (!expr) return false;
    return expr === "true()" || toBool(run(expr, contextOf(el)));
  }
  function requiredMarks() {
    form.querySelectorAll(".wf-q[data-required]").forEach(function (el) {
      var mark = el.querySelector(".wf-required");
      if (mark) mark.hidden = !isRequired(el);
    });
  }
  function repeatCounts() {
    form.querySelectorAll(".wf-repeat[data-count]").forEach(function (el) {
      var n = toNum(run(el.getAttribute("data-count"), contextOf(el)));
      n = isNaN(n) ? 0 : Math.max(0, Math.min(200, Math.trunc(n)));
      var note = el.querySelector(".wf-count-changed");
      if (note) note.hidden = relevance.get(el) === false || n === +el.getAttribute("data-rendered");
    });
  }
  function tally(root) {
    var done = 0, total = 0;
    root.querySelectorAll(".wf-q[data-type]").forEach(function (el) {
      var type = el.getAttribute("data-type");
      if (type === "note" || type === "unsupported" || el.closest("[hidden]")) return;
      total++;
      if (values[el.getAttribute("data-path")]) done++;
    });
    return [done, total];
  }
  function progress() {
    form.querySelectorAll(".wf-sections li[data-section]").forEach(function (li) {
      var section = document.getElementById(li.getAttribute("data-section"));
      if (!section) return;
      li.hidden = section.hidden;
      li.classList.toggle("wf-section-error", !!section.querySelector(".wf-q.wf-invalid:not([hidden])"));
      var n = tally(section);
      var count = li.querySelector(".wf-count");
      if (count) count.textContent = n[1] ? n[0] + "/" + n[1] : "";
    });
    var line = form.querySelector(".wf-progress");
    if (line) {
      var all = tally(form);
      line.textContent = (line.getAttribute("data-template") || "")
        .replace("{done}", all[0]).replace("{total}", all[1]);
      line.hidden = !all[1];
    }
  }

  /* ---------- checking answers ---------- */
  var TYPES = {
    integer: /^[-+]?\d{1,18}$/,
    decimal: /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/
  };
  function typeOk(type, v) {
    if (TYPES[type]) return TYPES[type].test(v);
    if (type === "geopoint") {
      var p = v.split(/\s+/).map(Number);
      return p.length >= 2 && p.length <= 4 && p.every(isFinite) && Math.abs(p[0]) <= 90 && Math.abs(p[1]) <= 180;
    }
    return true;
  }
  function showError(el, message) {
    var box = el.querySelector(".wf-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
    el.classList.toggle("wf-invalid", !!message);
    el.querySelectorAll("input, select, textarea, fieldset").forEach(function (f) {
      if (message) f.setAttribute("aria-invalid", "true");
      else f.removeAttribute("aria-invalid");
    });
  }
  function check(el, withRequired) {
    if (el.hidden || relevance.get(el) === false || !el.classList.contains("wf-q")) { showError(el, ""); return true; }
    var type = el.getAttribute("data-type");
    if (["note", "unsupported"].indexOf(type) >= 0) return true;
    var path = el.getAttribute("data-path");
    var v = values[path] || "";
    var message = "";
    if (!v) {
      if (withRequired && isRequired(el)) message = el.getAttribute("data-rmsg") || "";
    } else if (!typeOk(type, v)) {
      message = el.getAttribute("data-tmsg") || form.getAttribute("data-type-message") || "";
    } else if (el.hasAttribute("data-constraint") && !toBool(run(el.getAttribute("data-constraint"), contextOf(el), v))) {
      message = el.getAttribute("data-cmsg") || "";
    }
    showError(el, message);
    return !message;
  }

  function init() {
    blocks = Array.prototype.slice.call(form.querySelectorAll("[data-path]"));
    update();
    form.addEventListener("change", function (event) {
      update();
      var el = event.target.closest && event.target.closest(".wf-q");
      if (el) check(el, false);
      progress();
    });
    var timer = null;
    form.addEventListener("input", function (event) {
      var el = event.target.closest && event.target.closest(".wf-q");
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        update();
        if (el && el.classList.contains("wf-invalid")) check(el, false);
      }, 150);
    });
    form.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit") event.preventDefault();
    });
    var sending = false;
    window.addEventListener("pageshow", function () { sending = false; });
    form.addEventListener("submit", function (event) {
      if (sending) { event.preventDefault(); return; } /* a double click sends once */
      var submitter = event.submitter;
      if (!submitter || submitter.value !== "submit") { sending = true; return; }
      update();
      var first = null;
      form.querySelectorAll(".wf-q").forEach(function (el) {
        if (!check(el, true) && !first) first = el;
      });
      progress();
      sending = !first;
      if (first) {
        event.preventDefault();
        var focusable = first.querySelector("input:not([type=hidden]), select, textarea");
        first.scrollIntoView({ block: "center" });
        if (focusable) focusable.focus({ preventScroll: true });
      }
    });
  }

  if (typeof module === "object" && module.exports) {
    /* Node (the parity test with the server's evaluator) */
    module.exports = {
      configure: configure,
      evaluate: function (src, given, ctxPath, current, given_counts, fields) {
        values = given || {};
        counts = given_counts || {};
        var v = run(src, ctxPath ? splitPath(ctxPath) : [], current, fields);
        return v === UNKNOWN ? "UNKNOWN" : toStr(v);
      }
    };
    return;
  }
  form = document.getElementById("webform");
  var schemaNode = document.getElementById("wf-schema");
  if (!form || !schemaNode) return;
  try {
    configure(JSON.parse(schemaNode.textContent));
  } catch (e) {
    return;
  }
  init();
})();
