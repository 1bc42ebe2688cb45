export interface SegmentOptions {
  /** Frame pixels of the whole-picture pass that finds the object and its colour models. */
  coarsePixels: number;
  coarseIterations: number;
  /** Frame pixels of the pass that draws the outline over the region of interest. */
  finePixels: number;
  /** GrabCut rounds of a box prompt (the fine pass of clicks reuses the coarse models). */
  boxIterations: number;
  /** Radius of the definite label painted around each click, in working pixels. */
  seedRadius: number;
  /** Region of interest around the coarse extent: this share of its longest side, plus pad. */
  roiMargin: number;
  roiPad: number;
  /** Smallest side of the region of interest, in working pixels (context for small objects). */
  roiMinSide: number;
  /** How many times a small object's region may grow where the object runs into its edge. */
  roiGrowRounds: number;
  /** Half-width, in coarse pixels, of the band around the coarse outline that the fine cut redraws. */
  bandCells: number;
  /**
   * Distances (8-bit Lab) from the clicked colour under which border pixels count as object when
   * the object fills the picture, tried in order until a cut does not collapse.
   */
  frameFillDistances: number[];
  /** Weight of colour against the sampled mask on the outline at full resolution (edges.ts). */
  edgeColourWeight: number;
  /** Coarse masks of fewer pixels than this do not give colour models to the fine pass. */
  minCoarseCells: number;
  /** Gaussian kernel sizes (odd) of the watershed starts: one hypothesis each. */
  watershedBlurs: number[];
}

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = {
  coarsePixels: 12_000,
  coarseIterations: 3,
  finePixels: 40_000,
  boxIterations: 3,
  seedRadius: 3,
  roiMargin: 0.25,
  roiPad: 16,
  roiMinSide: 160,
  roiGrowRounds: 2,
  bandCells: 2,
  frameFillDistances: [32, 40],
  minCoarseCells: 300,
  edgeColourWeight: 1,
  watershedBlurs: [5, 11],
};
