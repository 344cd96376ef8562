// A small bar chart drawn as SVG: no third-party code, nothing inline that the CSP would block.

import {h, s, number} from './dom.js';

const W = 640;
const H = 180;
const PAD_LEFT = 48;
const PAD_BOTTOM = 22;
const PAD_TOP = 8;

/** One bar per label; each bar has a tooltip and the figure a text summary for screen readers. */
export function barChart(title, labels, values, format) {
  const fmt = format || number;
  const max = Math.max(0, ...values);
  const top = max > 0 ? max : 1;
  const plotW = W - PAD_LEFT;
  const plotH = H - PAD_BOTTOM - PAD_TOP;
  const step = plotW / Math.max(1, labels.length);
  const bars = labels.map((label, i) => {
    const v = values[i] || 0;
    const bh = (v / top) * plotH;
    return s('rect', {
      class: 'bar', x: (PAD_LEFT + i * step + step * 0.15).toFixed(1), y: (PAD_TOP + plotH - bh).toFixed(1),
      width: (step * 0.7).toFixed(1), height: Math.max(0, bh).toFixed(1),
    }, s('title', null, `${label}: ${fmt(v)}`));
  });
  const ticks = [0, top / 2, top].map((v) => {
    const y = PAD_TOP + plotH - (v / top) * plotH;
    return [s('line', {class: 'axis', x1: PAD_LEFT, x2: W, y1: y.toFixed(1), y2: y.toFixed(1)}),
      s('text', {x: PAD_LEFT - 4, y: (y + 4).toFixed(1), 'text-anchor': 'end'}, max > 0 ? fmt(v) : '0')];
  });
  const every = Math.ceil(labels.length / 6);
  const xLabels = labels.map((label, i) => (i % every === 0 || i === labels.length - 1
    ? s('text', {x: (PAD_LEFT + i * step + step / 2).toFixed(1), y: H - 6,
      'text-anchor': i === labels.length - 1 ? 'end' : i === 0 ? 'start' : 'middle'}, label.slice(5))
    : null));
  const total = values.reduce((a, b) => a + (b || 0), 0);
  const peak = values.indexOf(max);
  const summary = `${title}: ${fmt(total)} in total${max > 0 ? `, most on ${labels[peak]} (${fmt(max)})` : ''}.`;
  return h('figure', {class: 'chart card'},
    h('figcaption', null, title),
    s('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary}, ticks, bars, xLabels),
    h('p', {class: 'muted'}, summary));
}
