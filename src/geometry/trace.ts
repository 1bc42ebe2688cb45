/**
 * Mask -> rings along pixel edges ("crack following"). Every ring runs on the lattice lines
 * between pixels, so filling the rings by pixel centres gives back exactly the mask.
 *
 * Connectivity: foreground pixels that touch only at a corner belong to the same part
 * (8-connectivity); background pixels must share an edge to form one hole (4-connectivity).
 * That is the pair for which every part has exactly one outer ring and each hole exactly one
 * ring. At a corner where two foreground pixels touch diagonally the outer ring passes the
 * same lattice point twice (it touches itself there); that does not change which pixel
 * centres it encloses.
 *
 * Rings keep the foreground on their right when walked in image coordinates (y down): outer
 * rings run clockwise on screen and have positive shoelace area, holes negative.
 */
import { bitmapBounds, type Bitmap } from './bitmap.js';
import type { FlatRing } from './types.js';

export interface TracedPart {
  outer: FlatRing;
  holes: FlatRing[];
  /** Area enclosed by the outer ring (holes included), in pixels. */
  outerArea: number;
  /** Area of each hole, in pixels, in the order of `holes`. */
  holeAreas: number[];
}

// Directions: east, south, west, north (y grows downwards).
const DX = Int8Array.of(1, 0, -1, 0);
const DY = Int8Array.of(0, 1, 0, -1);
const E = 0;

/**
 * NEXT[code * 4 + arriving] = leaving direction at a lattice point, where the code has bit 8 for
 * the pixel up-left of the point, 4 up-right, 2 down-left, 1 down-right. At the two saddle codes
 * (diagonal pixels) the left turn is taken, which keeps diagonal foreground pixels together.
 */
const NEXT = buildTurnTable();

function buildTurnTable(): Int8Array {
  const table = new Int8Array(64).fill(-1);
  for (let code = 0; code < 16; code++) {
    const nw = (code & 8) !== 0;
    const ne = (code & 4) !== 0;
    const sw = (code & 2) !== 0;
    const se = (code & 1) !== 0;
    // An edge leaves the point in direction d when the pixel on its right is set and the one
    // on its left is not.
    const leaves = [se && !ne, sw && !se, nw && !sw, ne && !nw];
    for (let arriving = 0; arriving < 4; arriving++) {
      for (const turn of [3, 0, 1]) {
        const d = (arriving + turn) % 4;
        if (leaves[d]) {
          table[code * 4 + arriving] = d;
          break;
        }
      }
    }
  }
  return table;
}

/** Labels of 8-connected runs of set pixels, row by row, with union-find. */
class RunLabels {
  readonly rowFirst: Int32Array;
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  private readonly parent: number[] = [];

  constructor(grid: Uint8Array, pw: number, ph: number) {
    this.rowFirst = new Int32Array(ph + 1);
    let above = 0;
    for (let y = 0; y < ph; y++) {
      const first = this.starts.length;
      this.rowFirst[y] = first;
      const row = y * pw;
      let x = 0;
      while (x < pw) {
        if (grid[row + x] === 0) {
          x++;
          continue;
        }
        const start = x;
        while (x < pw && grid[row + x] !== 0) x++;
        const id = this.starts.length;
        this.starts.push(start);
        this.ends.push(x);
        this.parent.push(id);
        // Runs of the row above that overlap [start - 1, x] touch this one (8-connectivity).
        // Both rows are sorted, so runs that end too far left are never looked at again.
        while (above < first && this.ends[above]! < start) above++;
        for (let r = above; r < first && this.starts[r]! <= x; r++) this.union(r, id);
      }
      above = first;
    }
    this.rowFirst[ph] = this.starts.length;
  }

  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  /** Component of the set pixel (x, y). */
  labelOf(x: number, y: number): number {
    let lo = this.rowFirst[y]!;
    let hi = this.rowFirst[y + 1]! - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    return this.find(lo);
  }
}

