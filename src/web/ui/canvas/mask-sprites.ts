import { maskEdges, maskRegion, paintMask, parseHexColor } from '../../api/mask-image';
import { rasterizeRle, type RasterRegion } from '../../api/rle';
import type { Bbox, Rle } from '../../api/types';

/** Samples per mask at most: a frame-filling mask on a huge photo is drawn from ~4 MP. */
const MAX_MASK_PIXELS = 4_000_000;
/** Object sprites kept; older ones are rebuilt on demand. */
const MAX_SPRITES = 600;

/** A mask ready to draw: its fill and its outline as bitmaps, over `region` in image pixels. */
export interface MaskSprite {
  region: RasterRegion;
  fill: HTMLCanvasElement;
  edge: HTMLCanvasElement;
}

/**
 * Builds and keeps the bitmaps of masks. Objects are keyed by id, update time and colour (a
 * change answer carries new objects, most of them unchanged); candidates by their Rle object.
 */
export class MaskSprites {
  private readonly byKey = new Map<string, MaskSprite>();
  private readonly byRle = new WeakMap<Rle, Map<string, MaskSprite>>();

  constructor(
    private readonly imageWidth: () => number,
    private readonly imageHeight: () => number,
  ) {}

  forObject(
    object: { id: number; updatedAt: string; rle: Rle; bbox: Bbox },
    fill: string,
    edge: string,
  ): MaskSprite | null {
    const key = `${object.id}|${object.updatedAt}|${object.rle.counts.length}|${fill}|${edge}`;
    const cached = this.byKey.get(key);
    if (cached) {
      // Refresh its place in the insertion order (the map doubles as an LRU).
      this.byKey.delete(key);
      this.byKey.set(key, cached);
      return cached;
    }
    const sprite = this.build(object.rle, object.bbox, fill, edge);
    if (!sprite) return null;
    this.byKey.set(key, sprite);
    while (this.byKey.size > MAX_SPRITES) this.byKey.delete(this.byKey.keys().next().value!);
    return sprite;
  }

  forCandidate(candidate: { rle: Rle; bbox: Bbox }, fill: string, edge: string): MaskSprite | null {
    const key = `${fill}|${edge}`;
    let perColor = this.byRle.get(candidate.rle);
    const cached = perColor?.get(key);
    if (cached) return cached;
    const sprite = this.build(candidate.rle, candidate.bbox, fill, edge);
    if (!sprite) return null;
    if (!perColor) {
      perColor = new Map();
      this.byRle.set(candidate.rle, perColor);
    }
    perColor.set(key, sprite);
    return sprite;
  }

  clear(): void {
    this.byKey.clear();
  }

  private build(rle: Rle, bbox: Bbox, fill: string, edge: string): MaskSprite | null {
    const region = maskRegion(bbox, this.imageWidth(), this.imageHeight(), MAX_MASK_PIXELS);
    if (region.width === 0 || region.height === 0) return null;
    let raster;
    try {
      raster = rasterizeRle(rle, region);
    } catch (error) {
      console.warn('Skipping a mask that does not decode:', error);
      return null;
    }
    const edges = maskEdges(raster.data, raster.width, raster.height);
    return {
      region,
      fill: toCanvas(paintMask(raster.data, parseHexColor(fill)), raster.width, raster.height),
      edge: toCanvas(paintMask(edges, parseHexColor(edge)), raster.width, raster.height),
    };
  }
}

function toCanvas(
  rgba: Uint8ClampedArray<ArrayBuffer>,
  width: number,
  height: number,
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas;
}
