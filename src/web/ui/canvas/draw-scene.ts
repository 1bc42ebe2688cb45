import type { CandidateDto, ClassDto, ObjectDto } from '../../api/types';
import type { Camera, Vec } from '../../editor/camera';
import type { EditorState } from '../../editor/editor-state';
import { warningsByObject } from '../../editor/object-warnings';
import { parseHexColor } from '../../api/mask-image';
import type { MaskSprite, MaskSprites } from './mask-sprites';

const CANDIDATE_EDGE = '#ffffff';
const SELECTED_EDGE = '#ffffff';
const PROMPT_BOX = '#ffd166';
const DRAG_BOX = '#4c8dff';
const FALLBACK_COLOR = '#a0a0a0';

export interface SceneInput {
  state: Readonly<EditorState>;
  camera: Camera;
  sprites: MaskSprites;
  classes: Map<number, ClassDto>;
  /** A box being dragged right now, in image pixels. */
  dragBox: { start: Vec; end: Vec } | null;
}

/** Draws one sprite where its region lies on screen; `alpha` for the fill, `edgeAlpha` for the outline. */
function drawSprite(
  ctx: CanvasRenderingContext2D,
  camera: Camera,
  sprite: MaskSprite,
  alpha: number,
  edgeAlpha: number,
): void {
  const { region } = sprite;
  const p = camera.toScreen(region.x, region.y);
  const w = sprite.fill.width * region.step * camera.scale;
  const h = sprite.fill.height * region.step * camera.scale;
  ctx.imageSmoothingEnabled = camera.scale * region.step < 1;
  if (alpha > 0) {
    ctx.globalAlpha = alpha;
    ctx.drawImage(sprite.fill, p.x, p.y, w, h);
  }
  if (edgeAlpha > 0) {
    // A one-pixel outline gets heavy at deep zoom: fade it as pixels grow.
    const pixel = camera.scale * region.step;
    ctx.globalAlpha = edgeAlpha * (pixel <= 2 ? 1 : pixel <= 6 ? 0.6 : 0.35);
    ctx.drawImage(sprite.edge, p.x, p.y, w, h);
  }
  ctx.globalAlpha = 1;
}

export function colorOf(
  classes: Map<number, ClassDto>,
  classId: number | null | undefined,
): string {
  return (
    (classId !== null && classId !== undefined && classes.get(classId)?.color) || FALLBACK_COLOR
  );
}

/** Masks of the saved objects (minus hidden ones and the one being refined). */
export function drawObjectMasks(
  ctx: CanvasRenderingContext2D,
  input: SceneInput,
  solid = false,
): void {
  const { state, camera, sprites, classes } = input;
  const editing = state.prompt.target;
  for (const object of state.objects) {
    if (state.hidden.has(object.id) || object.id === editing) continue;
    const color = colorOf(classes, object.classId);
    const selected = object.id === state.selectedObjectId;
    const sprite = sprites.forObject(object, color, selected ? SELECTED_EDGE : color);
    if (!sprite) continue;
    const alpha = solid
      ? 1
      : selected
        ? Math.min(1, state.view.opacity + 0.25)
        : state.view.opacity;
    drawSprite(ctx, camera, sprite, alpha, solid ? 0 : 1);
  }
}

/** The active candidate (strong, white outline) and the hover preview (faint). */
export function drawCandidates(ctx: CanvasRenderingContext2D, input: SceneInput): void {
  const { state, camera, sprites, classes } = input;
  const targetClass = state.objects.find((o) => o.id === state.prompt.target)?.classId;
  const color = colorOf(classes, targetClass ?? state.currentClassId);
  const active: CandidateDto | undefined = state.prompt.candidates[state.prompt.active];
  if (active) {
    const sprite = sprites.forCandidate(active, color, CANDIDATE_EDGE);
    if (sprite) drawSprite(ctx, camera, sprite, Math.max(0.5, state.view.opacity), 1);
    dashedRect(ctx, camera, active.bbox, CANDIDATE_EDGE, 0.7);
  } else if (state.hover && state.prompt.points.length === 0) {
    const sprite = sprites.forCandidate(state.hover, color, color);
    if (sprite) drawSprite(ctx, camera, sprite, 0.3, 0.9);
  }
}