/**
 * Every connected part of the mask with its holes, in the order their top-left pixels appear
 * in a row-major scan. Coordinates are lattice points in the mask's pixel coordinates.
 */
export function traceMask(mask: Bitmap): TracedPart[] {
  const bounds = bitmapBounds(mask);
  if (!bounds) return [];
  // Work on the bounding box with a 1-pixel empty border, so no step needs a bounds check.
  const cw = bounds.maxX - bounds.minX + 1;
  const ch = bounds.maxY - bounds.minY + 1;
  const pw = cw + 2;
  const ph = ch + 2;
  const grid = new Uint8Array(pw * ph);
  for (let y = 0; y < ch; y++) {
    const src = (y + bounds.minY) * mask.width + bounds.minX;
    const dst = (y + 1) * pw + 1;
    for (let x = 0; x < cw; x++) grid[dst + x] = mask.data[src + x] !== 0 ? 1 : 0;
  }
  const labels = new RunLabels(grid, pw, ph);
  const offsetX = bounds.minX - 1;
  const offsetY = bounds.minY - 1;
  // visitedTop[i]: the east-going edge along the top of grid pixel i is already in a ring.
  const visitedTop = new Uint8Array(pw * ph);
  const parts = new Map<number, TracedPart>();
  for (let y = 1; y < ph - 1; y++) {
    for (let r = labels.rowFirst[y]!; r < labels.rowFirst[y + 1]!; r++) {
      for (let x = labels.starts[r]!; x < labels.ends[r]!; x++) {
        const i = y * pw + x;
        if (grid[i - pw] !== 0 || visitedTop[i] !== 0) continue;
        const ring = walkRing(grid, pw, visitedTop, x, y, offsetX, offsetY);
        const area = signedArea(ring);
        const label = labels.find(r);
        let part = parts.get(label);
        if (!part) {
          part = { outer: [], holes: [], outerArea: 0, holeAreas: [] };
          parts.set(label, part);
        }
        if (area > 0) {
          part.outer = ring;
          part.outerArea = area;
        } else {
          part.holes.push(ring);
          part.holeAreas.push(-area);
        }
      }
    }
  }
  return [...parts.values()];
}

/** Follows one ring from the east-going edge on top of grid pixel (x0, y0), recording corners. */
function walkRing(
  grid: Uint8Array,
  pw: number,
  visitedTop: Uint8Array,
  x0: number,
  y0: number,
  offsetX: number,
  offsetY: number,
): FlatRing {
  const ring: number[] = [];
  let x = x0;
  let y = y0;
  let d: number = E;
  for (;;) {
    if (d === E) visitedTop[y * pw + x] = 1;
    x += DX[d]!;
    y += DY[d]!;
    const row = y * pw;
    const code =
      (grid[row - pw + x - 1]! << 3) |
      (grid[row - pw + x]! << 2) |
      (grid[row + x - 1]! << 1) |
      grid[row + x]!;
    const next = NEXT[code * 4 + d]!;
    if (next !== d) ring.push(x + offsetX, y + offsetY);
    d = next;
    if (d === E && x === x0 && y === y0) break;
  }
  // Start the ring at the corner it was found from (recorded last), for a stable reading order.
  if (
    ring.length >= 2 &&
    ring[ring.length - 2] === x0 + offsetX &&
    ring[ring.length - 1] === y0 + offsetY
  ) {
    ring.unshift(ring.pop()!);
    ring.unshift(ring.pop()!);
  }
  return ring;
}

/** Shoelace area; positive for rings that run clockwise on screen (y down). */
export function signedArea(ring: FlatRing): number {
  const n = ring.length;
  if (n < 6) return 0;
  let sum = 0;
  let px = ring[n - 2]!;
  let py = ring[n - 1]!;
  for (let i = 0; i < n; i += 2) {
    const x = ring[i]!;
    const y = ring[i + 1]!;
    sum += px * y - x * py;
    px = x;
    py = y;
  }
  return sum / 2;
}
