import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { EXAMPLE_PHOTOS } from '../../server/server-test-support.js';
import { rleContains } from '../api/rle';
import type { ImageListResponse } from '../api/types';
import { badgeZoom, hexRgb, mirrorCamera } from './canvas-support';
import {
  apiGet,
  describeInBrowser,
  canvasPixel,
  classOf,
  imageDetail,
  makeObject,
  nextPredict,
  openPage,
  predictsDuring,
  screenPoint,
  Shots,
  testId,
  textOf,
  until,
  useRig,
  waitForImage,
} from './e2e-support';

/** Sum of absolute RGB differences. */
function delta(a: readonly number[], b: readonly number[]): number {
  return [0, 1, 2].reduce((sum, c) => sum + Math.abs(a[c]! - b[c]!), 0);
}

/** The mean RGB of a 5x5 patch of a file, around an original pixel. */
async function filePatch(file: string, x: number, y: number): Promise<number[]> {
  const { data } = await sharp(file)
    .removeAlpha()
    .extract({ left: x - 2, top: y - 2, width: 5, height: 5 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mean = [0, 0, 0];
  for (let i = 0; i < data.length; i++) mean[i % 3]! += data[i]! / 25;
  return mean;
}

/** The <title> texts of a chart's bars ("label: value"). */
function barTitles(page: Page, chart: string): Promise<string[]> {
  return testId(page, chart).locator('rect > title').allTextContents();
}

/**
 * Runs in the page: pointer moves on the canvas from `from` to `to` (page points), evenly spread
 * over `ms`, as a mouse would send them. Resolves to the time it took.
 */
async function sweepPointer(args: {
  from: { x: number; y: number };
  to: { x: number; y: number };
  moves: number;
  ms: number;
}): Promise<number> {
  const { from, to, moves, ms } = args;
  const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="canvas"]')!;
  const start = performance.now();
  for (let k = 0; k < moves; k++) {
    const f = k / (moves - 1);
    canvas.dispatchEvent(
      new PointerEvent('pointermove', {
        bubbles: true,
        pointerId: 1,
        pointerType: 'mouse',
        isPrimary: true,
        button: -1,
        clientX: from.x + f * (to.x - from.x),
        clientY: from.y + f * (to.y - from.y),
      }),
    );
    const next = start + ((k + 1) * ms) / moves;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  return performance.now() - start;
}

describeInBrowser(
  'review mode, statistics, faulty images and the hover preview in the browser',
  () => {
    const rig = useRig();

    it('r shows the picture and the masks side by side, where clicks do not prompt', async () => {
      const shots = new Shots('review-mode');
      const { page } = rig;
      const chelsea = rig.image('chelsea.png');
      const cat = rig.cls('cat');
      const { change } = await makeObject(rig, chelsea.id, cat.id, {
        points: [{ x: 225, y: 150, label: 1 }],
      });
      const mask = change.objects[0]!.rle;
      await openPage(rig, chelsea.id);
      const detail = await imageDetail(rig, chelsea.id);
      const fitZoom = await badgeZoom(page);
      // A point on the cat (inside the mask) and one on the background (outside it).
      const onCat = { x: 225, y: 150 };
      const off = { x: 430, y: 280 };
      expect(rleContains(mask, onCat.x, onCat.y)).toBe(true);
      expect(rleContains(mask, off.x, off.y)).toBe(false);

      await page.keyboard.press('r');
      await until(textOf(testId(page, 'canvas-hint'))).toMatch(/^Review: picture \| masks/);
      await until(classOf(testId(page, 'tool-view.review'))).toMatch(/active/);
      const mirror = await mirrorCamera(page, detail, 2);
      // Each pane fits the image in half the width.
      await until(() => badgeZoom(page)).toBe(Math.round(mirror.camera.scale * 100));
      expect(mirror.camera.scale).toBeLessThan(fitZoom / 100);
      await page.mouse.move(5, 5);
      await shots.take(page, 'review');
      const centre = (p: { x: number; y: number }, pane: 0 | 1) =>
        mirror.toPage(p.x + 0.5, p.y + 0.5, pane);
      // Right pane: the mask alone, solid in its class colour, on black.
      const solid = await canvasPixel(page, centre(onCat, 1));
      expect(delta(solid, hexRgb(cat.color))).toBeLessThan(6);
      expect(delta(await canvasPixel(page, centre(off, 1)), [0, 0, 0])).toBeLessThan(6);
      // Left pane: the picture itself, no mask over it.
      const file = path.join(EXAMPLE_PHOTOS, 'chelsea.png');
      for (const p of [onCat, off]) {
        const shown = await canvasPixel(page, centre(p, 0));
        expect(delta(shown, await filePatch(file, p.x, p.y)), JSON.stringify(p)).toBeLessThan(45);
      }

      // A click in review mode does not prompt.
      const predicts = await predictsDuring(
        page,
        async () => {
          const at = centre(onCat, 0);
          await page.mouse.click(at.x, at.y);
        },
        150,
      );
      expect(predicts).toEqual([]);
      expect(await testId(page, 'candidate-bar').innerHTML()).toBe('');

      // r again: one pane, fitted to the whole width; clicks prompt again.
      await page.keyboard.press('r');
      await until(() => badgeZoom(page)).toBe(fitZoom);
      await until(classOf(testId(page, 'tool-view.review'))).not.toMatch(/active/);
      const at = await screenPoint(page, detail, onCat.x, onCat.y);
      const body = await nextPredict(page, () => page.mouse.click(at.x, at.y));
      expect(body.points).toHaveLength(1);
      await testId(page, 'candidate-0').waitFor();
      await page.keyboard.press('Escape');
      await shots.take(page, 'back');
    });

    it('f marks an image faulty (again: back to new), in the page, the list and the store', async () => {
      const shots = new Shots('mark-faulty');
      const { page } = rig;
      const rocket = rig.image('more/rocket.jpg');
      await openPage(rig, rocket.id);
      const faultyIds = async () =>
        (await apiGet<ImageListResponse>(rig, '/api/images?status=faulty')).items.map((i) => i.id);
      const dot = testId(page, `image-row-${rocket.id}`).locator('.dot');

      await page.keyboard.press('f');
      await until(textOf(testId(page, 'image-status'))).toBe('Faulty');
      await until(classOf(dot)).toMatch(/status-faulty/);
      await until(classOf(testId(page, 'tool-status.faulty'))).toMatch(/active/);
      expect(await faultyIds()).toEqual([rocket.id]);
      await shots.take(page, 'faulty');
      await page.keyboard.press('f');
      await until(textOf(testId(page, 'image-status'))).toBe('New');
      await until(classOf(dot)).toMatch(/status-new/);
      expect(await faultyIds()).toEqual([]);
      await page.keyboard.press('f');
      await until(textOf(testId(page, 'image-status'))).toBe('Faulty');
      expect(await faultyIds()).toEqual([rocket.id]);
    });

    it('g shows statistics whose totals and charts match the work done', async () => {
      const shots = new Shots('stats-page');
      const { page } = rig;
      const coffee = rig.image('coffee.png');
      const cup = rig.cls('coffee cup');
      const coin = rig.cls('coin');
      // After the tests above: chelsea has a cat (in progress), rocket is faulty. Now coffee
      // gets two objects and is marked done.
      await makeObject(rig, coffee.id, cup.id, { points: [{ x: 290, y: 150, label: 1 }] });
      await makeObject(rig, coffee.id, coin.id, { points: [{ x: 100, y: 60, label: 1 }] });
      await openPage(rig, coffee.id);
      await page.keyboard.press('d');
      await until(textOf(testId(page, 'image-status'))).toBe('Done');

      await page.keyboard.press('g');
      await testId(page, 'stats-page').waitFor();
      const cards = page.locator('.stats-cards .card .value');
      await until(() => cards.allTextContents()).toEqual(['3', '2 (67%)', '1 (33%)', '3']);
      await shots.take(page, 'stats');

      expect((await barTitles(page, 'chart-progress')).sort()).toEqual(
        ['Broken: 0', 'Done: 1', 'Faulty: 1', 'In progress: 1', 'New: 0'].sort(),
      );
      // The stacked bar splits its width by status: a third each for the three used.
      const widths = await testId(page, 'chart-progress')
        .locator('rect:has(title)')
        .evaluateAll((rects) =>
          rects.map((r) => [
            r.querySelector('title')!.textContent,
            Number(r.getAttribute('width')),
          ]),
        );
      for (const [title, width] of widths) {
        expect(width, String(title)).toBeCloseTo(String(title).endsWith(': 1') ? 460 / 3 : 0, 1);
      }
      const perClass = new Map(
        (await barTitles(page, 'chart-classes')).map((t) => {
          const m = /^(.*): (\d+) · /.exec(t)!;
          return [m[1], Number(m[2])] as const;
        }),
      );
      expect(Object.fromEntries(perClass)).toEqual(
        Object.fromEntries(
          rig.classes.map((c) => [c.name, { cat: 1, 'coffee cup': 1, coin: 1 }[c.name] ?? 0]),
        ),
      );
      expect(await barTitles(page, 'chart-objects-per-image')).toEqual(['0: 1', '1: 1', '2: 1']);
      const today = new Date().toISOString().slice(0, 10);
      expect(await barTitles(page, 'chart-rate')).toEqual([`${today.slice(5)}: 3 on ${today}`]);

      // g again closes it.
      await page.keyboard.press('g');
      await until(() => testId(page, 'stats-page').count()).toBe(0);
    });

    it('the hover preview sends few requests while the mouse sweeps the image for a second', async () => {
      const shots = new Shots('hover-throttle');
      const { page } = rig;
      const chelsea = rig.image('chelsea.png');
      await openPage(rig, chelsea.id);
      await waitForImage(page, chelsea.id);
      const detail = await imageDetail(rig, chelsea.id);
      await page.keyboard.press('i');
      await until(classOf(testId(page, 'tool-prompt.hover-preview'))).toMatch(/active/);
      // 50 moves over a second, left to right across the image. The moves are made in the page:
      // the server shares this process, and while it segments, Playwright's own mouse calls
      // wait for it (each move would take the length of a prediction).
      const from = await screenPoint(page, detail, 20, 150);
      const to = await screenPoint(page, detail, 430, 150);
      const last = { x: 430, y: 150 };
      await page.mouse.move(from.x, from.y);
      let elapsed = 0;
      const bodies = await predictsDuring(
        page,
        async () => {
          elapsed = await page.evaluate(sweepPointer, { from, to, moves: 50, ms: 1000 });
        },
        500,
      );
      expect(elapsed).toBeGreaterThanOrEqual(990);
      await shots.take(page, 'after-sweep');
      // Throttled (one request per interval at most, one in flight): a handful, not fifty.
      expect(bodies.length).toBeGreaterThanOrEqual(2);
      expect(bodies.length).toBeLessThanOrEqual(15);
      // The last position is always asked for, so the preview shows where the mouse stopped.
      const final = bodies.at(-1)!.points[0]!;
      expect(Math.abs(final.x - last.x)).toBeLessThan(1);
      expect(Math.abs(final.y - last.y)).toBeLessThan(1);
      await page.keyboard.press('i');
    });
  },
);
