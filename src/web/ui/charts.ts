import { svg } from './dom';

export interface Bar {
  label: string;
  value: number;
  color?: string;
  /** Shown at the bar's end; defaults to the value. */
  text?: string;
}

const DEFAULT_COLOR = '#4c8dff';

/** Rounded "nice" top for an axis (1, 2, 5 x 10^n). */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** Axis ticks from 0 to `max`: the middle one only when it is a whole number (counts). */
export function axisTicks(max: number): number[] {
  return Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max];
}

/** Room for the texts at the bars' ends (11 px text, ~6.4 px a character), within limits. */
export function valueColumnWidth(texts: readonly string[], widest = 170): number {
  const longest = Math.max(0, ...texts.map((t) => t.length));
  return Math.min(widest, Math.max(40, Math.ceil(longest * 6.4) + 10));
}

/** Horizontal bars, one row each (class distribution). */
export function horizontalBars(bars: readonly Bar[], width = 460): SVGSVGElement {
  const row = 22;
  const labelW = 120;
  const valueW = valueColumnWidth(bars.map((b) => b.text ?? String(b.value)));
  const height = Math.max(1, bars.length) * row + 4;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const plotW = width - labelW - valueW;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  bars.forEach((bar, i) => {
    const y = i * row + 2;
    const w = Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * plotW);
    const label = svg('text', { x: labelW - 8, y: y + row / 2 + 3, 'text-anchor': 'end' });
    label.textContent = truncate(bar.label, 18);
    const value = svg('text', { x: labelW + w + 6, y: y + row / 2 + 3, class: 'value-label' });
    value.textContent = bar.text ?? String(bar.value);
    const title = svg('title');
    title.textContent = `${bar.label}: ${bar.text ?? bar.value}`;
    root.append(
      label,
      svg(
        'rect',
        { x: labelW, y: y + 3, width: w, height: row - 6, rx: 2, fill: bar.color ?? DEFAULT_COLOR },
        title,
      ),
      value,
    );
  });
  return root;
}

/** Vertical bars with labels under them (histograms, per-day rates). */
export function verticalBars(bars: readonly Bar[], width = 460, height = 180): SVGSVGElement {
  const bottom = 22;
  const top = 14;
  const left = 34;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const plotH = height - bottom - top;
  const slot = (width - left) / Math.max(1, bars.length);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  for (const value of axisTicks(max)) {
    const y = top + plotH * (1 - value / max);
    const tick = svg('text', { x: left - 6, y: y + 3, 'text-anchor': 'end' });
    tick.textContent = String(value);
    root.append(
      tick,
      svg('line', { x1: left, x2: width, y1: y, y2: y, stroke: '#2c313c', 'stroke-width': 1 }),
    );
  }
  const labelEvery = Math.ceil(bars.length / Math.max(1, Math.floor((width - left) / 40)));
  bars.forEach((bar, i) => {
    const h = (bar.value / max) * plotH;
    const x = left + i * slot + slot * 0.15;
    const title = svg('title');
    title.textContent = `${bar.label}: ${bar.text ?? bar.value}`;
    root.append(
      svg(
        'rect',
        {
          x,
          y: top + plotH - h,
          width: Math.max(1, slot * 0.7),
          height: h,
          rx: 1.5,
          fill: bar.color ?? DEFAULT_COLOR,
        },
        title,
      ),
    );
    if (i % labelEvery === 0) {
      const label = svg('text', { x: x + slot * 0.35, y: height - 6, 'text-anchor': 'middle' });
      label.textContent = truncate(bar.label, 10);
      root.append(label);
    }
  });
  return root;
}

/** One bar split into parts (progress by status) with a legend under it. */
export function stackedBar(parts: readonly Bar[], width = 460): SVGSVGElement {
  const total = parts.reduce((sum, p) => sum + p.value, 0) || 1;
  const root = svg('svg', { viewBox: `0 0 ${width} 56`, role: 'img' });
  let x = 0;
  for (const part of parts) {
    const w = (part.value / total) * width;
    const title = svg('title');
    title.textContent = `${part.label}: ${part.value}`;
    root.append(
      svg('rect', { x, y: 0, width: w, height: 18, fill: part.color ?? DEFAULT_COLOR }, title),
    );
    x += w;
  }
  let lx = 0;
  for (const part of parts) {
    root.append(
      svg('rect', {
        x: lx,
        y: 32,
        width: 10,
        height: 10,
        rx: 2,
        fill: part.color ?? DEFAULT_COLOR,
      }),
    );
    const text = svg('text', { x: lx + 14, y: 41 });
    text.textContent = `${part.label} ${part.value}`;
    root.append(text);
    lx += 14 + (part.label.length + String(part.value).length + 1) * 6.2 + 14;
  }
  return root;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
