import { MODEL_SIZE } from './model-frame.js';
import type { GraphBuilder } from './onnx-graph.js';

/**
 * Graph pieces that work on a regular G x G grid of cells over the 1024 model frame, with the
 * prompt batch B and a per-prompt axis K (points or colours) in front: [B,K,G,G].
 */

/** An energy that makes a cell's weight exp(-FAR) = 0. */
export const FAR = 1e4;

/** A [1,3,G,G] normalised RGB map on a G x G grid over the model frame. */
export interface ColourMap {
  colour: string;
  /** [1,1,G,G], 1 = image, 0 = padding; null when the whole frame is image. */
  valid: string | null;
  size: number;
}

/** Box edges in model-frame pixels, [B,1,1,1] each. */
export interface Box {
  left: string;
  right: string;
  top: string;
  bottom: string;
}

/** Cell-centre coordinates of a G grid: x as [1,1,1,G], y as [1,1,G,1]. */
export function gridAxes(g: GraphBuilder, size: number): { x: string; y: string } {
  const centres = Array.from({ length: size }, (_, i) => ((i + 0.5) * MODEL_SIZE) / size);
  return {
    x: g.once(`grid-x:${size}`, () => g.constFloat(centres, [1, 1, 1, size])),
    y: g.once(`grid-y:${size}`, () => g.constFloat(centres, [1, 1, size, 1])),
  };
}

/** FAR where `flag` is 0, 0 where it is 1: added to energies or distances to rule cells out. */
export function farUnless(g: GraphBuilder, flag: string): string {
  return g.mul(g.sub(g.scalar(1), flag), g.scalar(FAR));
}

/** [B,1,G,G]: 1 where a cell centre lies inside `box` shrunk by `inset` ([B,1,1,1] x and y). */
export function insideBox(
  g: GraphBuilder,
  size: number,
  box: Box,
  inset?: { x: string; y: string },
): string {
  const { x, y } = gridAxes(g, size);
  const within = (v: string, lo: string, hi: string, by: string | undefined): string =>
    g.mul(
      g.compare('GreaterOrEqual', v, by === undefined ? lo : g.add(lo, by)),
      g.compare('LessOrEqual', v, by === undefined ? hi : g.sub(hi, by)),
    );
  return g.mul(within(x, box.left, box.right, inset?.x), within(y, box.top, box.bottom, inset?.y));
}

/** [B,N,G,G] squared pixel distance from every point (px, py: [B,N,1,1]) to every cell centre. */
export function squaredDistances(g: GraphBuilder, px: string, py: string, size: number): string {
  const { x, y } = gridAxes(g, size);
  return g.add(g.square(g.sub(x, px)), g.square(g.sub(y, py)));
}

/** [B,K,G,G] energies -> [B,K,3] colours: mean of the map under weights exp(-energy). */
export function weightedColours(g: GraphBuilder, energy: string, map: ColourMap): string {
  const e = map.valid ? g.add(energy, farUnless(g, map.valid)) : energy;
  // Shift so the best cell has weight 1: no underflow when every cell is far away.
  const weights = g.exp(g.neg(g.sub(e, g.reduceMin(e, [2, 3]))));
  const normalised = g.div(weights, g.reduceSum(weights, [2, 3]));
  const cells = map.size * map.size;
  const perCell = g.transpose(g.reshape(map.colour, [3, cells]), [1, 0]);
  return g.matmul(g.reshape(normalised, [0, 0, cells]), perCell);
}

/** [B,K,3] colours -> [B,K,G,G] Euclidean colour distance of every cell of `map`. */
export function colourDistances(g: GraphBuilder, colours: string, map: ColourMap): string {
  const cells = map.size * map.size;
  const perChannel = g.reshape(map.colour, [3, cells]);
  // |x - c|^2 = |x|^2 - 2 x.c + |c|^2, with x.c as one MatMul.
  const squared = g.add(
    g.sub(
      g.reduceSum(g.square(perChannel), [0]),
      g.mul(g.matmul(colours, perChannel), g.scalar(2)),
    ),
    g.reduceSum(g.square(colours), [2]),
  );
  const distance = g.sqrt(g.add(g.relu(squared), g.scalar(1e-6)));
  return g.reshape(distance, [0, 0, map.size, map.size]);
}
