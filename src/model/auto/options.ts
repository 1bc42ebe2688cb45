import type { Segmenter } from '../segmenter.js';

/** Bad automatic-mask-generation settings; `field` names the option, `value` what was given. */
export class AutoMaskOptionError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(message);
    this.name = 'AutoMaskOptionError';
  }
}

/** The tunable settings of "segment everything" (SamAutomaticMaskGenerator's parameters). */
export interface AutoMaskSettings {
  /** Grid points per side of the image (and of every crop): points at cell centres. */
  pointsPerSide: number;
  /** Points decoded between progress reports and abort checks. */
  pointsPerBatch: number;
  /** Keep candidates whose predicted IoU is above this (0 keeps all). */
  predIouThresh: number;
  /** Keep candidates whose stability score is at least this (0 keeps all). */
  stabilityThresh: number;
  /** Box IoU above which the lower-scored of two masks of one crop is dropped. */
  boxNmsThresh: number;
  /** Crop layers beyond the whole picture: layer i cuts it into 2^i x 2^i overlapping crops. */
  cropLayers: number;
  /** Overlap of neighbouring crops, as a share of the picture's short side (scaled per layer). */
  cropOverlapRatio: number;
  /** Box IoU above which masks from different crops are duplicates (the smaller crop's wins). */
  cropNmsThresh: number;
  /** Masks whose box lies within this many pixels of an inner crop edge are cut off: dropped. */
  cropEdgeMargin: number;
  /** Holes and islands below this many pixels are filled / removed; 0 turns cleanup off. */
  minRegionArea: number;
}

/** SAM 1's defaults (MODELS.md "Automatic mask generation"). */
export const SAM1_AUTO_MASK_DEFAULTS: Readonly<AutoMaskSettings> = Object.freeze({
  pointsPerSide: 32,
  pointsPerBatch: 64,
  predIouThresh: 0.88,
  stabilityThresh: 0.95,
  boxNmsThresh: 0.7,
  cropLayers: 0,
  cropOverlapRatio: 512 / 1500,
  cropNmsThresh: 0.7,
  cropEdgeMargin: 20,
  minRegionArea: 0,
});

/**
 * A smaller grid for the default segmenter, whose GrabCut costs ~0.25 s a click at 1024 px
 * (64 clicks: ~15 s an image instead of ~4 min for 32 x 32). Its predicted IoU is its colour
 * models' agreement with the mask and its stability is always 1: the SAM 1 thresholds apply as
 * they are (the IoU one drops its degenerate answers, the stability one never triggers).
 */
export const DEFAULT_SEGMENTER_POINTS_PER_SIDE = 8;

/** The defaults for a backend: SAM 1's; SAM 2 keeps candidates above IoU 0.8. */
export function autoMaskDefaults(kind: Segmenter['kind']): AutoMaskSettings {
  const defaults = { ...SAM1_AUTO_MASK_DEFAULTS };
  if (kind === 'sam2') defaults.predIouThresh = 0.8;
  if (kind === 'default') defaults.pointsPerSide = DEFAULT_SEGMENTER_POINTS_PER_SIDE;
  return defaults;
}

type Rule = (value: number) => string | null;

const wholeNumber =
  (min: number, max: number): Rule =>
  (v) =>
    Number.isInteger(v) && v >= min && v <= max ? null : `a whole number from ${min} to ${max}`;
const share: Rule = (v) => (v >= 0 && v <= 1 ? null : 'a number from 0 to 1');
const nonNegative: Rule = (v) => (v >= 0 ? null : 'a number of at least 0');
const below1: Rule = (v) => (v >= 0 && v < 1 ? null : 'a number from 0 up to (not including) 1');

/**
 * Score thresholds may exceed 1 (nothing passes, as in the reference); everything else has a
 * range where the algorithm means something. 4 crop layers are already 340 encoder runs.
 */
const RULES: Record<keyof AutoMaskSettings, Rule> = {
  pointsPerSide: wholeNumber(1, 1024),
  pointsPerBatch: wholeNumber(1, 1_000_000),
  predIouThresh: nonNegative,
  stabilityThresh: nonNegative,
  boxNmsThresh: share,
  cropLayers: wholeNumber(0, 4),
  cropOverlapRatio: below1,
  cropNmsThresh: share,
  cropEdgeMargin: nonNegative,
  minRegionArea: wholeNumber(0, Number.MAX_SAFE_INTEGER),
};

/** The backend's defaults overridden by `overrides`; throws AutoMaskOptionError naming a bad one. */
export function resolveAutoMaskSettings(
  kind: Segmenter['kind'],
  overrides: Partial<AutoMaskSettings> = {},
): AutoMaskSettings {
  const settings = autoMaskDefaults(kind);
  for (const [field, value] of Object.entries(overrides) as [keyof AutoMaskSettings, unknown][]) {
    if (value === undefined) continue;
    const rule = RULES[field];
    if (!rule) {
      throw new AutoMaskOptionError(
        `unknown automatic mask option "${field}" (known: ${Object.keys(RULES).join(', ')})`,
        field,
        value,
      );
    }
    const problem =
      typeof value === 'number' && Number.isFinite(value) ? rule(value) : 'a finite number';
    if (problem) {
      throw new AutoMaskOptionError(
        `${field} must be ${problem}, got ${JSON.stringify(value) ?? String(value)}`,
        field,
        value,
      );
    }
    settings[field] = value as number;
  }
  return settings;
}
