/**
 * Reading what the canvas shows: whole-canvas snapshots compared inside the page (only a summary
 * crosses to Node), the image pixel the zoom badge reports under the mouse, and a mirror of the
 * page's camera for views reached by keys (same class, same inputs, checked against the badge).
 */
import type { Page } from 'playwright-core';
import { Camera } from '../editor/camera';
import { screenPoint, testId } from './e2e-support';

/** A rectangle in canvas CSS pixels (device pixel ratio 1): [x0, x1) x [y0, y1). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface CanvasDiff {
  /** Pixels whose RGB moved by more than the threshold (sum of channel differences). */
  count: number;
  /** Where they are; null when none changed. */
  bounds: Box | null;
}

declare global {
  interface Window {
    __e2eSnapshots?: Map<string, Uint8ClampedArray>;
  }
}

/** Keeps the canvas pixels under `name`, in the page. */
export async function snapshotCanvas(page: Page, name: string): Promise<void> {
  await page.evaluate((key) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="canvas"]')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    (window.__e2eSnapshots ??= new Map()).set(key, data);
  }, name);
}

/** Compares two snapshots taken by `snapshotCanvas`. */
export function diffSnapshots(
  page: Page,
  a: string,
  b: string,
  threshold = 24,
): Promise<CanvasDiff> {
  return page.evaluate(
    ({ a, b, threshold }) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="canvas"]')!;
      const first = window.__e2eSnapshots!.get(a)!;
      const second = window.__e2eSnapshots!.get(b)!;
      const width = canvas.width;
      let count = 0;
      let bounds: { x0: number; y0: number; x1: number; y1: number } | null = null;
      for (let i = 0; i < first.length; i += 4) {
        const delta =
          Math.abs(first[i]! - second[i]!) +
          Math.abs(first[i + 1]! - second[i + 1]!) +
          Math.abs(first[i + 2]! - second[i + 2]!);
        if (delta <= threshold) continue;
        count++;
        const x = (i / 4) % width;
        const y = Math.floor(i / 4 / width);
        if (!bounds) bounds = { x0: x, y0: y, x1: x + 1, y1: y + 1 };
        else {
          bounds.x0 = Math.min(bounds.x0, x);
          bounds.y0 = Math.min(bounds.y0, y);
          bounds.x1 = Math.max(bounds.x1, x + 1);
          bounds.y1 = Math.max(bounds.y1, y + 1);
        }
      }
      return { count, bounds };
    },
    { a, b, threshold },
  );
}

/** Takes a snapshot after `change` (and a frame to draw it) and compares it with `before`. */
export async function diffAfter(
  page: Page,
  before: string,
  after: string,
  change: () => Promise<unknown>,
): Promise<CanvasDiff> {
  await change();
  await nextFrames(page);
  await snapshotCanvas(page, after);
  return diffSnapshots(page, before, after);
}

/** Waits until the page has rendered two more frames (the canvas redraws on the next one). */
export function nextFrames(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
      ),
  );
}

/** Whether `inner` lies inside `outer` grown by `margin` pixels. */
export function within(inner: Box, outer: Box, margin = 0): boolean {
  return (
    inner.x0 >= outer.x0 - margin &&
    inner.y0 >= outer.y0 - margin &&
    inner.x1 <= outer.x1 + margin &&
    inner.y1 <= outer.y1 + margin
  );
}

/** The image pixel and zoom the badge shows for the mouse at a page point. */
export async function badgeAt(
  page: Page,
  at: { x: number; y: number },
): Promise<{ i: number; j: number; zoom: number }> {
  // The badge follows pointer moves: step off the point and back so it reads this very spot.
  await page.mouse.move(at.x + 3, at.y + 3);
  await page.mouse.move(at.x, at.y);
  const text = (await testId(page, 'zoom-badge').textContent()) ?? '';
  const m = /x (-?\d+)\s+y (-?\d+) · (\d+)%/.exec(text);
  if (!m) throw new Error(`The zoom badge shows "${text}" with the mouse on the image`);
  return { i: Number(m[1]), j: Number(m[2]), zoom: Number(m[3]) };
}

/** The zoom the badge shows, in percent. */
export async function badgeZoom(page: Page): Promise<number> {
  const text = (await testId(page, 'zoom-badge').textContent()) ?? '';
  const m = /(\d+)%$/.exec(text);
  if (!m) throw new Error(`No zoom in the badge: "${text}"`);
  return Number(m[1]);
}

/**
 * A camera like the page's, fitted to the same canvas and image; apply the same zoom steps the
 * keys apply to follow the page. `toPage` gives page coordinates for original image points (in
 * review mode `panes: 2`: the canvas is two panes sharing the camera; `pane` picks one).
 */
export async function mirrorCamera(
  page: Page,
  image: { width: number; height: number },
  panes: 1 | 2 = 1,
): Promise<{
  camera: Camera;
  /** Page point -> canvas point (what the camera calls screen). */
  toCanvas(p: { x: number; y: number }): { x: number; y: number };
  toPage(x: number, y: number, pane?: 0 | 1): { x: number; y: number };
}> {
  const box = await testId(page, 'canvas').boundingBox();
  if (!box) throw new Error('The canvas is not on screen');
  const camera = new Camera();
  const paneWidth = box.width / panes;
  camera.setViewport(paneWidth, box.height);
  camera.setImage(image.width, image.height);
  return {
    camera,
    toCanvas: (p) => ({ x: p.x - box.x, y: p.y - box.y }),
    toPage(x, y, pane = 0) {
      const p = camera.toScreen(x, y);
      return { x: box.x + pane * paneWidth + p.x, y: box.y + p.y };
    },
  };
}

/** An image rectangle (original pixels, x y w h) as a canvas box, with the view at "fit". */
export async function canvasBoxAtFit(
  page: Page,
  image: { width: number; height: number },
  [x, y, w, h]: readonly number[],
): Promise<Box> {
  const canvas = (await testId(page, 'canvas').boundingBox())!;
  const a = await screenPoint(page, image, x!, y!);
  const b = await screenPoint(page, image, x! + w!, y! + h!);
  return { x0: a.x - canvas.x, y0: a.y - canvas.y, x1: b.x - canvas.x, y1: b.y - canvas.y };
}

/** "#rrggbb" -> [r, g, b]. */
export function hexRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)) as [number, number, number];
}

/** Euclidean distance of two RGB colours (alpha ignored). */
export function colourDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}
