// latentwatch dashboard: polls /api/dashboard every second and updates the figures and the Chart.js charts in place.
(function () {
  'use strict';
  const POLL_MS = 1000;
  const HISTORY = 120; // points kept on the time charts (two minutes)
  const COLORS = { scored: '#2f6fdf', received: '#7aa7f0', dead: '#8a8f9c', WARNING: '#e09a1a', CRITICAL: '#d0242e',
    p50: '#2f9e5a', p99: '#8c4fd1', normal: '#7aa7f0' };

  const fmt = new Intl.NumberFormat('en-US');
  const $ = (id) => document.getElementById(id);

  function lineChart(id, datasets, yTitle) {
    return new Chart($(id), {
      type: 'line',
      data: { labels: [], datasets: datasets.map(d => ({ label: d.label, data: [], borderColor: d.color,
        backgroundColor: d.color, pointRadius: 0, borderWidth: 2, tension: 0.2 })) },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, title: { display: true, text: yTitle } } },
        plugins: { legend: { position: 'bottom' } } }
    });
  }

  // Draws the warning and critical thresholds on the score histogram: each is a bucket bound, so its line sits
  // between the bar that ends at it and the next one.
  const thresholdLines = {
    id: 'thresholdLines',
    afterDatasetsDraw(chart) {
      const marks = chart.options.plugins.thresholdLines && chart.options.plugins.thresholdLines.marks;
      if (!marks) return;
      const { ctx, chartArea, scales: { x } } = chart;
      ctx.save();
      for (const m of marks) {
        if (m.index < 0) continue;
        const xPos = (x.getPixelForValue(m.index) + x.getPixelForValue(m.index + 1)) / 2;
        ctx.strokeStyle = m.color;
        ctx.lineWidth = 2;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(xPos, chartArea.top);
        ctx.lineTo(xPos, chartArea.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = m.color;
        ctx.font = '12px system-ui, sans-serif';
        ctx.fillText(m.label, xPos + 4, chartArea.top + 12 + 14 * m.row);
      }
      ctx.restore();
    }
  };

  const throughput = lineChart('chart-throughput', [
    { label: 'scored', color: COLORS.scored }, { label: 'received', color: COLORS.received },
    { label: 'dead-lettered', color: COLORS.dead }], 'records/s');
  const latency = lineChart('chart-latency', [
    { label: 'p50', color: COLORS.p50 }, { label: 'p99', color: COLORS.p99 }], 'ms');
  const alertRate = lineChart('chart-alerts', [
    { label: 'WARNING', color: COLORS.WARNING }, { label: 'CRITICAL', color: COLORS.CRITICAL }], 'alerts/s');
  const scores = new Chart($('chart-scores'), {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'records', data: [], backgroundColor: [] }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'score (bucket upper bound)' } },
        y: { type: 'logarithmic', title: { display: true, text: 'records (log)' } } },
      plugins: { legend: { display: false }, thresholdLines: { marks: [] } } },
    plugins: [thresholdLines]
  });

  let previous = null;

  function push(chart, label, values) {
    chart.data.labels.push(label);
    values.forEach((v, i) => chart.data.datasets[i].data.push(v));
    if (chart.data.labels.length > HISTORY) {
      chart.data.labels.shift();
      chart.data.datasets.forEach(d => d.data.shift());
    }
    chart.update('none');
  }

  function num(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    return digits === undefined ? fmt.format(v) : Number(v).toPrecision(digits);
  }

  function render(d) {
    const t = d.totals;
    const alerts = t.alerts || {};
    $('model-id').textContent = d.model.id || '–';
    $('model-version').textContent = d.model.version || '–';
    $('model-provider').textContent = d.model.executionProvider || '–';
    $('threshold-warning').textContent = num(d.thresholds.warning, 4);
    $('threshold-critical').textContent = num(d.thresholds.critical, 4);
    const state = $('streams-state');
    state.textContent = d.state;
    state.className = 'badge ' + d.state;
    $('total-received').textContent = num(t.received);
    $('total-scored').textContent = num(t.scored);
    $('total-dead-lettered').textContent = num(t.deadLettered);
    $('alerts-warning').textContent = num(alerts.WARNING || 0);
    $('alerts-critical').textContent = num(alerts.CRITICAL || 0);
    $('latency-p50').textContent = num(d.scoringLatencyMs.p50, 3);
    $('latency-p99').textContent = num(d.scoringLatencyMs.p99, 3);
    $('consumer-lag').textContent = num(d.consumerLag);
    const label = new Date(d.time).toLocaleTimeString('en-GB');
    $('last-update').textContent = label;

    if (previous) {
      const dt = Math.max(1e-3, (d.time - previous.time) / 1000);
      const rate = (now, before) => Math.max(0, (now - before) / dt);
      const p = previous.totals;
      const scoredRate = rate(t.scored, p.scored);
      $('throughput').textContent = num(Math.round(scoredRate));
      push(throughput, label, [scoredRate, rate(t.received, p.received), rate(t.deadLettered, p.deadLettered)]);
      push(alertRate, label, [rate(alerts.WARNING || 0, (p.alerts || {}).WARNING || 0),
        rate(alerts.CRITICAL || 0, (p.alerts || {}).CRITICAL || 0)]);
    }
    push(latency, label, [d.scoringLatencyMs.p50 || 0, d.scoringLatencyMs.p99 || 0]);
    renderHistogram(d);
    renderAlerts(d.latestAlerts);
    previous = d;
  }

  function renderHistogram(d) {
    const h = d.scoreHistogram;
    const labels = [], counts = [], colors = [];
    let below = 0;
    for (const b of h.buckets) {
      labels.push('≤ ' + Number(b.le).toPrecision(3));
      counts.push(b.cumulative - below);
      below = b.cumulative;
      colors.push(b.le <= h.warning ? COLORS.normal : b.le <= h.critical ? COLORS.WARNING : COLORS.CRITICAL);
    }
    if (h.buckets.length) {
      labels.push('> ' + Number(h.buckets[h.buckets.length - 1].le).toPrecision(3));
      counts.push(h.count - below);
      colors.push(COLORS.CRITICAL);
    }
    const index = (v) => h.buckets.findIndex(b => b.le === v);
    scores.data.labels = labels;
    scores.data.datasets[0].data = counts.map(c => c === 0 ? null : c);
    scores.data.datasets[0].backgroundColor = colors;
    scores.options.plugins.thresholdLines.marks = [
      { index: index(h.warning), color: COLORS.WARNING, row: 0, label: 'warning ' + num(h.warning, 3) },
      { index: index(h.critical), color: COLORS.CRITICAL, row: 1, label: 'critical ' + num(h.critical, 3) }];
    scores.update('none');
    $('chart-scores').dataset.total = String(h.count);
  }

  function renderAlerts(list) {
    const body = document.querySelector('#latest-alerts tbody');
    body.replaceChildren();
    if (!list.length) {
      const tr = body.insertRow();
      tr.className = 'empty';
      const td = tr.insertCell();
      td.colSpan = 5;
      td.textContent = 'no alerts yet';
      return;
    }
    for (const a of list) {
      const tr = body.insertRow();
      tr.className = 'alert';
      tr.insertCell().textContent = new Date(a.timestamp).toISOString().replace('T', ' ').replace('.000Z', 'Z');
      tr.insertCell().textContent = a.entity;
      const sev = tr.insertCell();
      sev.textContent = (a.event ? a.event + ' ' : '') + a.severity; // episode event: OPEN, UPDATE, CLOSE
      sev.className = 'sev-' + a.severity;
      tr.insertCell().textContent = num(a.score, 4);
      const top = tr.insertCell();
      top.className = 'top-features';
      const outside = a.outOfRange && a.outOfRange.length ? 'outside range: ' + a.outOfRange.join(', ') + '; ' : '';
      top.textContent = outside + a.topFeatures.map(f => f.name + ' ' + Math.round(100 * f.share) + '%').join(', ');
    }
  }

  async function poll() {
    try {
      const response = await fetch('/api/dashboard', { cache: 'no-store' });
      if (response.ok) render(await response.json());
    } catch (e) {
      $('streams-state').textContent = 'unreachable';
      $('streams-state').className = 'badge ERROR';
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }
  poll();
})();
