/**
 * Plain value types shared by every geometry file. Coordinates are continuous: (0, 0) is the
 * top-left corner of the top-left pixel and pixel (i, j) covers [i, i+1) x [j, j+1).
 */

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A box by its corners: (x0, y0) top-left, (x1, y1) bottom-right (the SAM prompt form). */
export interface BoxCorners {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A COCO box: [x, y, width, height] of the pixel-edge rectangle. */
export type BboxXywh = [x: number, y: number, width: number, height: number];

/** A closed ring as a flat list [x0, y0, x1, y1, ...]; the first point is not repeated at the end. */
export type FlatRing = number[];

/** One connected part: its outer boundary and the boundaries of its holes. */
export interface PolygonWithHoles {
  outer: FlatRing;
  holes: FlatRing[];
}
