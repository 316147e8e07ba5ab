/**
 * A drawing pad for digits, and the preprocessing that makes a drawing look like an MNIST image: MNIST digits were
 * scaled (keeping their aspect ratio) to fit a 20×20 box and then placed in the 28×28 image so that their centre of
 * mass sits at the centre. White ink on black, values in [0, 1].
 */

const SIDE = 28;
const BOX = 20;

export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: [number, number] | null = null;
  private inked = false;

  /** `onChange` runs while drawing (at most once per frame) and when a stroke ends */
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2d canvas');
    this.ctx = ctx;
    this.clear();
    let pending = false;
    const changed = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        this.onChange();
      });
    };
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last, this.last);
      changed();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.point(e);
      this.stroke(this.last ?? p, p);
      this.last = p;
      changed();
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      this.onChange();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  get empty(): boolean {
    return !this.inked;
  }

  clear(): void {
    const { ctx, canvas } = this;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.inked = false;
  }

  /** pointer position in canvas pixels (the canvas may be shown smaller or larger than it is) */
  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [
      ((e.clientX - r.left) / r.width) * this.canvas.width,
      ((e.clientY - r.top) / r.height) * this.canvas.height,
    ];
  }

  private stroke(from: [number, number], to: [number, number]): void {
    const { ctx } = this;
    ctx.strokeStyle = '#fff';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = this.canvas.width / 13;
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
    this.inked = true;
  }

  /**
   * Put a 28×28 image (784 values in [0, 1], as MNIST's or toMnist's) on the pad, scaled up, as if drawn: toMnist
   * then takes it through the same steps as a drawing.
   */
  show(image: Float32Array): void {
    const small = new OffscreenCanvas(SIDE, SIDE);
    const sc = small.getContext('2d')!;
    sc.putImageData(imageDataOf(sc, image), 0, 0);
    this.clear();
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.imageSmoothingQuality = 'high';
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.inked = true;
  }

  /** The drawing as MNIST would have it: 784 values in [0, 1], or null if nothing is drawn. */
  toMnist(preview?: HTMLCanvasElement): Float32Array | null {
    const { canvas, ctx } = this;
    const { width, height } = canvas;
    const pixels = ctx.getImageData(0, 0, width, height).data;
    // bounding box of the ink
    let x0 = width,
      y0 = height,
      x1 = -1,
      y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (pixels[(y * width + x) * 4] > 16) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) return null;
    const w = x1 - x0 + 1,
      h = y1 - y0 + 1;
    const scale = BOX / Math.max(w, h);
    const sw = Math.max(1, w * scale),
      sh = Math.max(1, h * scale);

    // scale into a 28×28 image, in halving steps so that thin strokes survive (one big step aliases)
    let source: HTMLCanvasElement | OffscreenCanvas = canvas;
    let sx = x0,
      sy = y0,
      sWidth = w,
      sHeight = h;
    while (sWidth / 2 > sw * 1.5) {
      const step = new OffscreenCanvas(Math.ceil(sWidth / 2), Math.ceil(sHeight / 2));
      const c = step.getContext('2d')!;
      c.imageSmoothingQuality = 'high';
      c.drawImage(source, sx, sy, sWidth, sHeight, 0, 0, step.width, step.height);
      source = step;
      sx = 0;
      sy = 0;
      sWidth = step.width;
      sHeight = step.height;
    }
    const small = new OffscreenCanvas(SIDE, SIDE);
    const sc = small.getContext('2d', { willReadFrequently: true })!;
    sc.fillStyle = '#000';
    sc.fillRect(0, 0, SIDE, SIDE);
    sc.imageSmoothingQuality = 'high';
    sc.drawImage(source, sx, sy, sWidth, sHeight, (SIDE - sw) / 2, (SIDE - sh) / 2, sw, sh);

    // centre of mass to the centre
    const boxed = sc.getImageData(0, 0, SIDE, SIDE).data;
    let mass = 0,
      mx = 0,
      my = 0;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = boxed[(y * SIDE + x) * 4];
        mass += v;
        mx += v * x;
        my += v * y;
      }
    }
    const dx = Math.round(SIDE / 2 - 0.5 - mx / mass);
    const dy = Math.round(SIDE / 2 - 0.5 - my / mass);
    const out = new Float32Array(SIDE * SIDE);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const fromX = x - dx,
          fromY = y - dy;
        if (fromX >= 0 && fromX < SIDE && fromY >= 0 && fromY < SIDE)
          out[y * SIDE + x] = boxed[(fromY * SIDE + fromX) * 4] / 255;
      }
    }
    if (preview) drawPreview(preview, out);
    return out;
  }
}

/** Show 784 values in [0, 1] on a 28×28 canvas (scaled up by CSS). */
export function drawPreview(canvas: HTMLCanvasElement, image: Float32Array): void {
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(imageDataOf(ctx, image), 0, 0);
}

/** 784 values in [0, 1] as 28×28 opaque grey pixels: white ink on black. */
function imageDataOf(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  image: Float32Array,
): ImageData {
  const data = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(image[i] * 255);
    data.data[i * 4] = data.data[i * 4 + 1] = data.data[i * 4 + 2] = v;
    data.data[i * 4 + 3] = 255;
  }
  return data;
}
