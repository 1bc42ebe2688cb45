import type { Size } from '../../geometry/index.js';
import { growRect, type Frame, type Rect } from './frame.js';

export interface RoiOptions {
  /** Margin around the object: this share of its longest side, plus `pad` working pixels. */
  margin: number;
  pad: number;
  /** Smallest side, in working pixels (context for small objects). */
  minSide: number;
}

/** The region of interest around `reach`: a margin for context, never smaller than minSide. */
export function roiAround(reach: Rect, options: RoiOptions): Rect {
  const side = Math.max(reach.x1 - reach.x0, reach.y1 - reach.y0);
  return growRect(
    reach,
    Math.max(options.margin * side + options.pad, (options.minSide - side) / 2),
  );
}

/**
 * The region grown on each side where the mask reaches the frame's edge inside the picture
 * (the object goes on past it), by the region's size across; null when it reaches none.
 */
export function growWhereTouching(frame: Frame, mask: Uint8Array, picture: Size): Rect | null {
  const { cols, rows } = frame;
  const rowHit = (r: number) => mask.subarray(r * cols, (r + 1) * cols).includes(1);
  const colHit = (c: number) => {
    for (let r = 0; r < rows; r++) if (mask[r * cols + c]) return true;
    return false;
  };
  const grow = {
    left: frame.x > 0 && colHit(0),
    right: frame.x + frame.width < picture.width && colHit(cols - 1),
    top: frame.y > 0 && rowHit(0),
    bottom: frame.y + frame.height < picture.height && rowHit(rows - 1),
  };
  if (!grow.left && !grow.right && !grow.top && !grow.bottom) return null;
  return {
    x0: frame.x - (grow.left ? frame.width : 0),
    y0: frame.y - (grow.top ? frame.height : 0),
    x1: frame.x + frame.width + (grow.right ? frame.width : 0),
    y1: frame.y + frame.height + (grow.bottom ? frame.height : 0),
  };
}
