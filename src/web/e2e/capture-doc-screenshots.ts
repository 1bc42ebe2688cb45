/**
 * Makes the screenshots of docs/user-guide.md (docs/screenshots/*.png) from the real page over
 * the sample photos: `npx tsx src/web/e2e/capture-doc-screenshots.ts` after `npm run build:web`.
 * Not a test (the committed pictures would change on every run); rerun it when the page's look
 * changes. Pictures are palette-quantised PNGs, each kept under MAX_BYTES.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import {
  browserMissing,
  hoverImagePoint,
  imageDetail,
  makeObject,
  openPage,
  startRig,
  testId,
  waitForImage,
} from './e2e-support';

/** Polls `read` until `ok` holds (no test runner here to poll with). */
async function waitUntil<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`Still ${JSON.stringify(value)} after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const OUT = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const MAX_BYTES = 300 * 1024;

async function save(page: Page, name: string): Promise<void> {
  const raw = await page.screenshot();
  const file = path.join(OUT, `${name}.png`);
  await sharp(raw)
    .png({ palette: true, colours: 192, effort: 10, compressionLevel: 9 })
    .toFile(file);
  const bytes = statSync(file).size;
  if (bytes > MAX_BYTES) throw new Error(`${file} is ${bytes} bytes, over ${MAX_BYTES}`);
  console.log(`${path.relative(process.cwd(), file)}  ${(bytes / 1024).toFixed(0)} KB`);
}

async function main(): Promise<void> {
  if (browserMissing()) process.exit(1);
  mkdirSync(OUT, { recursive: true });
  // A spoon is a small object here: the warnings show in the objects panel.
  const rig = await startRig({ set: { 'validation.minArea': '3000' } });
  try {
    const { page } = rig;
    const { image, cls } = rig;
    const chelsea = image('chelsea.png');
    const coffee = image('coffee.png');
    const rocket = image('more/rocket.jpg');

    // Some work done already: objects on two images (one overlapping pair, one small object).
    await makeObject(rig, coffee.id, cls('coffee cup').id, {
      points: [{ x: 290, y: 150, label: 1 }],
    });
    await makeObject(rig, coffee.id, cls('background object').id, {
      points: [{ x: 120, y: 230, label: 1 }],
    });
    await makeObject(rig, coffee.id, cls('background object').id, {
      points: [{ x: 360, y: 290, label: 1 }],
    });
    await makeObject(rig, coffee.id, cls('coffee cup').id, {
      points: [],
      box: { x0: 170, y0: 15, x1: 420, y1: 300 },
    });
    await makeObject(rig, rocket.id, cls('rocket').id, { points: [{ x: 320, y: 200, label: 1 }] });
    await fetch(new URL(`api/images/${rocket.id}/status`, rig.baseUrl), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'done' }),
    });

    // 1. Annotating: a click on the cat, three candidates.
    await openPage(rig, chelsea.id);
    const detail = await imageDetail(rig, chelsea.id);
    const at = await hoverImagePoint(page, detail, 225, 150);
    await page.mouse.click(at.x, at.y);
    await testId(page, 'candidate-0').waitFor();
    await waitUntil(
      () => testId(page, 'prompt-pending').count(),
      (n) => n === 0,
    );
    await page.waitForTimeout(300);
    await save(page, 'annotate-candidates');

    // 2. The objects panel with warnings (overlap, small area), one object selected.
    await page.keyboard.press('Escape');
    await testId(page, 'model-notice').getByRole('button').click();
    await page.keyboard.press('n');
    await waitForImage(page, coffee.id);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    // Every object has a warning: both cups (overlap), the saucer and the spoon (overlap, size).
    const warned = page.locator('[data-testid^="object-warning-"]');
    await waitUntil(
      () => warned.count(),
      (n) => n === 4,
    );
    await page.waitForTimeout(300);
    await save(page, 'objects-warnings');

    // 3. Review mode: the picture and the masks side by side.
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    await page.waitForTimeout(400);
    await save(page, 'review-mode');
    await page.keyboard.press('r');

    // 4. Statistics.
    await page.keyboard.press('g');
    await testId(page, 'chart-classes').waitFor();
    await page.waitForTimeout(200);
    await save(page, 'stats');
    await page.keyboard.press('Escape');

    // 5. Export dialog after a COCO export.
    await page.keyboard.press('e');
    await testId(page, 'export-start').click();
    await waitUntil(
      () => testId(page, 'export-state').textContent(),
      (text) => /done/.test(text ?? ''),
    );
    await save(page, 'export-dialog');
    await page.keyboard.press('Escape');

    // 6. Help: every shortcut.
    await page.keyboard.press('?');
    await testId(page, 'help-overlay').waitFor();
    await save(page, 'help');
  } finally {
    await rig.close();
  }
}

await main();
