import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Request } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { EXAMPLE_PHOTOS } from '../../server/server-test-support.js';
import { wheelZoomFactor } from '../editor/camera';
import {
  badgeAt,
  canvasBoxAtFit,
  colourDistance,
  hexRgb,
  badgeZoom,
  diffAfter,
  diffSnapshots,
  mirrorCamera,
  nextFrames,
  snapshotCanvas,
  within,
  type Box,
} from './canvas-support';
import {
  describeInBrowser,
  canvasPixel,
  hoverImagePoint,
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
} from './e2e-support';
import { stripeColorAt, STRIPE_COLORS, writeStripedJpeg } from './generated-datasets';

const BIG = { path: 'stripes-6000x4000.jpg', width: 6000, height: 4000 };

describeInBrowser('the canvas: zoom, pan, tiles and view toggles in the browser', () => {
  let datasetDir = '';
  const rig = useRig(async () => {
    datasetDir = mkdtempSync(path.join(os.tmpdir(), 'sam-e2e-canvas-'));
    copyFileSync(path.join(EXAMPLE_PHOTOS, 'chelsea.png'), path.join(datasetDir, 'chelsea.png'));
    await writeStripedJpeg(path.join(datasetDir, BIG.path), BIG.width, BIG.height);
    return { datasetDir };
  });
  afterAll(() => {
    if (datasetDir) rmSync(datasetDir, { recursive: true, force: true });
  });

  it('zooms with the wheel about the cursor, pans with Space+drag and the middle button, fits with 0', async () => {
    const shots = new Shots('canvas-zoom-pan');
    const { page } = rig;
    const chelsea = rig.image('chelsea.png');
    await openPage(rig, chelsea.id);
    const detail = await imageDetail(rig, chelsea.id);
    // An image point away from the centre: zooming about the centre would move it.
    const target = { x: 100.5, y: 80.5 };
    const at = await hoverImagePoint(page, detail, target.x, target.y);
    const fitZoom = await badgeZoom(page);
    const mirror = await mirrorCamera(page, detail);
    expect(fitZoom).toBe(Math.round(mirror.camera.scale * 100));
    await shots.take(page, 'fit');

    // Two wheel notches in, over the point: it stays under the cursor while the zoom grows.
    for (let k = 0; k < 2; k++) {
      await page.mouse.wheel(0, -300);
      const c = mirror.toCanvas(at);
      mirror.camera.zoomAt(c.x, c.y, wheelZoomFactor(-300, 0));
      await until(() => badgeZoom(page)).toBe(Math.round(mirror.camera.scale * 100));
      expect(await badgeAt(page, at)).toMatchObject({ i: 100, j: 80 });
    }
    expect(mirror.camera.scale).toBeGreaterThan(1.4 * (fitZoom / 100));
    // Elsewhere the view is the mirror's: the zoom was about the cursor, not the centre.
    expect(await badgeAt(page, mirror.toPage(300.5, 200.5))).toMatchObject({ i: 300, j: 200 });
    await shots.take(page, 'wheel-zoomed');
    // A click there prompts at the same original point (within half a screen pixel).
    const scale = mirror.camera.scale;
    const body = await nextPredict(page, () => page.mouse.click(at.x, at.y));
    expect(body.points).toHaveLength(1);
    expect(Math.abs(body.points[0]!.x - target.x)).toBeLessThan(0.5 / scale + 0.01);
    expect(Math.abs(body.points[0]!.y - target.y)).toBeLessThan(0.5 / scale + 0.01);
    await testId(page, 'candidate-0').waitFor();
    await page.keyboard.press('Escape');
    await until(() => testId(page, 'candidate-bar').innerHTML()).toBe('');

    // Space+drag pans, even with the box tool (where a plain drag draws a box); no prompt.
    await page.keyboard.press('w');
    await until(textOf(testId(page, 'tool-prompt.toggle-tool'))).toBe('Box');
    const moved = { x: at.x + 90, y: at.y + 60 };
    const predicts = await predictsDuring(
      page,
      async () => {
        await page.mouse.move(at.x, at.y);
        await page.keyboard.down('Space');
        await page.mouse.down();
        await page.mouse.move(moved.x, moved.y, { steps: 6 });
        await page.mouse.up();
        await page.keyboard.up('Space');
        mirror.camera.panBy(moved.x - at.x, moved.y - at.y);
        expect(await badgeAt(page, moved)).toMatchObject({ i: 100, j: 80 });
        const far = mirror.toPage(300.5, 200.5);
        expect(await badgeAt(page, far)).toMatchObject({ i: 300, j: 200 });
        await shots.take(page, 'space-panned');
        // The middle button pans back.
        await page.mouse.move(moved.x, moved.y);
        await page.mouse.down({ button: 'middle' });
        await page.mouse.move(at.x, at.y, { steps: 6 });
        await page.mouse.up({ button: 'middle' });
        mirror.camera.panBy(at.x - moved.x, at.y - moved.y);
        expect(await badgeAt(page, at)).toMatchObject({ i: 100, j: 80 });
        const corner = mirror.toPage(30.5, 250.5);
        expect(await badgeAt(page, corner)).toMatchObject({ i: 30, j: 250 });
        await shots.take(page, 'middle-panned');
      },
      150,
    );
    expect(predicts).toEqual([]);
    expect(await testId(page, 'candidate-bar').innerHTML()).toBe('');
    await page.keyboard.press('w');
    await until(textOf(testId(page, 'tool-prompt.toggle-tool'))).toBe('Points');

    // 0 fits the image again (screenPoint checks the fit), and so does the toolbar button.
    await page.keyboard.press('0');
    await until(() => badgeZoom(page)).toBe(fitZoom);
    await hoverImagePoint(page, detail, target.x, target.y);
    await page.keyboard.press('-');
    await until(() => badgeZoom(page)).toBeLessThan(fitZoom);
    await testId(page, 'tool-view.fit').click();
    await until(() => badgeZoom(page)).toBe(fitZoom);
    await hoverImagePoint(page, detail, 400.5, 250.5);
    await shots.take(page, 'fit-again');
  });

  it('draws tiles of a 6000x4000 photo once zoomed past its display picture', async () => {
    const shots = new Shots('canvas-tiles');
    const { page } = rig;
    const big = rig.image(BIG.path);
    const tileRequests: URL[] = [];
    const countTiles = (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname.includes('/tiles/')) tileRequests.push(url);
    };
    page.on('request', countTiles);
    await openPage(rig, big.id);
    const detail = await imageDetail(rig, big.id);
    expect(detail).toMatchObject({ width: BIG.width, height: BIG.height });
    expect(detail.display.width).toBe(2048);
    expect(detail.tiles?.levels.map((l) => l.level).sort()).toEqual([0, 1]);
    const tileSize = detail.tiles!.tileSize;
    const mirror = await mirrorCamera(page, detail);
    const { camera } = mirror;
    /** Tiles of a level (2^level original px per tile px) over the part of the image on screen. */
    const tilesOnScreen = (level: number) => {
      const span = tileSize * 2 ** level;
      const view = camera.visibleImageRect();
      const cols = [Math.floor(view.x / span), Math.ceil((view.x + view.width) / span)];
      const rows = [Math.floor(view.y / span), Math.ceil((view.y + view.height) / span)];
      return { cols, rows, count: (cols[1]! - cols[0]!) * (rows[1]! - rows[0]!) };
    };
    const expectTiles = (level: number, onScreen: ReturnType<typeof tilesOnScreen>) => {
      expect(tileRequests.length).toBeGreaterThan(0);
      expect(tileRequests.length).toBeLessThanOrEqual(onScreen.count);
      for (const url of tileRequests) {
        const [l, col, row] = url.pathname.split('/').slice(-3).map(Number);
        expect(l, url.pathname).toBe(level);
        expect(col! >= onScreen.cols[0]! && col! < onScreen.cols[1]!, url.pathname).toBe(true);
        expect(row! >= onScreen.rows[0]! && row! < onScreen.rows[1]!, url.pathname).toBe(true);
      }
    };

    // At fit the display picture is enough: no tiles, and the stripes blend to purple.
    await nextFrames(page);
    expect(tileRequests).toEqual([]);
    const centre = mirror.toPage(BIG.width / 2, BIG.height / 2);
    for (const d of [-40, -13, 0, 7, 31]) {
      const [r, , b] = await canvasPixel(page, { x: centre.x + d, y: centre.y + d });
      expect(Math.abs(r - b), `blend at ${d}`).toBeLessThan(30);
      expect(r).toBeGreaterThan(70);
    }
    await shots.take(page, 'fit');

    // Zoom in (=) just past the display picture's resolution (2048 / 6000): tiles of level 1
    // (half size) are sharp enough; the steps before needed none.
    const displayScale = detail.display.width / detail.width;
    let steps = 0;
    while (camera.scale <= displayScale) {
      await page.keyboard.press('=');
      camera.zoomBy(1.25);
      steps++;
    }
    expect(camera.scale * detail.width, `${steps} steps`).toBeLessThanOrEqual(3000);
    await until(() => badgeZoom(page)).toBe(Math.round(camera.scale * 100));
    await until(() => tileRequests.length).toBeGreaterThan(0);
    await nextFrames(page);
    expectTiles(1, tilesOnScreen(1));
    await shots.take(page, 'tiles-level-1');

    // 1:1 (Alt+0), then four steps in: tiles of level 0, for the part on screen only.
    tileRequests.length = 0;
    await page.keyboard.press('Alt+0');
    camera.zoomTo(1);
    const atOneToOne = tilesOnScreen(0);
    for (let k = 0; k < 4; k++) {
      await page.keyboard.press('=');
      camera.zoomBy(1.25);
    }
    await until(() => badgeZoom(page)).toBe(Math.round(camera.scale * 100));
    expect(await badgeAt(page, mirror.toPage(2999.5, 1999.5))).toMatchObject({
      i: 2999,
      j: 1999,
    });
    await until(() => tileRequests.length).toBeGreaterThan(0);
    // (A frame may have been drawn at 1:1 on the way: its view holds the final one.)
    expectTiles(0, atOneToOne);

    // The stripes (2 original px, ~5 screen px) show red and blue: only tiles can. (Tiles are
    // JPEG with halved chroma, so the colours are duller than the file's, never blended.)
    const stripeCentres = Array.from({ length: 12 }, (_, k) => 2990 + 2 * k + 1);
    const expectStripes = async () => {
      for (const x of stripeCentres) {
        const [r, , b] = await canvasPixel(page, mirror.toPage(x, 2000.5));
        const shown = r - b > 50 ? 'red' : b - r > 50 ? 'blue' : 'blend';
        const want = stripeColorAt(x) === STRIPE_COLORS[0] ? 'red' : 'blue';
        if (shown !== want) return `x ${x}: ${shown} (${r}, ${b}), want ${want}`;
      }
      return 'stripes';
    };
    await until(expectStripes).toBe('stripes');
    await shots.take(page, 'tiles-level-0');

    // Fit again (0): the display picture, no new tiles asked for.
    await page.keyboard.press('0');
    await nextFrames(page);
    const asked = tileRequests.length;
    await nextFrames(page);
    expect(tileRequests.length).toBe(asked);
    const [r, , b] = await canvasPixel(page, centre);
    expect(Math.abs(r - b)).toBeLessThan(30);
    page.off('request', countTiles);
  });

  it('m, b, l, t and [ ] change what the canvas draws, and only there', async () => {
    const shots = new Shots('canvas-toggles');
    const { page } = rig;
    const chelsea = rig.image('chelsea.png');
    const cat = rig.cls('cat');
    const { change } = await makeObject(rig, chelsea.id, cat.id, {
      points: [{ x: 225, y: 150, label: 1 }],
    });
    const object = change.objects[0]!;
    await openPage(rig, chelsea.id);
    const detail = await imageDetail(rig, chelsea.id);
    await page.mouse.move(5, 5);
    const bbox = await canvasBoxAtFit(page, detail, object.bbox);
    await nextFrames(page);
    await snapshotCanvas(page, 'base');
    await shots.take(page, 'base');

    // Each key changes pixels in its own place; pressing it again restores the same picture.
    const area = (bbox.x1 - bbox.x0) * (bbox.y1 - bbox.y0);
    const perimeter = 2 * (bbox.x1 - bbox.x0 + bbox.y1 - bbox.y0);
    const cases: [key: string, where: Box, count: [min: number, max: number]][] = [
      // Mask fills: inside the object's box, a good part of it.
      ['m', bbox, [0.1 * area, area]],
      // Boxes (off by default): the outline only, a line or two of pixels.
      ['b', bbox, [perimeter / 2, 3 * perimeter]],
      // Labels: the class name above the box's top-left corner.
      ['l', { x0: bbox.x0, y0: bbox.y0 - 19, x1: bbox.x0 + 120, y1: bbox.y0 }, [60, 120 * 19]],
    ];
    for (const [key, where, [min, max]] of cases) {
      const diff = await diffAfter(page, 'base', `after-${key}`, () => page.keyboard.press(key));
      expect(diff.count, key).toBeGreaterThan(min);
      expect(diff.count, key).toBeLessThan(max);
      expect(within(diff.bounds!, where, 2), `${key}: ${JSON.stringify(diff)}`).toBe(true);
      await shots.take(page, `after-${key}`);
      const back = await diffAfter(page, 'base', `back-${key}`, () => page.keyboard.press(key));
      expect(back.count, `${key} twice`).toBe(0);
    }

    // Opacity: ] brings a mask pixel nearer its class colour, [ farther; only the mask moves.
    const inside = await screenPoint(page, detail, 225, 150);
    const distance = (p: readonly number[]) => colourDistance(p, hexRgb(cat.color));
    const before = distance(await canvasPixel(page, inside));
    const up = await diffAfter(page, 'base', 'opacity-up', () => page.keyboard.press(']'));
    expect(within(up.bounds!, bbox, 2)).toBe(true);
    const nearer = distance(await canvasPixel(page, inside));
    expect(nearer).toBeLessThan(before - 5);
    await shots.take(page, 'opacity-up');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await nextFrames(page);
    expect(distance(await canvasPixel(page, inside))).toBeGreaterThan(before + 5);
    await shots.take(page, 'opacity-down');
    await page.keyboard.press(']');
    await nextFrames(page);
    await snapshotCanvas(page, 'opacity-back');
    expect((await diffSnapshots(page, 'base', 'opacity-back')).count).toBe(0);

    // t: the prompt points. A click on the background prompts; t hides its marker.
    const background = { x: 30.5, y: 270.5 };
    const at = await screenPoint(page, detail, background.x, background.y);
    await page.mouse.click(at.x, at.y);
    await testId(page, 'candidate-0').waitFor();
    await until(() => testId(page, 'prompt-pending').count()).toBe(0);
    await page.mouse.move(5, 5);
    await nextFrames(page);
    await snapshotCanvas(page, 'prompted');
    const canvas = (await testId(page, 'canvas').boundingBox())!;
    const marker = { x0: at.x - canvas.x - 9, y0: at.y - canvas.y - 9, x1: 0, y1: 0 };
    marker.x1 = marker.x0 + 18;
    marker.y1 = marker.y0 + 18;
    const points = await diffAfter(page, 'prompted', 'no-points', () => page.keyboard.press('t'));
    expect(points.count).toBeGreaterThan(40);
    expect(within(points.bounds!, marker), JSON.stringify(points)).toBe(true);
    await shots.take(page, 'points-hidden');
    await page.keyboard.press('t');
    await page.keyboard.press('Escape');
    await until(() => testId(page, 'candidate-bar').innerHTML()).toBe('');
  });
});
