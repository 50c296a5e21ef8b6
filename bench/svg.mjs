// A small SVG chart writer for docs/benchmarks.md: line charts (optionally
// log-scaled) and labelled scatter plots. No dependencies; output is plain,
// deterministic SVG text so the committed plots diff cleanly.

const W = 720
const H = 420
const M = { left: 78, right: 190, top: 40, bottom: 56 }
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const num = (x) => (Math.abs(x) >= 1000 || Math.abs(x) < 0.01 ? Number(x.toPrecision(3)).toExponential().replace('e+', 'e') : Number(x.toPrecision(3)).toString())

function scale(values, log, max = Infinity) {
  let lo = Math.min(...values)
  let hi = Math.max(...values)
  if (log) {
    lo = 10 ** Math.floor(Math.log10(lo))
    hi = 10 ** Math.ceil(Math.log10(hi))
    if (hi === lo) hi = lo * 10
  } else {
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.08
    lo -= pad
    hi = Math.min(hi + pad, Math.max(max, Math.max(...values)))
  }
  const f = log ? (v) => (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v) => (v - lo) / (hi - lo)
  const ticks = []
  if (log) for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t)
  else for (let i = 0; i <= 5; i++) ticks.push(lo + ((hi - lo) * i) / 5)
  return { f, ticks }
}

function frame({ title, xLabel, yLabel }, xs, ys, body) {
  const pw = W - M.left - M.right
  const ph = H - M.top - M.bottom
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`]
  for (const t of xs.ticks) {
    const x = M.left + xs.f(t) * pw
    out.push(`<line x1="${x.toFixed(1)}" y1="${M.top}" x2="${x.toFixed(1)}" y2="${M.top + ph}" stroke="#eee"/>`, `<text x="${x.toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle">${num(t)}</text>`)
  }
  for (const t of ys.ticks) {
    const y = M.top + ph - ys.f(t) * ph
    out.push(`<line x1="${M.left}" y1="${y.toFixed(1)}" x2="${M.left + pw}" y2="${y.toFixed(1)}" stroke="#eee"/>`, `<text x="${M.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${num(t)}</text>`)
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`)
  out.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`)
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`)
  out.push(...body((x) => M.left + xs.f(x) * pw, (y) => M.top + ph - ys.f(y) * ph))
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/** series: [{ name, points: [[x, y], ...] }]; one polyline with markers and a legend entry each. */
export function lineChart(opts) {
  const pts = opts.series.flatMap((s) => s.points)
  const xs = scale(pts.map((p) => p[0]), opts.logX)
  const ys = scale(pts.map((p) => p[1]), opts.logY)
  return frame(opts, xs, ys, (X, Y) => {
    const out = []
    opts.series.forEach((s, i) => {
      const c = COLORS[i % COLORS.length]
      const p = [...s.points].sort((a, b) => a[0] - b[0])
      out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`)
      for (const [x, y] of p) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3.5" fill="${c}"/>`)
      const ly = M.top + 10 + i * 18
      out.push(`<line x1="${W - M.right + 12}" y1="${ly}" x2="${W - M.right + 32}" y2="${ly}" stroke="${c}" stroke-width="2"/>`, `<text x="${W - M.right + 38}" y="${ly + 4}">${esc(s.name)}</text>`)
    })
    return out
  })
}

/** points: [{ name, x, y }]; labelled dots. `yMax` caps the axis (e.g. 100 for percentages). */
export function scatterChart(opts) {
  const xs = scale(opts.points.map((p) => p.x), opts.logX)
  const ys = scale(opts.points.map((p) => p.y), opts.logY, opts.yMax)
  return frame(opts, xs, ys, (X, Y) =>
    opts.points.flatMap((p, i) => {
      const c = COLORS[i % COLORS.length]
      return [`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="5" fill="${c}"/>`, `<text x="${(X(p.x) + 8).toFixed(1)}" y="${(Y(p.y) + 4).toFixed(1)}">${esc(p.name)}</text>`]
    }),
  )
}
