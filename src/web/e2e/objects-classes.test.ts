import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createBitmap, encodeMask } from '../../geometry/index.js';
import { rleContains } from '../api/rle';
import type { ChangeResponse, ClassDto, ObjectDto, Rle } from '../api/types';
import {
  canvasBoxAtFit,
  colourDistance,
  diffAfter,
  hexRgb,
  nextFrames,
  snapshotCanvas,
  within,
} from './canvas-support';
import {
  apiGet,
  apiPost,
  describeInBrowser,
  canvasPixel,
  classOf,
  imageDetail,
  makeObject,
  objectsOf,
  openPage,
  screenPoint,
  Shots,
  testId,
  until,
  useRig,
} from './e2e-support';

/** A point inside `inside` and outside every mask of `outside`, scanning the first mask's box. */
function pointOnlyIn(inside: ObjectDto, outside: readonly ObjectDto[]): { x: number; y: number } {
  const [x0, y0, w, h] = inside.bbox;
  // From the box centre outwards, so the point is well inside rather than on an edge.
  const cx = x0 + w / 2;
  const cy = y0 + h / 2;
  const candidates: { x: number; y: number }[] = [];
  for (let y = Math.floor(y0) + 3; y < y0 + h - 3; y += 3) {
    for (let x = Math.floor(x0) + 3; x < x0 + w - 3; x += 3) candidates.push({ x, y });
  }
  candidates.sort((a, b) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b.x - cx, b.y - cy));
  const solid = (o: ObjectDto, x: number, y: number) =>
    [-2, 0, 2].every((dx) => [-2, 0, 2].every((dy) => rleContains(o.rle, x + dx, y + dy)));
  const found = candidates.find(
    ({ x, y }) =>
      solid(inside, x, y) &&
      outside.every((o) => [-2, 0, 2].every((d) => !rleContains(o.rle, x + d, y + d))),
  );
  if (!found) throw new Error(`No pixel of object ${inside.id} outside the others`);
  return { x: found.x + 0.5, y: found.y + 0.5 };
}

/** A square mask as COCO RLE. */
function squareRle(width: number, height: number, x0: number, y0: number, size: number): Rle {
  const mask = createBitmap(width, height);
  for (let y = y0; y < y0 + size; y++) mask.data.fill(1, y * width + x0, y * width + x0 + size);
  const { counts, size: rleSize } = encodeMask(mask);
  return { counts, size: rleSize };
}

const currentClassRow = (page: Page) => page.locator('.class-row.current');

/** Whether `item` lies wholly inside the visible part of the scrolling `list`. */
async function shownIn(list: Locator, item: Locator): Promise<boolean> {
  const [outer, inner] = await Promise.all([list.boundingBox(), item.boundingBox()]);
  return (
    !!outer &&
    !!inner &&
    inner.y >= outer.y - 0.5 &&
    inner.y + inner.height <= outer.y + outer.height + 0.5
  );
}

/** An object's row, by its area figure (a click on the class menu or a button does not select). */
const rowOf = (page: Page, object: ObjectDto) =>
  testId(page, `object-row-${object.id}`).locator('.area');

