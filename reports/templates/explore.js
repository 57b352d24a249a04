// cusp explorer: renders the embedded results; every string goes in through textContent.
"use strict";
(function () {
  var DATA = JSON.parse(document.getElementById("cusp-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var COLORS = ["#0b5cad", "#b42318", "#1a7f37", "#8250df", "#bc4c00", "#0a7ea4", "#cf222e", "#4d2d00", "#6e7781",
                "#116329", "#953800", "#3e1f79"];

  // ------------------------------------------------------------------ helpers
  function $(id) { return document.getElementById(id); }
  function svg(tag, attrs, parent) {
    var node = document.createElementNS(SVGNS, tag);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { node.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function text(parent, x, y, s, attrs) {
    var node = svg("text", Object.assign({x: x, y: y}, attrs || {}), parent);
    node.textContent = s;
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function fmt(v, digits) {
    if (v === null || v === undefined) { return "\u221e"; }
    if (v === 0) { return "0"; }
    var d = digits || 4;
    var a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) { return v.toExponential(d - 1); }
    return String(Number(v.toPrecision(d)));
  }
  function setValue(id, shown, value) {
    var node = $(id);
    node.textContent = shown;
    node.setAttribute("data-value", String(value));
  }
  function cell(row, s, cls) {
    var td = document.createElement("td");
    td.textContent = s;
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }
  // a slider over a grid min + k * step (k = 0 .. n-1): its value's grid index
  function gridIndex(slider, min, step, n) {
    var k = Math.round((parseFloat(slider.value) - min) / step);
    return Math.max(0, Math.min(n - 1, k));
  }
  function setupSlider(slider, min, step, n, k) {
    slider.min = String(min);
    slider.max = String(Number((min + (n - 1) * step).toFixed(10)));
    slider.step = String(step);
    slider.value = String(Number((min + k * step).toFixed(10)));
  }
  function scaler(d0, d1, r0, r1) {
    return function (v) { return r0 + (v - d0) / (d1 - d0) * (r1 - r0); };
  }
  function niceTicks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) { return [lo]; }
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var err = span / count / step;
    if (err >= 7.5) { step *= 10; } else if (err >= 3.5) { step *= 5; } else if (err >= 1.5) { step *= 2; }
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) { out.push(Number(v.toPrecision(12))); }
    return out;
  }
  function frame(node, width, height) {
    clear(node);
    node.setAttribute("viewBox", "0 0 " + width + " " + height);
    return node;
  }
  function xAxis(node, sx, ticks, y, label, width) {
    ticks.forEach(function (t) {
      svg("line", {x1: sx(t), x2: sx(t), y1: 20, y2: y, "class": "grid"}, node);
      text(node, sx(t), y + 14, fmt(t, 3), {"text-anchor": "middle"});
    });
    svg("line", {x1: sx(ticks[0]), x2: sx(ticks[ticks.length - 1]), y1: y, y2: y, "class": "axis"}, node);
    text(node, width / 2, y + 30, label, {"text-anchor": "middle"});
  }

  // ------------------------------------------------------------------ panel 1: prior scale
  var FEATURES = DATA.features;
  var P = FEATURES.length;
  var priorSelect = $("prior");
  var scaleSlider = $("scale");
  var priorsByKey = {};
  DATA.priors.forEach(function (p) { priorsByKey[p.key] = p; });

  function currentPrior() { return priorsByKey[priorSelect.value]; }
  function scaleIndex(pr) { return gridIndex(scaleSlider, pr.log10_min, pr.log10_step, pr.log10_scales.length); }

  function nearestSampled(pr, k) {
    var post = pr.posterior;
    if (!post.index.length) { return -1; }
    var best = 0;
    post.index.forEach(function (idx, i) { if (Math.abs(idx - k) < Math.abs(post.index[best] - k)) { best = i; } });
    return best;
  }

  function coefRange(pr) {
    var m = 0;
    pr.coef.forEach(function (row) { row.forEach(function (v) { m = Math.max(m, Math.abs(v)); }); });
    if (pr.posterior.q05) {
      pr.posterior.q05.forEach(function (row) { row.forEach(function (v) { m = Math.max(m, Math.abs(v)); }); });
      pr.posterior.q95.forEach(function (row) { row.forEach(function (v) { m = Math.max(m, Math.abs(v)); }); });
    }
    return m > 0 ? 1.05 * m : 1;
  }

  function drawCoefChart(pr, k, s) {
    var W = 560, rowH = 24, top = 20, H = top + P * rowH + 44, left = 120, right = W - 16;
    var node = frame($("coef-chart"), W, H);
    var m = coefRange(pr);
    var sx = scaler(-m, m, left, right);
    xAxis(node, sx, niceTicks(-m, m, 6), top + P * rowH + 4, "coefficient", W);
    svg("line", {x1: sx(0), x2: sx(0), y1: top - 6, y2: top + P * rowH, stroke: "#57606a", "stroke-dasharray": "3 3"}, node);
    FEATURES.forEach(function (name, j) {
      var y = top + j * rowH + rowH / 2;
      text(node, left - 8, y + 4, name, {"text-anchor": "end"});
      if (s >= 0) {
        var post = pr.posterior;
        svg("line", {x1: sx(post.q05[s][j]), x2: sx(post.q95[s][j]), y1: y, y2: y, stroke: "#8c959f", "stroke-width": 3}, node);
        var mx = sx(post.mean[s][j]);
        svg("path", {d: "M" + mx + " " + (y - 6) + "l6 6l-6 6l-6 -6z", fill: "#6e7781"}, node);
      }
      var v = pr.coef[k][j];
      if (v === 0) {
        svg("circle", {cx: sx(0), cy: y, r: 6, fill: "#fff", stroke: "#b42318", "stroke-width": 2.5}, node);
        text(node, sx(0) + 10, y - 6, "0.0", {fill: "#b42318", "font-weight": "700"});
      } else {
        svg("circle", {cx: sx(v), cy: y, r: 5, fill: "#0b5cad"}, node);
      }
    });
  }

  function drawCertChart(pr, k) {
    var W = 560, rowH = 24, top = 20, H = top + P * rowH + 44, left = 120, right = W - 16;
    var node = frame($("cert-chart"), W, H);
    var slope = pr.slope[k], thr = pr.threshold[k];
    var m = 0;
    slope.forEach(function (v) { m = Math.max(m, Math.abs(v)); });
    if (thr !== null) { m = Math.max(m, thr); }
    m = m > 0 ? 1.15 * m : 1;
    var sx = scaler(-m, m, left, right);
    if (thr === null) {
      svg("rect", {x: left, y: top - 6, width: right - left, height: P * rowH + 6, fill: "#e7f0fa"}, node);
      text(node, right - 4, top - 8, "threshold \u221e: 0 is a local MAP of every coefficient", {"text-anchor": "end"});
    } else if (thr > 0) {
      svg("rect", {x: sx(-thr), y: top - 6, width: sx(thr) - sx(-thr), height: P * rowH + 6, fill: "#e7f0fa"}, node);
      text(node, sx(thr), top - 8, "\u00b1 threshold " + fmt(thr), {"text-anchor": "middle"});
    } else {
      text(node, right - 4, top - 8, "threshold 0 (smooth prior): a zero needs a slope of exactly 0", {"text-anchor": "end"});
    }
    xAxis(node, sx, niceTicks(-m, m, 6), top + P * rowH + 4, "slope of the negative log-likelihood", W);
    svg("line", {x1: sx(0), x2: sx(0), y1: top - 6, y2: top + P * rowH, stroke: "#57606a", "stroke-dasharray": "3 3"}, node);
    FEATURES.forEach(function (name, j) {
      var y = top + j * rowH + rowH / 2;
      text(node, left - 8, y + 4, name, {"text-anchor": "end"});
      var zero = pr.coef[k][j] === 0;
      svg("circle", {cx: sx(slope[j]), cy: y, r: zero ? 6 : 4, fill: zero ? "#fff" : "#0b5cad",
                     stroke: zero ? "#b42318" : "none", "stroke-width": 2.5}, node);
    });
  }

  function drawPathChart(pr, k) {
    var W = 1120, H = 300, left = 60, right = W - 130, top = 16, bottom = H - 40;
    var node = frame($("path-chart"), W, H);
    var xs = pr.log10_scales;
    var m = 0;
    pr.coef.forEach(function (row) { row.forEach(function (v) { m = Math.max(m, Math.abs(v)); }); });
    m = m > 0 ? 1.05 * m : 1;
    var sx = scaler(xs[0], xs[xs.length - 1], left, right), sy = scaler(-m, m, bottom, top);
    niceTicks(-m, m, 5).forEach(function (t) {
      svg("line", {x1: left, x2: right, y1: sy(t), y2: sy(t), "class": "grid"}, node);
      text(node, left - 6, sy(t) + 4, fmt(t, 3), {"text-anchor": "end"});
    });
    xAxis(node, sx, niceTicks(xs[0], xs[xs.length - 1], 8), bottom, "log10 " + pr.symbol, W - 130 + 60);
    FEATURES.forEach(function (name, j) {
      var d = "";
      for (var i = 0; i < xs.length; i++) { d += (i ? "L" : "M") + sx(xs[i]).toFixed(1) + " " + sy(pr.coef[i][j]).toFixed(1); }
      svg("path", {d: d, fill: "none", stroke: COLORS[j % COLORS.length], "stroke-width": 1.6}, node);
      text(node, right + 6, sy(pr.coef[xs.length - 1][j]) + 4, name, {fill: COLORS[j % COLORS.length]});
    });
    svg("line", {x1: sx(xs[k]), x2: sx(xs[k]), y1: top, y2: bottom, stroke: "#b42318", "stroke-width": 1.5}, node);
  }

  function fillCoefTable(pr, k, s) {
    var body = $("coef-table").tBodies[0];
    clear(body);
    var thr = pr.threshold[k];
    FEATURES.forEach(function (name, j) {
      var row = document.createElement("tr");
      var v = pr.coef[k][j], zero = v === 0;
      if (zero) { row.className = "zero"; }
      cell(row, name);
      var c = cell(row, zero ? "0.0 (exact)" : fmt(v, 5), "num" + (zero ? " exact" : ""));
      c.setAttribute("data-value", String(v));
      cell(row, fmt(pr.slope[k][j], 5), "num");
      cell(row, thr === null ? "\u221e" : fmt(thr, 5), "num");
      var inside = thr === null || Math.abs(pr.slope[k][j]) <= thr;
      cell(row, zero ? (thr === null ? "0 is a local MAP (pole or cusp at 0)" : "|slope| \u2264 threshold: certified zero")
                     : (inside && thr !== null && thr > 0 ? "non-zero; slope = \u00b1threshold" : "non-zero"));
      if (s >= 0) {
        cell(row, fmt(pr.posterior.mean[s][j], 4), "num");
        cell(row, "[" + fmt(pr.posterior.q05[s][j], 3) + ", " + fmt(pr.posterior.q95[s][j], 3) + "]", "num");
      } else {
        cell(row, "not sampled", "num muted");
        cell(row, "", "num");
      }
      body.appendChild(row);
    });
  }

  function updateScale() {
    var pr = currentPrior();
    var k = scaleIndex(pr);
    var scale = pr.scales[k];
    setValue("scale-value", pr.symbol + " = " + fmt(scale, 5) + " (log10 = " + pr.log10_scales[k].toFixed(3) + ")", scale);
    $("scale-value").setAttribute("data-index", String(k));
    setValue("n-zeros", String(pr.n_zeros[k]), pr.n_zeros[k]);
    $("n-features").textContent = "of " + P;
    setValue("objective", fmt(pr.objective[k], 7), pr.objective[k]);
    $("map-kind").textContent = pr.map_kind + (pr.converged[k] ? ", certificate holds" : ", NOT converged: not certified");
    $("threshold").textContent = "zero threshold: " + (pr.threshold[k] === null ? "\u221e" : fmt(pr.threshold[k], 5));
    var s = nearestSampled(pr, k);
    var note = $("posterior-note");
    if (s >= 0) {
      var post = pr.posterior, idx = post.index[s];
      note.textContent = "Posterior (" + post.sampler + ", " + post.chains + " chains \u00d7 " + post.draws + " draws) at "
        + pr.symbol + " = " + fmt(pr.scales[idx], 5) + ", the sampled scale nearest the slider" + (idx === k ? " (this one)" : "")
        + ": smallest bulk ESS " + Math.round(post.min_ess[s])
        + (post.max_rhat[s] === null ? ", r_hat not available (one chain)" : ", largest r_hat " + post.max_rhat[s].toFixed(3))
        + (post.max_rhat[s] > 1.01 ? " (above 1.01: treat these summaries with caution)" : "")
        + ". Posterior draws are never exactly 0 under a continuous prior; the MAP's zeros are a different question.";
    } else {
      note.textContent = "Posterior: " + pr.posterior.reason + ".";
    }
    drawCoefChart(pr, k, s);
    drawCertChart(pr, k);
    drawPathChart(pr, k);
    fillCoefTable(pr, k, s);
  }

  function selectPrior(keepFraction) {
    var pr = currentPrior();
    var n = pr.log10_scales.length;
    setupSlider(scaleSlider, pr.log10_min, pr.log10_step, n, Math.round(keepFraction * (n - 1)));
    updateScale();
  }

  priorSelect.addEventListener("change", function () {
    var old = scaleSlider.max > scaleSlider.min
      ? (parseFloat(scaleSlider.value) - parseFloat(scaleSlider.min)) / (parseFloat(scaleSlider.max) - parseFloat(scaleSlider.min)) : 0.5;
    selectPrior(old);
  });
  scaleSlider.addEventListener("input", updateScale);
  selectPrior(0.35);

  // ------------------------------------------------------------------ panel 2: concentration
  var C = DATA.concentration;
  var concSlider = $("concentration");
  setupSlider(concSlider, C.log10_min, C.log10_step, C.log10_factor.length, 0);

  function updateConcentration() {
    var k = gridIndex(concSlider, C.log10_min, C.log10_step, C.log10_factor.length);
    var factor = Math.pow(10, C.log10_factor[k]);
    $("concentration-value").textContent = fmt(factor, 4) + "\u00d7 the Laplace's density at 0 (Gaussian s = "
      + fmt(C.gaussian_scale[k], 4) + ")";
    $("concentration-value").setAttribute("data-index", String(k));
    setValue("gauss-n-zeros", String(C.n_zeros[k]), C.n_zeros[k]);
    setValue("gauss-min-abs", fmt(C.min_abs[k], 4), C.min_abs[k]);
    setValue("laplace-n-zeros", String(C.laplace_n_zeros), C.laplace_n_zeros);
    $("laplace-ref").textContent = "(Laplace b = " + fmt(C.laplace_b, 4) + ")";
    var W = 1120, rowH = 22, top = 14, H = top + P * rowH + 44, left = 120, right = W - 20;
    var node = frame($("concentration-chart"), W, H);
    var lo = Infinity, hi = 0;
    C.coef.forEach(function (row) { row.forEach(function (v) { var a = Math.abs(v); if (a > 0) { lo = Math.min(lo, a); hi = Math.max(hi, a); } }); });
    C.laplace_coef.forEach(function (v) { var a = Math.abs(v); if (a > 0) { lo = Math.min(lo, a); hi = Math.max(hi, a); } });
    var l0 = Math.floor(Math.log10(lo)) - 0.5, l1 = Math.ceil(Math.log10(hi));
    var sx = scaler(l0, l1, left + 40, right);
    var ticks = [];
    for (var t = Math.ceil(l0); t <= l1; t += Math.max(1, Math.round((l1 - l0) / 10))) { ticks.push(t); }
    ticks.forEach(function (t) {
      svg("line", {x1: sx(t), x2: sx(t), y1: top, y2: top + P * rowH, "class": "grid"}, node);
      text(node, sx(t), top + P * rowH + 16, "1e" + t, {"text-anchor": "middle"});
    });
    text(node, left + 20, top + P * rowH + 16, "0.0", {"text-anchor": "middle", fill: "#b42318"});
    text(node, (left + right) / 2, top + P * rowH + 34, "|coefficient| (log scale; exact zeros at the left edge)", {"text-anchor": "middle"});
    FEATURES.forEach(function (name, j) {
      var y = top + j * rowH + rowH / 2;
      text(node, left - 8, y + 4, name, {"text-anchor": "end"});
      var g = Math.abs(C.coef[k][j]);
      svg("circle", {cx: g > 0 ? sx(Math.log10(g)) : left + 20, cy: y - 3, r: 5, fill: "#0b5cad"}, node);
      var a = Math.abs(C.laplace_coef[j]);
      if (a > 0) {
        svg("rect", {x: sx(Math.log10(a)) - 4, y: y + 1, width: 8, height: 8, fill: "#b42318"}, node);
      } else {
        svg("rect", {x: left + 16, y: y + 1, width: 8, height: 8, fill: "#fff", stroke: "#b42318", "stroke-width": 2}, node);
      }
    });
  }
  concSlider.addEventListener("input", updateConcentration);
  updateConcentration();

  // ------------------------------------------------------------------ panel 3: normal means
  var NM = DATA.normal_means;
  var nmY = $("nm-y"), nmB = $("nm-b");
  var NM_KEYS = ["laplace", "gaussian", "horseshoe"];
  var NM_COLORS = {laplace: "#b42318", gaussian: "#0b5cad", horseshoe: "#1a7f37"};
  setupSlider(nmY, NM.y[0], NM.y_step, NM.y.length, Math.round(0.62 * (NM.y.length - 1)));
  setupSlider(nmB, NM.log10_b[0], NM.log10_b_step, NM.log10_b.length, Math.round((NM.log10_b.length - 1) / 2));
  (function () {
    var body = $("nm-table").tBodies[0];
    NM_KEYS.forEach(function (key) {
      var row = document.createElement("tr");
      cell(row, NM.priors[key].label);
      ["map", "mean", "median"].forEach(function (stat) { cell(row, "", "num").id = "nm-" + key + "-" + stat; });
      cell(row, NM.priors[key].method, "small muted");
      body.appendChild(row);
    });
  })();

  function updateNormalMeans() {
    var i = gridIndex(nmY, NM.y[0], NM.y_step, NM.y.length);
    var r = gridIndex(nmB, NM.log10_b[0], NM.log10_b_step, NM.log10_b.length);
    var b = Math.pow(10, NM.log10_b[r]);
    setValue("nm-y-value", "y = " + fmt(NM.y[i], 3), NM.y[i]);
    setValue("nm-b-value", "b = " + fmt(b, 4) + " (dead zone |y| \u2264 " + fmt(NM.dead_zone[r], 4) + ")", b);
    NM_KEYS.forEach(function (key) {
      ["map", "mean", "median"].forEach(function (stat) {
        var v = NM.priors[key][stat][r][i];
        var node = $("nm-" + key + "-" + stat);
        node.textContent = v === 0 ? "0.0 (exact)" : fmt(v, 6);
        node.className = "num" + (v === 0 ? " exact" : "");
        node.setAttribute("data-value", String(v));
      });
    });
    var W = 1120, H = 320, left = 50, right = W - 20, top = 14, bottom = H - 40;
    var node = frame($("nm-chart"), W, H);
    var ys = NM.y, sx = scaler(ys[0], ys[ys.length - 1], left, right), sy = scaler(ys[0], ys[ys.length - 1], bottom, top);
    var dz = NM.dead_zone[r];
    svg("rect", {x: sx(Math.max(-dz, ys[0])), y: top, width: sx(Math.min(dz, ys[ys.length - 1])) - sx(Math.max(-dz, ys[0])),
                 height: bottom - top, fill: "#fdecea"}, node);
    text(node, sx(0), top + 14, "Laplace dead zone: MAP = 0", {"text-anchor": "middle", fill: "#b42318"});
    niceTicks(ys[0], ys[ys.length - 1], 10).forEach(function (t) {
      svg("line", {x1: left, x2: right, y1: sy(t), y2: sy(t), "class": "grid"}, node);
      text(node, left - 6, sy(t) + 4, fmt(t, 3), {"text-anchor": "end"});
    });
    xAxis(node, sx, niceTicks(ys[0], ys[ys.length - 1], 10), bottom, "observation y", W);
    var dash = {map: "", mean: "7 4", median: "2 3"};
    NM_KEYS.forEach(function (key) {
      ["map", "mean", "median"].forEach(function (stat) {
        var row = NM.priors[key][stat][r], d = "";
        for (var j = 0; j < ys.length; j++) { d += (j ? "L" : "M") + sx(ys[j]).toFixed(1) + " " + sy(row[j]).toFixed(1); }
        svg("path", {d: d, fill: "none", stroke: NM_COLORS[key], "stroke-width": stat === "map" ? 2.2 : 1.6,
                     "stroke-dasharray": dash[stat]}, node);
      });
      svg("circle", {cx: sx(ys[i]), cy: sy(NM.priors[key].map[r][i]), r: 5, fill: NM_COLORS[key]}, node);
    });
    svg("line", {x1: sx(ys[i]), x2: sx(ys[i]), y1: top, y2: bottom, stroke: "#57606a", "stroke-dasharray": "3 3"}, node);
    var legendY = top + 30;
    NM_KEYS.forEach(function (key, j) {
      text(node, left + 12, legendY + 16 * j, NM.priors[key].label, {fill: NM_COLORS[key]});
    });
  }
  nmY.addEventListener("input", updateNormalMeans);
  nmB.addEventListener("input", updateNormalMeans);
  updateNormalMeans();

  // ------------------------------------------------------------------ panel 4: geometry (closed forms, in the browser)
  // The solutions of y = a x + c through one point are the line c = y - a x.  The smallest
  // Lp ball touching it: L2 at the projection of 0; L1 and L0.5 at a kink of the norm along
  // the line, a = 0 or c = 0, whichever is smaller (both, or the segment between, when |x| = 1).
  function touchL2(x, y) {
    var d = 1 + x * x;
    return {kind: "unique", points: [[x * y / d, y / d]], norm: Math.abs(y) / Math.sqrt(d)};
  }
  function touchKinks(x, y, p) {
    if (y === 0) { return {kind: "unique", points: [[0, 0]], norm: 0}; }
    var ax = Math.abs(x);
    if (ax < 1) { return {kind: "corner", points: [[0, y]], norm: Math.abs(y)}; }
    if (ax > 1) { return {kind: "corner", points: [[y / x, 0]], norm: Math.abs(y / x)}; }
    return {kind: p === 1 ? "face" : "two corners", points: [[0, y], [y / x, 0]], norm: Math.abs(y)};
  }
  function geometry(x, y) {
    return {l1: touchKinks(x, y, 1), l2: touchL2(x, y), l05: touchKinks(x, y, 0.5)};
  }
  function describeTouch(t) {
    var pts = t.points.map(function (q) { return "(" + fmt(q[0], 6) + ", " + fmt(q[1], 6) + ")"; });
    if (t.kind === "face") { return "every point of the segment from " + pts[0] + " to " + pts[1] + " (the line lies along a face)"; }
    if (t.kind === "two corners") { return "two corners, " + pts[0] + " and " + pts[1] + " (a tie)"; }
    return pts[0] + (t.kind === "corner" ? ", a corner: one coefficient is exactly 0" : "");
  }
  var geoX = $("geo-x"), geoY = $("geo-y");
  var DATA_RANGE = 12;

  function ballPath(p, r, sx, sy) {
    var d = "";
    for (var i = 0; i <= 240; i++) {
      var th = 2 * Math.PI * i / 240, c = Math.cos(th), s = Math.sin(th), a, b;
      if (p === 2) { a = r * c; b = r * s; } else if (p === 1) {
        var n = Math.abs(c) + Math.abs(s); a = r * c / n; b = r * s / n;
      } else { a = r * Math.sign(c) * Math.pow(c, 4); b = r * Math.sign(s) * Math.pow(s, 4); }
      d += (i ? "L" : "M") + sx(a).toFixed(2) + " " + sy(b).toFixed(2);
    }
    return d + "Z";
  }

  function updateGeometry() {
    var x = parseFloat(geoX.value), y = parseFloat(geoY.value);
    if (!isFinite(x) || !isFinite(y)) { return; }
    var g = geometry(x, y);
    [["geo-l1", g.l1], ["geo-l2", g.l2], ["geo-l05", g.l05]].forEach(function (pair) {
      var node = $(pair[0]), t = pair[1];
      node.textContent = describeTouch(t);
      node.setAttribute("data-kind", t.kind);
      node.setAttribute("data-a", String(t.points[0][0]));
      node.setAttribute("data-c", String(t.points[0][1]));
      node.setAttribute("data-points", JSON.stringify(t.points));
      setValue(pair[0] + "-norm", fmt(t.norm, 6), t.norm);
    });
    // data space: the point, draggable
    var D = frame($("geo-data"), 360, 360);
    var dx = scaler(-DATA_RANGE, DATA_RANGE, 20, 340), dy = scaler(-DATA_RANGE, DATA_RANGE, 340, 20);
    svg("line", {x1: 20, x2: 340, y1: dy(0), y2: dy(0), "class": "axis"}, D);
    svg("line", {x1: dx(0), x2: dx(0), y1: 20, y2: 340, "class": "axis"}, D);
    text(D, 336, dy(0) - 6, "x", {"text-anchor": "end"});
    text(D, dx(0) + 6, 30, "y");
    var cx = dx(Math.max(-DATA_RANGE, Math.min(DATA_RANGE, x))), cy = dy(Math.max(-DATA_RANGE, Math.min(DATA_RANGE, y)));
    svg("circle", {id: "geo-point", cx: cx, cy: cy, r: 9, fill: "#0b5cad", stroke: "#fff", "stroke-width": 2, style: "cursor: grab"}, D);
    text(D, 24, 352, "(" + fmt(x, 4) + ", " + fmt(y, 4) + ")" + (Math.abs(x) > DATA_RANGE || Math.abs(y) > DATA_RANGE ? " (outside the view)" : ""));
    // (a, c) space
    var G = frame($("geo-chart"), 520, 520);
    var extent = 1e-9;
    [g.l1, g.l2, g.l05].forEach(function (t) {
      t.points.forEach(function (q) { extent = Math.max(extent, Math.abs(q[0]), Math.abs(q[1])); });
    });
    extent *= 1.6;
    var sa = scaler(-extent, extent, 30, 500), sc = scaler(-extent, extent, 500, 30);
    svg("line", {x1: 30, x2: 500, y1: sc(0), y2: sc(0), "class": "axis"}, G);
    svg("line", {x1: sa(0), x2: sa(0), y1: 30, y2: 500, "class": "axis"}, G);
    text(G, 496, sc(0) - 6, "a (slope)", {"text-anchor": "end"});
    text(G, sa(0) + 6, 42, "c (intercept)");
    var balls = [[1, g.l1.norm, "#b42318"], [2, g.l2.norm, "#0b5cad"], [0.5, g.l05.norm, "#1a7f37"]];
    balls.forEach(function (bp) {
      if (bp[1] > 0) { svg("path", {d: ballPath(bp[0], bp[1], sa, sc), fill: "none", stroke: bp[2], "stroke-width": 1.8}, G); }
    });
    // the line c = y - a x across the view (or a = y / ... when x is huge: sample it)
    var a0 = -extent, a1 = extent;
    svg("line", {x1: sa(a0), y1: sc(y - a0 * x), x2: sa(a1), y2: sc(y - a1 * x), stroke: "#1f2328", "stroke-width": 2}, G);
    if (g.l1.kind === "face") {
      svg("line", {x1: sa(g.l1.points[0][0]), y1: sc(g.l1.points[0][1]), x2: sa(g.l1.points[1][0]), y2: sc(g.l1.points[1][1]),
                   stroke: "#b42318", "stroke-width": 6, "stroke-opacity": 0.45}, G);
    }
    [[g.l1, "#b42318"], [g.l2, "#0b5cad"], [g.l05, "#1a7f37"]].forEach(function (pair) {
      pair[0].points.forEach(function (q) { svg("circle", {cx: sa(q[0]), cy: sc(q[1]), r: 5, fill: pair[1]}, G); });
    });
  }
  geoX.addEventListener("input", updateGeometry);
  geoY.addEventListener("input", updateGeometry);
  DATA.geometry.examples.forEach(function (ex, i) {
    $("geo-example-" + i).addEventListener("click", function () {
      geoX.value = String(ex[0]); geoY.value = String(ex[1]); updateGeometry();
    });
  });
  var dragging = false;
  function dragTo(evt) {
    var box = $("geo-data").getBoundingClientRect();
    var ux = (evt.clientX - box.left) / box.width * 360, uy = (evt.clientY - box.top) / box.height * 360;
    var x = (ux - 20) / 320 * 2 * DATA_RANGE - DATA_RANGE, y = DATA_RANGE - (uy - 20) / 320 * 2 * DATA_RANGE;
    geoX.value = String(Math.round(x * 100) / 100);
    geoY.value = String(Math.round(y * 100) / 100);
    updateGeometry();
  }
  $("geo-data").addEventListener("pointerdown", function (evt) { dragging = true; dragTo(evt); });
  window.addEventListener("pointermove", function (evt) { if (dragging) { dragTo(evt); } });
  window.addEventListener("pointerup", function () { dragging = false; });
  updateGeometry();
  document.body.setAttribute("data-ready", "true");
})();
