/** A small SVG line chart: a few series of (x, y) points, axes with round ticks, a legend. No library. */

export interface Series {
  name: string;
  color: string;
  /** drawn dashed (e.g. validation curves) */
  dashed?: boolean;
  points: [number, number][];
}

export interface ChartOptions {
  title: string;
  /** x-axis label, e.g. 'epoch' */
  xLabel: string;
  /** fixed y range, e.g. [0, 1] for accuracy; default: from the data, starting at 0 */
  yRange?: [number, number];
  /** format a y tick */
  yFormat?: (v: number) => string;
  /** the x range shown at least (e.g. the planned epochs), so curves grow from the left */
  xMin?: number;
  xMax?: number;
}

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Round tick values covering [lo, hi]: 1, 2 or 5 times a power of ten apart. */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export class LineChart {
  readonly series: Series[];
  private readonly svg: SVGSVGElement;
  private scheduled = false;
  private lastRender = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly options: ChartOptions,
    series: Omit<Series, 'points'>[],
  ) {
    this.series = series.map((s) => ({ ...s, points: [] }));
    this.svg = el('svg', { class: 'chart', role: 'img', 'aria-label': options.title });
    host.append(this.svg);
    new ResizeObserver(() => this.render()).observe(host);
    this.render();
  }

  /** Add a point to series `index`; the chart redraws at the next animation frame. */
  push(index: number, x: number, y: number): void {
    if (!Number.isFinite(y)) return;
    this.series[index].points.push([x, y]);
    this.schedule();
  }

  clear(xMax?: number): void {
    for (const s of this.series) s.points = [];
    if (xMax !== undefined) this.options.xMax = xMax;
    this.schedule();
  }

  /** redraw at the next frame, at most ten times a second: enough for a live curve, light on the main thread */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, this.lastRender + 100 - performance.now());
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          this.scheduled = false;
          this.render();
        }),
      wait,
    );
  }

  render(): void {
    this.lastRender = performance.now();
    const width = Math.max(240, this.host.clientWidth);
    const height = Math.round(Math.min(220, Math.max(160, width * 0.5)));
    const pad = { left: 44, right: 12, top: 30, bottom: 30 };
    const svg = this.svg;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.replaceChildren();

    const all = this.series.flatMap((s) => s.points);
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    const x0 = this.options.xMin ?? 0;
    const x1 = Math.max(this.options.xMax ?? 1, ...xs, x0 + 1e-9);
    const [y0, y1] = this.options.yRange ?? [0, Math.max(1e-3, ...ys) * 1.05];
    const fx = (x: number) => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right);
    const fy = (y: number) =>
      height - pad.bottom - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
    const fmt =
      this.options.yFormat ??
      ((v: number) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toPrecision(2).replace(/\.?0+$/, '')));

    svg.append(el('text', { x: pad.left, y: 16, class: 'chart-title' }, this.options.title));
    for (const t of ticks(y0, y1, 4)) {
      const y = fy(t);
      svg.append(el('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: 'gridline' }));
      svg.append(el('text', { x: pad.left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, fmt(t)));
    }
    for (const t of ticks(x0, x1, Math.max(2, Math.floor(width / 90)))) {
      svg.append(
        el('text', { x: fx(t), y: height - pad.bottom + 16, class: 'tick', 'text-anchor': 'middle' }, String(t)),
      );
    }
    svg.append(
      el('text', { x: width - pad.right, y: height - 4, class: 'tick', 'text-anchor': 'end' }, this.options.xLabel),
    );
    svg.append(el('line', { x1: pad.left, x2: pad.left, y1: pad.top - 6, y2: height - pad.bottom, class: 'axis' }));
    svg.append(
      el('line', {
        x1: pad.left,
        x2: width - pad.right,
        y1: height - pad.bottom,
        y2: height - pad.bottom,
        class: 'axis',
      }),
    );

    let legendX = width - pad.right;
    for (const s of [...this.series].reverse()) {
      const label = el('text', { x: legendX, y: 16, class: 'legend', 'text-anchor': 'end' }, s.name);
      svg.append(label);
      legendX -= s.name.length * 6.5 + 8;
      svg.append(
        el('line', {
          x1: legendX - 14,
          x2: legendX - 2,
          y1: 12,
          y2: 12,
          stroke: s.color,
          'stroke-width': 2.5,
          'stroke-dasharray': s.dashed ? '4 3' : 'none',
        }),
      );
      legendX -= 24;
    }
    for (const s of this.series) {
      if (s.points.length === 0) continue;
      const d = s.points.map(([x, y]) => `${fx(x).toFixed(1)},${fy(y).toFixed(1)}`).join(' ');
      if (s.points.length === 1) {
        const [x, y] = s.points[0];
        svg.append(el('circle', { cx: fx(x), cy: fy(y), r: 3, fill: s.color }));
      } else {
        svg.append(
          el('polyline', {
            points: d,
            fill: 'none',
            stroke: s.color,
            'stroke-width': 2,
            'stroke-linejoin': 'round',
            'stroke-dasharray': s.dashed ? '5 4' : 'none',
            'data-series': s.name,
          }),
        );
      }
    }
  }
}
