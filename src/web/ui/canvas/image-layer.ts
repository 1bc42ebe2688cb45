import type { AnnotatorApi } from '../../api/annotator-api';
import type { ImageDetail } from '../../api/types';
import type { Camera } from '../../editor/camera';

const MAX_TILES = 256;

interface Picture {
  img: HTMLImageElement;
  ready: boolean;
  failed: boolean;
}

/**
 * Draws the picture: the display image (downscaled by the server), and tiles of the best level
 * over it once zoom goes past the display image's resolution. Pixels are drawn crisp
 * (no smoothing) as soon as one source pixel covers more than one screen pixel.
 */
export class ImageLayer {
  private display: Picture | null = null;
  private displayFor: string | null = null;
  private readonly tiles = new Map<string, Picture>();

  constructor(
    private readonly api: AnnotatorApi,
    private readonly onLoad: () => void,
  ) {}

  /** True once the display picture of this image has loaded (or failed). */
  isReady(detail: ImageDetail): boolean {
    return this.displayFor === detail.display.url && this.display !== null && !!this.display.ready;
  }

  get failed(): boolean {
    return this.display?.failed ?? false;
  }

  draw(ctx: CanvasRenderingContext2D, camera: Camera, detail: ImageDetail): void {
    if (this.displayFor !== detail.display.url) {
      this.displayFor = detail.display.url;
      this.display = this.load(this.api.resolveUrl(detail.display.url));
      this.tiles.clear();
    }
    const { x, y } = camera.offset;
    const s = camera.scale;
    const picture = this.display;
    if (picture?.ready) {
      const perSource = (s * detail.width) / detail.display.width;
      ctx.imageSmoothingEnabled = perSource <= 1;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(picture.img, x, y, detail.width * s, detail.height * s);
      if (detail.tiles && perSource > 1) this.drawTiles(ctx, camera, detail);
    }
  }

  private drawTiles(ctx: CanvasRenderingContext2D, camera: Camera, detail: ImageDetail): void {
    const tiles = detail.tiles!;
    const levels = [...tiles.levels].sort((a, b) => a.width - b.width);
    const needed = detail.width * camera.scale * (globalThis.devicePixelRatio || 1);
    const level = levels.find((l) => l.width >= needed) ?? levels.at(-1);
    if (!level || level.width <= detail.display.width) return;
    const scale = levelScale(level, detail.width, detail.height); // original px per level px
    const size = tiles.tileSize;
    const view = camera.visibleImageRect();
    const span = size * scale; // original px per tile
    const c0 = Math.max(0, Math.floor(view.x / span));
    const r0 = Math.max(0, Math.floor(view.y / span));
    const c1 = Math.min(Math.ceil(level.width / size), Math.ceil((view.x + view.width) / span));
    const r1 = Math.min(Math.ceil(level.height / size), Math.ceil((view.y + view.height) / span));
    if ((c1 - c0) * (r1 - r0) > 96) return; // zoomed out too far for tiles to help
    ctx.imageSmoothingEnabled = camera.scale * scale <= 1;
    for (let r = r0; r < r1; r++) {
      for (let c = c0; c < c1; c++) {
        const key = `${detail.id}/${level.level}/${c}/${r}`;
        let tile = this.tiles.get(key);
        if (!tile) {
          tile = this.load(this.api.tileUrl(detail.id, level.level, c, r));
          this.tiles.set(key, tile);
          this.evictTiles();
        }
        if (!tile.ready) continue;
        // The tile covers these original pixels (the last column/row may be narrower).
        const left = c * span;
        const top = r * span;
        const width = Math.min(span, detail.width - left);
        const height = Math.min(span, detail.height - top);
        const p = camera.toScreen(left, top);
        ctx.drawImage(tile.img, p.x, p.y, width * camera.scale, height * camera.scale);
      }
    }
  }

  private load(url: string): Picture {
    const img = new Image();
    img.decoding = 'async';
    const picture: Picture = { img, ready: false, failed: false };
    img.onload = () => {
      picture.ready = true;
      this.onLoad();
    };
    img.onerror = () => {
      picture.failed = true;
      this.onLoad();
    };
    img.src = url;
    return picture;
  }

  private evictTiles(): void {
    while (this.tiles.size > MAX_TILES) {
      const oldest = this.tiles.keys().next().value!;
      this.tiles.get(oldest)!.img.src = '';
      this.tiles.delete(oldest);
    }
  }
}

/**
 * Original pixels per level pixel. A pyramid whose level L is the original shrunk by 2^L
 * (sizes rounded up) gets exactly 2^L, so tiles land on the pixels the server cut them from;
 * any other level falls back to the ratio of widths.
 */
export function levelScale(
  level: { level: number; width: number; height: number },
  width: number,
  height: number,
): number {
  const power = 2 ** level.level;
  if (Math.ceil(width / power) === level.width && Math.ceil(height / power) === level.height) {
    return power;
  }
  return width / level.width;
}
