/**
 * The view transform between screen (CSS pixels of the canvas, origin top-left) and ORIGINAL
 * image pixels, with the server's convention: continuous coordinates, pixel (i, j) covers
 * [i, i+1) x [j, j+1). screen = image * scale + offset; nothing else converts between them.
 */
export interface Vec {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Deepest zoom: 64 screen pixels per image pixel. */
export const MAX_SCALE = 64;
/** How far out one may zoom, relative to "fit". */
export const MIN_SCALE_OF_FIT = 0.25;

export class Camera {
  /** Screen pixels per original image pixel. */
  private s = 1;
  /** Screen position of the image's origin (0, 0). */
  private ox = 0;
  private oy = 0;
  private view: Size = { width: 1, height: 1 };
  private image: Size = { width: 1, height: 1 };
  private changeCount = 0;

  constructor(private readonly onChange: () => void = () => {}) {}

  get scale(): number {
    return this.s;
  }
  get offset(): Vec {
    return { x: this.ox, y: this.oy };
  }
  get viewport(): Size {
    return this.view;
  }
  get imageSize(): Size {
    return this.image;
  }
  /** Increases on every change, for renderers that cache per view. */
  get version(): number {
    return this.changeCount;
  }

  /** The scale at which the whole image fits the viewport with `padding` around it. */
  fitScale(padding = 16): number {
    const w = Math.max(1, this.view.width - 2 * padding);
    const h = Math.max(1, this.view.height - 2 * padding);
    return Math.min(w / this.image.width, h / this.image.height);
  }

  get minScale(): number {
    return Math.min(this.fitScale() * MIN_SCALE_OF_FIT, 1);
  }
  get maxScale(): number {
    return Math.max(MAX_SCALE, this.fitScale());
  }

  setViewport(width: number, height: number): void {
    const old = this.view;
    this.view = { width: Math.max(1, width), height: Math.max(1, height) };
    // Keep the image point at the viewport centre where it was.
    this.ox += (this.view.width - old.width) / 2;
    this.oy += (this.view.height - old.height) / 2;
    this.changed();
  }

  /** A new image: remember its size and fit it. */
  setImage(width: number, height: number): void {
    this.image = { width: Math.max(1, width), height: Math.max(1, height) };
    this.fit();
  }

  fit(padding = 16): void {
    this.s = this.fitScale(padding);
    this.ox = (this.view.width - this.image.width * this.s) / 2;
    this.oy = (this.view.height - this.image.height * this.s) / 2;
    this.changed();
  }

  toImage(sx: number, sy: number): Vec {
    return { x: (sx - this.ox) / this.s, y: (sy - this.oy) / this.s };
  }

  toScreen(ix: number, iy: number): Vec {
    return { x: ix * this.s + this.ox, y: iy * this.s + this.oy };
  }

  /** The image pixel (column i, row j) under a screen point; may lie outside the image. */
  pixelAt(sx: number, sy: number): { i: number; j: number } {
    const p = this.toImage(sx, sy);
    return { i: Math.floor(p.x), j: Math.floor(p.y) };
  }

  isInsideImage(p: Vec): boolean {
    return p.x >= 0 && p.y >= 0 && p.x < this.image.width && p.y < this.image.height;
  }

  /** Multiplies the scale by `factor` keeping the image point under (sx, sy) where it is. */
  zoomAt(sx: number, sy: number, factor: number): void {
    if (!(factor > 0) || !Number.isFinite(factor)) return;
    const anchor = this.toImage(sx, sy);
    const next = clamp(this.s * factor, this.minScale, this.maxScale);
    if (next === this.s) return;
    this.s = next;
    this.ox = sx - anchor.x * next;
    this.oy = sy - anchor.y * next;
    this.changed();
  }

  /** Zoom about the viewport centre (keyboard zoom). */
  zoomBy(factor: number): void {
    this.zoomAt(this.view.width / 2, this.view.height / 2, factor);
  }

  /** Sets an absolute scale about a screen point (1 = one screen pixel per image pixel). */
  zoomTo(scale: number, sx = this.view.width / 2, sy = this.view.height / 2): void {
    this.zoomAt(sx, sy, scale / this.s);
  }

  panBy(dx: number, dy: number): void {
    if (dx === 0 && dy === 0) return;
    this.ox += dx;
    this.oy += dy;
    this.changed();
  }

  /** The part of the image on screen, in image pixels, clipped to the image. */
  visibleImageRect(): Rect {
    const a = this.toImage(0, 0);
    const b = this.toImage(this.view.width, this.view.height);
    const x0 = clamp(a.x, 0, this.image.width);
    const y0 = clamp(a.y, 0, this.image.height);
    const x1 = clamp(b.x, 0, this.image.width);
    const y1 = clamp(b.y, 0, this.image.height);
    return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
  }

  private changed(): void {
    this.changeCount++;
    this.onChange();
  }
}

/** Zoom factor for one wheel event: smooth for trackpads, ~10% per mouse notch. */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-clamp(pixels, -200, 200) * 0.001);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