export function drawBoxes(ctx: CanvasRenderingContext2D, input: SceneInput): void {
  const { state, camera, classes } = input;
  ctx.lineWidth = 1.5;
  for (const object of state.objects) {
    if (state.hidden.has(object.id)) continue;
    const [x, y, w, h] = object.bbox;
    const a = camera.toScreen(x, y);
    ctx.strokeStyle =
      object.id === state.selectedObjectId ? SELECTED_EDGE : colorOf(classes, object.classId);
    ctx.strokeRect(
      Math.round(a.x) + 0.5,
      Math.round(a.y) + 0.5,
      w * camera.scale,
      h * camera.scale,
    );
  }
}

/** Class names at the top-left of each object, in screen pixels so they stay sharp. */
export function drawLabels(ctx: CanvasRenderingContext2D, input: SceneInput): void {
  const { state, camera, classes } = input;
  ctx.font = '600 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  ctx.textBaseline = 'middle';
  const warnings = warningsByObject(state.objects);
  for (const object of state.objects) {
    if (state.hidden.has(object.id)) continue;
    drawLabel(ctx, camera, object, classes, (warnings.get(object.id)?.length ?? 0) > 0);
  }
}

function drawLabel(
  ctx: CanvasRenderingContext2D,
  camera: Camera,
  object: ObjectDto,
  classes: Map<number, ClassDto>,
  warned: boolean,
): void {
  const cls = classes.get(object.classId);
  const text = `${cls?.name ?? `class ${object.classId}`}${warned ? ' ⚠' : ''}`;
  const color = colorOf(classes, object.classId);
  const p = camera.toScreen(object.bbox[0], object.bbox[1]);
  const width = ctx.measureText(text).width + 10;
  const x = Math.round(p.x);
  const y = Math.round(p.y) - 18 < 0 ? Math.round(p.y) : Math.round(p.y) - 18;
  ctx.globalAlpha = 0.88;
  ctx.fillStyle = color;
  ctx.fillRect(x, y, width, 16);
  ctx.globalAlpha = 1;
  const [r, g, b] = parseHexColor(color);
  ctx.fillStyle = 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#111' : '#fff';
  ctx.fillText(text, x + 5, y + 8.5);
}

/** Prompt points (green +, red -), the prompt box, and a box being dragged. */
export function drawPrompt(ctx: CanvasRenderingContext2D, input: SceneInput): void {
  const { state, camera } = input;
  const box = state.prompt.box;
  if (box && state.view.showPoints) {
    dashedRect(ctx, camera, [box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0], PROMPT_BOX, 1);
  }
  if (input.dragBox) {
    const { start, end } = input.dragBox;
    const x = Math.min(start.x, end.x);
    const y = Math.min(start.y, end.y);
    dashedRect(
      ctx,
      camera,
      [x, y, Math.abs(end.x - start.x), Math.abs(end.y - start.y)],
      DRAG_BOX,
      1,
    );
  }
  if (!state.view.showPoints) return;
  for (const point of state.prompt.points) {
    const p = camera.toScreen(point.x, point.y);
    ctx.beginPath();
    ctx.arc(p.x, p.y, 6.5, 0, Math.PI * 2);
    ctx.fillStyle = point.label === 1 ? '#2fbf6a' : '#e5484d';
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(p.x - 3, p.y);
    ctx.lineTo(p.x + 3, p.y);
    if (point.label === 1) {
      ctx.moveTo(p.x, p.y - 3);
      ctx.lineTo(p.x, p.y + 3);
    }
    ctx.lineWidth = 1.6;
    ctx.stroke();
  }
}

function dashedRect(
  ctx: CanvasRenderingContext2D,
  camera: Camera,
  [x, y, w, h]: readonly number[],
  color: string,
  alpha: number,
): void {
  const a = camera.toScreen(x!, y!);
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = color;
  ctx.strokeRect(
    Math.round(a.x) + 0.5,
    Math.round(a.y) + 0.5,
    w! * camera.scale,
    h! * camera.scale,
  );
  ctx.restore();
}
