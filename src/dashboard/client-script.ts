/**
 * The dashboard's own browser script, served as `/assets/dashboard.js` (no build step; plain ES2020
 * that every current browser runs). It draws the risk chart with uPlot, wires copy buttons, and redraws
 * after htmx swaps. The pages work without it (forms and links are real), it only adds comfort.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';

  var COLORS = { high: '#b42318', medium: '#e29a2e', low: '#5b8fd6' };
  var charts = [];

  function fmtUtc(seconds) {
    var d = new Date(seconds * 1000);
    return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }

  function drawChart(el) {
    if (el.dataset.drawn === '1' || typeof uPlot === 'undefined') return;
    var data;
    try { data = JSON.parse(el.getAttribute('data-chart') || ''); } catch (e) { return; }
    el.dataset.drawn = '1';
    var xs = data.starts.map(function (ms) { return ms / 1000; });
    var half = (data.bucketMs || 3600000) / 2000;
    var low = data.low, medium = data.medium, high = data.high;
    // Stacked bars: draw totals first (high on top), then low+medium, then low.
    var lowMed = low.map(function (v, i) { return v + medium[i]; });
    var total = lowMed.map(function (v, i) { return v + high[i]; });
    var bars = uPlot.paths.bars({ size: [0.8, 40], gap: 1 });
    var series = [
      {},
      { label: 'high', fill: COLORS.high, stroke: COLORS.high, width: 0, paths: bars, points: { show: false } },
      { label: 'medium', fill: COLORS.medium, stroke: COLORS.medium, width: 0, paths: bars, points: { show: false } },
      { label: 'low', fill: COLORS.low, stroke: COLORS.low, width: 0, paths: bars, points: { show: false } }
    ];
    var opts = {
      width: Math.max(280, el.clientWidth),
      height: 260,
      series: series,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true, range: function (u, min, max) { return [min - half, max + half]; } }, y: { range: function (u, min, max) { return [0, Math.max(4, Math.ceil(max * 1.1))]; } } },
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      axes: [
        { stroke: '#5b6676', grid: { stroke: '#eef0f4' }, ticks: { stroke: '#dfe3ea' } },
        { stroke: '#5b6676', grid: { stroke: '#eef0f4' }, ticks: { stroke: '#dfe3ea' }, size: 44,
          values: function (u, vals) { return vals.map(function (v) { return Number.isInteger(v) ? String(v) : ''; }); } }
      ],
      hooks: {
        setCursor: [function (u) {
          var out = el.parentNode && el.parentNode.querySelector('[data-chart-readout]');
          if (!out) return;
          var i = u.cursor.idx;
          if (i == null) { out.textContent = ''; return; }
          out.textContent = fmtUtc(xs[i]) + ': ' + high[i] + ' high, ' + medium[i] + ' medium, ' + low[i] + ' low';
        }]
      }
    };
    var plot = new uPlot(opts, [xs, total, lowMed, low], el);
    charts.push({ el: el, plot: plot });
  }

  function resizeCharts() {
    charts = charts.filter(function (c) { return document.body.contains(c.el); });
    charts.forEach(function (c) { c.plot.setSize({ width: Math.max(280, c.el.clientWidth), height: 260 }); });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var els = scope.querySelectorAll('[data-chart]');
    for (var i = 0; i < els.length; i++) drawChart(els[i]);
  }

  function announce(button, text) {
    var status = document.getElementById(button.getAttribute('aria-describedby') || '');
    if (status) status.textContent = text;
    var label = button.getAttribute('data-label') || button.textContent;
    button.setAttribute('data-label', label);
    button.textContent = text;
    setTimeout(function () { button.textContent = label; }, 1800);
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest('[data-copy]') : null;
    if (!button) return;
    event.preventDefault();
    var input = document.getElementById(button.getAttribute('data-copy'));
    if (!input) return;
    var text = input.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { announce(button, 'Copied'); },
        function () { input.select(); announce(button, 'Press Ctrl+C'); });
    } else {
      input.focus();
      input.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      announce(button, ok ? 'Copied' : 'Press Ctrl+C');
    }
  });

  document.addEventListener('DOMContentLoaded', function () { init(document); });
  document.addEventListener('htmx:afterSettle', function (event) { init(event.target); });
  var pending;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(resizeCharts, 150);
  });
})();
`;
