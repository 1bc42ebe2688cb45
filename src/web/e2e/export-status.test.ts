import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { cacheEvent, memoryEvent } from '../../server/status-publisher.js';
import { ACTIONS } from '../editor/actions/registry';
import { keyParts } from '../editor/actions/keys';
import {
  describeInBrowser,
  hoverImagePoint,
  imageDetail,
  makeObject,
  openPage,
  Shots,
  useRig,
  testId,
  textOf,
  until,
} from './e2e-support';

interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: { image_id: number; category_id: number; area: number; segmentation: unknown }[];
  categories: { id: number; name: string }[];
}

/** The key caps the help shows for an action: every key, a run of digits as first–last. */
function expectedCaps(keys: readonly string[]): string[] {
  const caps = keys.map((k) => keyParts(k).join('+'));
  return keys.length > 2 && keys.every((k) => /^[0-9]$/.test(k)) ? [caps[0]!, caps.at(-1)!] : caps;
}

describeInBrowser('export, help and status in the browser', () => {
  // No status timer here: the test publishes the memory and cache events itself.
  const rig = useRig({ statusIntervalMs: 3_600_000 });

  it('exports COCO from the export dialog and writes the object with its class name', async () => {
    const shots = new Shots('export-coco');
    const { page } = rig;
    const coffee = rig.image('coffee.png');
    const cup = rig.cls('coffee cup');
    // An object made through the API as the page would make it (the other tests click).
    const { change, candidate: best } = await makeObject(rig, coffee.id, cup.id, {
      points: [{ x: 290, y: 150, label: 1 }],
    });
    expect(change.objects).toHaveLength(1);

    await openPage(rig, coffee.id);
    await page.keyboard.press('e');
    await testId(page, 'export-dialog').waitFor();
    expect(await testId(page, 'export-format').inputValue()).toBe('coco');
    await shots.take(page, 'dialog');
    await testId(page, 'export-start').click();
    await until(textOf(testId(page, 'export-state'))).toMatch(/^COCO export done · 3 \/ 3 images$/);
    await shots.take(page, 'done');

    const output = (await testId(page, 'export-output').textContent())!;
    const file = path.join(output, 'annotations', 'instances_default.json');
    const coco = JSON.parse(await readFile(file, 'utf8')) as CocoFile;
    expect(coco.images.map((i) => i.file_name).sort()).toEqual(
      rig.images.map((i) => i.path).sort(),
    );
    expect(coco.annotations).toHaveLength(1);
    const [annotation] = coco.annotations;
    const category = coco.categories.find((c) => c.id === annotation!.category_id);
    expect(category?.name).toBe('coffee cup');
    expect(coco.images.find((i) => i.id === annotation!.image_id)).toMatchObject({
      file_name: 'coffee.png',
      width: 600,
      height: 400,
    });
    expect(annotation!.area).toBe(best.area);

    // The download link serves the same file.
    const href = await testId(page, 'export-download').getAttribute('href');
    const downloaded = await (await fetch(new URL(href!, rig.baseUrl))).text();
    expect(JSON.parse(downloaded)).toEqual(coco);

    await page.keyboard.press('Escape');
    await until(() => testId(page, 'export-dialog').count()).toBe(0);
  });

  it('help lists every action with its keys; the status bar and the critical-memory banner follow the server', async () => {
    const shots = new Shots('help-and-status');
    const { page } = rig;
    const chelsea = rig.image('chelsea.png');
    await openPage(rig, chelsea.id);

    await page.keyboard.press('?');
    await testId(page, 'help-overlay').waitFor();
    for (const action of ACTIONS) {
      const row = testId(page, `help-row-${action.id}`);
      expect(await row.count(), action.id).toBe(1);
      expect(await row.locator('span').first().textContent(), action.id).toContain(action.label);
      expect(await row.locator('kbd').allTextContents(), action.id).toEqual(
        expectedCaps(action.keys),
      );
    }
    await shots.take(page, 'help');
    await page.keyboard.press('?');
    await until(() => testId(page, 'help-overlay').count()).toBe(0);

    // Model at once; memory and cache as the server publishes them; latency after a click.
    const { context } = rig.test.server;
    await until(textOf(testId(page, 'status-model'))).toBe('built-in default segmenter · none');
    context.hub.publish('memory', memoryEvent(context));
    context.hub.publish('cache', cacheEvent(context));
    await until(() => testId(page, 'status-memory').getAttribute('data-level')).toBe('normal');
    await until(textOf(testId(page, 'status-memory'))).toMatch(/^Memory\d+% of [\d.]+ [KMGT]?B$/);
    await until(textOf(testId(page, 'status-cache'))).toMatch(/^Cache hits \d+%$/);
    const detail = await imageDetail(rig, chelsea.id);
    const at = await hoverImagePoint(page, detail, 225, 150);
    await page.mouse.click(at.x, at.y);
    await until(textOf(testId(page, 'status-latency'))).toMatch(/^Click \d+ ms/);
    context.hub.publish('cache', cacheEvent(context));
    await shots.take(page, 'status');

    // Critical memory: a banner that says so, and the meter turns critical; it goes when it ends.
    const budgetBytes = 8 * 1024 ** 3;
    context.hub.publish('memory', {
      level: 'critical',
      usedBytes: Math.round(0.97 * budgetBytes),
      budgetBytes,
      ratio: 0.97,
      gpu: null,
    });
    await testId(page, 'banner-memory').waitFor();
    expect(await testId(page, 'banner-memory').textContent()).toMatch(
      /^Memory is critical \(97% of 8(\.0)? GB\)/,
    );
    await until(() => testId(page, 'status-memory').getAttribute('data-level')).toBe('critical');
    await shots.take(page, 'memory-critical');
    context.hub.publish('memory', memoryEvent(context));
    await until(() => testId(page, 'banner-memory').count()).toBe(0);
  });
});
