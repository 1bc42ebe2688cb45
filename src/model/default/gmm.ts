/**
 * GrabCut's colour models read back from OpenCV: a 1x65 float64 Mat per model, laid out as in
 * imgproc/src/grabcut.cpp (class GMM): 5 component weights, then 5 means (3 each), then 5
 * covariance matrices (9 each, row-major).
 */
export const GMM_COMPONENTS = 5;
export const GMM_MODEL_SIZE = GMM_COMPONENTS * (1 + 3 + 9);

interface Component {
  /** weight / sqrt(det(cov)): OpenCV's density without the (2 pi)^-3/2 both models share. */
  scale: number;
  mean: [number, number, number];
  /** Inverse covariance, row-major. */
  inverse: number[];
}

/** A Gaussian mixture over 3-channel colours. */
export class ColourModel {
  private readonly components: Component[];

  constructor(params: ArrayLike<number>) {
    if (params.length !== GMM_MODEL_SIZE) {
      throw new Error(`a GrabCut colour model has ${GMM_MODEL_SIZE} values, got ${params.length}`);
    }
    this.components = [];
    for (let k = 0; k < GMM_COMPONENTS; k++) {
      const weight = params[k]!;
      if (!(weight > 0)) continue;
      const m = GMM_COMPONENTS + 3 * k;
      const c = GMM_COMPONENTS * 4 + 9 * k;
      const cov = Array.from({ length: 9 }, (_, i) => params[c + i]!);
      const inverse = invert3(cov);
      if (!inverse) continue;
      this.components.push({
        scale: weight / Math.sqrt(inverse.det),
        mean: [params[m]!, params[m + 1]!, params[m + 2]!],
        inverse: inverse.matrix,
      });
    }
  }

  /** Mixture density at colour (a, b, c), up to the constant factor both models share. */
  density(a: number, b: number, c: number): number {
    let sum = 0;
    for (const { scale, mean, inverse: q } of this.components) {
      const d0 = a - mean[0];
      const d1 = b - mean[1];
      const d2 = c - mean[2];
      const mahalanobis =
        d0 * (q[0]! * d0 + q[1]! * d1 + q[2]! * d2) +
        d1 * (q[3]! * d0 + q[4]! * d1 + q[5]! * d2) +
        d2 * (q[6]! * d0 + q[7]! * d1 + q[8]! * d2);
      sum += scale * Math.exp(-0.5 * mahalanobis);
    }
    return sum;
  }
}

function invert3(m: number[]): { matrix: number[]; det: number } | null {
  const [a, b, c, d, e, f, g, h, i] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(det > 0)) return null;
  const matrix = [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
  return { matrix, det };
}

const AGREEMENT_SAMPLES = 10_000;

/**
 * How far a cut agrees with its own colour models: the IoU between the mask and the pixels the
 * two models alone would call object (object density above background density). A cut that
 * took part of a colour region and left the rest (one stripe of a striped object, half of a
 * flat one) disagrees with its models; one that follows colour boundaries agrees. Used as the
 * candidates' predicted IoU.
 */
export function colourAgreement(
  pixels: Uint8Array,
  mask: Uint8Array,
  object: ColourModel,
  background: ColourModel,
): number {
  let inter = 0;
  let union = 0;
  // A score needs no more than a sample: every step-th pixel, about AGREEMENT_SAMPLES of them.
  const step = Math.max(1, Math.floor(mask.length / AGREEMENT_SAMPLES));
  for (let i = 0, p = 0; i < mask.length; i += step, p += 3 * step) {
    const a = pixels[p]!;
    const b = pixels[p + 1]!;
    const c = pixels[p + 2]!;
    const byColour = object.density(a, b, c) > background.density(a, b, c);
    const inMask = mask[i] !== 0;
    if (byColour || inMask) union++;
    if (byColour && inMask) inter++;
  }
  return union === 0 ? 0 : inter / union;
}