describeInBrowser('objects panel and classes in the browser', () => {
  const rig = useRig();

  it('selects, re-classes, hides and deletes objects; shows overlap and small-area warnings', async () => {
    const shots = new Shots('objects-panel');
    const { page } = rig;
    const coffee = rig.image('coffee.png');
    const cup = rig.cls('coffee cup');
    const coin = rig.cls('coin');
    const person = rig.cls('person');
    // The cup from a click, a square on it (an overlap), a 6x6 square under validation.minArea.
    await makeObject(rig, coffee.id, cup.id, { points: [{ x: 290, y: 150, label: 1 }] });
    for (const [x, y, size] of [
      [270, 130, 40],
      [40, 40, 6],
    ] as const) {
      await apiPost<ChangeResponse>(rig, `/api/images/${coffee.id}/objects`, {
        classId: coin.id,
        rle: squareRle(600, 400, x, y, size),
        source: 'manual',
      });
    }
    const [a, b, tiny] = await objectsOf(rig, coffee.id);
    expect(tiny!.area).toBe(36);

    await openPage(rig, coffee.id);
    const detail = await imageDetail(rig, coffee.id);
    await page.mouse.move(5, 5);
    for (const o of [a!, b!, tiny!]) await testId(page, `object-row-${o.id}`).waitFor();
    // Warnings: the overlap on both objects of the pair, the small area on the square.
    const warning = (o: ObjectDto) => testId(page, `object-warning-${o.id}`).getAttribute('title');
    expect(await warning(a!)).toMatch(/overlap/);
    expect(await warning(b!)).toMatch(/overlap/);
    expect(await warning(tiny!)).toMatch(/covers 36 pixels, less than validation\.minArea/);
    await shots.take(page, 'warnings');

    // Selecting a row highlights its object on the canvas (and only there).
    await nextFrames(page);
    await snapshotCanvas(page, 'plain');
    const boxA = await canvasBoxAtFit(page, detail, a!.bbox);
    const selected = await diffAfter(page, 'plain', 'selected', () => rowOf(page, a!).click());
    await until(classOf(testId(page, `object-row-${a!.id}`))).toMatch(/selected/);
    expect(selected.count).toBeGreaterThan(100);
    expect(within(selected.bounds!, boxA, 2)).toBe(true);
    await shots.take(page, 'selected');
    // Shift+click on the canvas selects the smallest object under the cursor.
    const onTiny = await screenPoint(page, detail, 43, 43);
    await page.keyboard.down('Shift');
    await page.mouse.click(onTiny.x, onTiny.y);
    await page.keyboard.up('Shift');
    await until(classOf(testId(page, `object-row-${tiny!.id}`))).toMatch(/selected/);
    expect(await testId(page, `object-row-${a!.id}`).getAttribute('class')).not.toMatch(/selected/);

    // Changing A's class in its row: stored, and its mask takes the new class colour.
    const onlyA = pointOnlyIn(a!, [b!, tiny!]);
    const atA = await screenPoint(page, detail, onlyA.x, onlyA.y);
    await page.mouse.move(5, 5);
    const before = await canvasPixel(page, atA);
    await testId(page, `object-class-${a!.id}`).selectOption(String(person.id));
    await until(async () => (await objectsOf(rig, coffee.id))[0]!.classId).toBe(person.id);
    await until(async () =>
      colourDistance(await canvasPixel(page, atA), hexRgb(person.color)),
    ).toBeLessThan(colourDistance(before, hexRgb(person.color)) - 20);
    await shots.take(page, 'reclassed');

    // Hide: the picture shows through where A was; show again: the same canvas as before.
    await nextFrames(page);
    await snapshotCanvas(page, 'shown');
    const hidden = await diffAfter(page, 'shown', 'hidden', () =>
      testId(page, `object-hide-${a!.id}`).click(),
    );
    await until(classOf(testId(page, `object-row-${a!.id}`))).toMatch(/hidden-object/);
    expect(hidden.count).toBeGreaterThan(100);
    expect(within(hidden.bounds!, boxA, 20)).toBe(true);
    await shots.take(page, 'hidden');
    await rowOf(page, a!).click();
    await page.keyboard.press('h');
    await until(classOf(testId(page, `object-row-${a!.id}`))).not.toMatch(/hidden-object/);
    await rowOf(page, tiny!).click(); // the selection as it was
    await nextFrames(page);
    const back = await diffAfter(page, 'shown', 'shown-again', () => nextFrames(page));
    expect(back.count).toBe(0);

    // Delete with Del: gone from the page and the store; the overlap warning goes with it.
    await rowOf(page, b!).click();
    await until(classOf(testId(page, `object-row-${b!.id}`))).toMatch(/selected/);
    await page.keyboard.press('Delete');
    await until(() => testId(page, `object-row-${b!.id}`).count()).toBe(0);
    expect((await objectsOf(rig, coffee.id)).map((o) => o.id)).toEqual([a!.id, tiny!.id]);
    await until(() => testId(page, `object-warning-${a!.id}`).count()).toBe(0);
    expect(await warning(tiny!)).toMatch(/minArea/);
    await until(() => testId(page, 'object-count').textContent()).toBe('2');
    await shots.take(page, 'deleted');
  });

  it('class picker searches, picks and creates; digits pick classes; a colour edit recolours masks', async () => {
    const shots = new Shots('classes');
    const { page } = rig;
    const chelsea = rig.image('chelsea.png');
    const cat = rig.cls('cat');
    const { change } = await makeObject(rig, chelsea.id, cat.id, {
      points: [{ x: 225, y: 150, label: 1 }],
    });
    const object = change.objects.at(-1)!;
    await openPage(rig, chelsea.id);
    const detail = await imageDetail(rig, chelsea.id);

    // k: the picker, its search focused; "co" keeps the classes with "co" in their name.
    await page.keyboard.press('k');
    await testId(page, 'class-picker').waitFor();
    await until(() =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
    ).toBe('class-search');
    await page.keyboard.type('co');
    const matches = rig.classes.filter((c) => c.name.includes('co'));
    expect(matches.map((c) => c.name)).toEqual(['coffee cup', 'coin']);
    const options = page.locator('[data-testid^="class-option-"]');
    await until(() => options.evaluateAll((els) => els.map((e) => e.dataset.testid))).toEqual(
      matches.map((c) => `class-option-${c.id}`),
    );
    await testId(page, 'class-create').waitFor();
    await shots.take(page, 'search-co');
    // ↓ then Enter: the second match becomes the class of new objects.
    await page.keyboard.press('ArrowDown');
    await until(classOf(options.nth(1))).toMatch(/highlight/);
    await page.keyboard.press('Enter');
    await until(() => testId(page, 'class-picker').count()).toBe(0);
    await until(classOf(testId(page, `class-row-${matches[1]!.id}`))).toMatch(/current/);

    // A name nobody has: Enter creates the class, stored, current, with a colour of its own.
    await page.keyboard.press('k');
    await page.keyboard.type('zebra');
    await until(() => options.count()).toBe(0);
    await page.keyboard.press('Enter');
    await until(() => testId(page, 'class-picker').count()).toBe(0);
    const zebra = (await apiGet<ClassDto[]>(rig, '/api/classes')).find((c) => c.name === 'zebra');
    expect(zebra).toBeDefined();
    await until(classOf(testId(page, `class-row-${zebra!.id}`))).toMatch(/current/);
    expect(rig.classes.map((c) => c.color)).not.toContain(zebra!.color);
    await shots.take(page, 'created');

    // Keys 1-9: the class at that place in the list (zebra is the tenth, out of reach).
    for (let n = 1; n <= 9; n++) {
      await page.keyboard.press(String(n));
      await until(() => currentClassRow(page).getAttribute('data-testid')).toBe(
        `class-row-${rig.classes[n - 1]!.id}`,
      );
      // The class list scrolls to keep the current class in sight.
      expect(await shownIn(testId(page, 'class-list'), currentClassRow(page)), `key ${n}`).toBe(
        true,
      );
    }
    await shots.take(page, 'key-9');

    // A new colour for the object's class: the overlay follows (and the swatches).
    const inside = await screenPoint(page, detail, 225.5, 150.5);
    await page.mouse.move(5, 5);
    await nextFrames(page);
    const green = '#00ff00';
    const before = await canvasPixel(page, inside);
    await testId(page, `class-color-${cat.id}`).fill(green);
    await until(async () => {
      const classes = await apiGet<ClassDto[]>(rig, '/api/classes');
      return classes.find((c) => c.id === cat.id)!.color;
    }).toBe(green);
    await until(async () =>
      colourDistance(await canvasPixel(page, inside), hexRgb(green)),
    ).toBeLessThan(colourDistance(before, hexRgb(green)) - 40);
    await until(() =>
      testId(page, `object-row-${object.id}`).locator('.swatch').getAttribute('style'),
    ).toMatch(/rgb\(0, 255, 0\)|#00ff00/);
    await shots.take(page, 'recoloured');
  });
});
