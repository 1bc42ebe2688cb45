import { ColourModel } from './gmm.js';
import type { GrabCutModels } from './grabcut.js';
import type { EdgeDecision } from './upscale.js';
import type { Plane } from './working-image.js';

/**
 * Settles edge pixels by colour at the working picture's full resolution: the cut was made on
 * a coarser frame, so along the outline its mask is only known to within a frame pixel. The
 * pixel's object probability under the cut's two colour models, p, moves the sampled mask value
 * by weight * (p - 0.5) before the threshold at 0.5: a pixel the models clearly place can cross
 * the outline, one they are unsure of stays with the mask.
 */
export function colourEdges(picture: Plane, models: GrabCutModels, weight: number): EdgeDecision {
  if (weight === 0) return (soft) => soft >= 0.5;
  const object = new ColourModel(models.object);
  const background = new ColourModel(models.background);
  const data = picture.data;
  return (soft, workingIndex) => {
    const p = workingIndex * 3;
    const a = data[p]!;
    const b = data[p + 1]!;
    const c = data[p + 2]!;
    const f = object.density(a, b, c);
    const g = background.density(a, b, c);
    const posterior = f + g > 0 ? f / (f + g) : 0.5;
    return soft + weight * (posterior - 0.5) >= 0.5;
  };
}
