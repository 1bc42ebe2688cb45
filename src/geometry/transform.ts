import { GeometryError } from './errors.js';
import { checkSize } from './size.js';
import type { BoxCorners, FlatRing, Point, Size } from './types.js';

/** The coordinate spaces of DESIGN.md: stored data lives in `original`. */
export type SpaceName = 'original' | 'display' | 'model';

/**
 * A per-axis scaling between two spaces that share the top-left origin: x' = x * factorX,
 * y' = y * factorY. The opposite direction divides by the same factors instead of multiplying
 * by reciprocals, so a round trip returns its input up to one rounding per operation.
 */
export class ScaleTransform {
  private constructor(
    readonly from: SpaceName,
    readonly to: SpaceName,
    readonly fromSize: Size,
    readonly toSize: Size,
    private readonly factorX: number,
    private readonly factorY: number,
    /** True for the inverse of a multiplying transform: forward divides. */
    private readonly divides: boolean,
  ) {}

  /**
   * The transform from one pixel grid to another, with the exact edge-to-edge ratios per axis:
   * x * (toWidth / fromWidth), computed in that order as the SAM reference apply_coords does.
   */
  static between(from: SpaceName, to: SpaceName, fromSize: Size, toSize: Size): ScaleTransform {
    checkSize(fromSize, `${from} size`);
    checkSize(toSize, `${to} size`);
    return new ScaleTransform(
      from,
      to,
      fromSize,
      toSize,
      toSize.width / fromSize.width,
      toSize.height / fromSize.height,
      false,
    );
  }

  /** Multiplier applied to x going forward. */
  get scaleX(): number {
    return this.divides ? 1 / this.factorX : this.factorX;
  }

  /** Multiplier applied to y going forward. */
  get scaleY(): number {
    return this.divides ? 1 / this.factorY : this.factorY;
  }

  /** The transform that goes the other way and exactly undoes this one. */
  inverse(): ScaleTransform {
    return new ScaleTransform(
      this.to,
      this.from,
      this.toSize,
      this.fromSize,
      this.factorX,
      this.factorY,
      !this.divides,
    );
  }

  forwardPoint(p: Point): Point {
    return { x: this.mapX(p.x, false), y: this.mapY(p.y, false) };
  }

  inversePoint(p: Point): Point {
    return { x: this.mapX(p.x, true), y: this.mapY(p.y, true) };
  }

  forwardBox(b: BoxCorners): BoxCorners {
    return this.box(b, false);
  }

  inverseBox(b: BoxCorners): BoxCorners {
    return this.box(b, true);
  }

  forwardRing(ring: FlatRing): FlatRing {
    return this.ring(ring, false);
  }

  inverseRing(ring: FlatRing): FlatRing {
    return this.ring(ring, true);
  }

  private mapX(x: number, back: boolean): number {
    return this.divides !== back ? x / this.factorX : x * this.factorX;
  }

  private mapY(y: number, back: boolean): number {
    return this.divides !== back ? y / this.factorY : y * this.factorY;
  }

  private box(b: BoxCorners, back: boolean): BoxCorners {
    return {
      x0: this.mapX(b.x0, back),
      y0: this.mapY(b.y0, back),
      x1: this.mapX(b.x1, back),
      y1: this.mapY(b.y1, back),
    };
  }

  private ring(ring: FlatRing, back: boolean): FlatRing {
    if (ring.length % 2 !== 0) {
      throw new GeometryError(
        `a ring needs an even number of coordinates, got ${ring.length}`,
        'ring',
        ring.length,
      );
    }
    const out = new Array<number>(ring.length);
    for (let i = 0; i < ring.length; i += 2) {
      out[i] = this.mapX(ring[i]!, back);
      out[i + 1] = this.mapY(ring[i + 1]!, back);
    }
    return out;
  }
}
