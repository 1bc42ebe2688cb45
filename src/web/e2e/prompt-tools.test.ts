import { expect, it } from 'vitest';
import { rleContains } from '../api/rle';
import type { ImageListResponse } from '../api/types';
import {
  apiGet,
  describeInBrowser,
  classOf,
  imageDetail,
  objectsOf,
  openPage,
  screenPoint,
  Shots,
  useRig,
  testId,
  textOf,
  until,
  waitForImage,
} from './e2e-support';

describeInBrowser('prompt tools and the keyboard in the browser', () => {
  const rig = useRig();

  /**
   * Everything from the keyboard but the click that places the prompt: the page has no way to
   * aim a point without a pointer, so the mouse does that one click.
   */
  it('annotates with the keyboard: jump, accept, re-class with a digit, mark done, next image', async () => {
    const shots = new Shots('keyboard-flow');
    const { page } = rig;
    const chelsea = rig.image('chelsea.png');
    const coffee = rig.image('coffee.png');
    await openPage(rig, chelsea.id);

    // Jump box: j focuses it, the image number and Enter open the image.
    await page.keyboard.press('j');
    await until(() =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
    ).toBe('jump-input');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await waitForImage(page, coffee.id);
    await until(textOf(testId(page, 'image-position'))).toBe('2 / 3');
    await shots.take(page, 'jumped');

    // The one mouse click: on the cup. Then keys only.
    const detail = await imageDetail(rig, coffee.id);
    const cup = await screenPoint(page, detail, 290, 150);
    await page.mouse.click(cup.x, cup.y);
    await testId(page, 'candidate-0').waitFor();
    await until(() => testId(page, 'prompt-pending').count()).toBe(0);
    await shots.take(page, 'prompted');
    await page.keyboard.press('Enter');
    const rows = page.locator('[data-testid^="object-row-"]');
    await until(() => rows.count()).toBe(1);
    const [object] = await objectsOf(rig, coffee.id);
    expect(object!.classId).toBe(rig.classes[0]!.id);

    // Select it with ↓ and give it the third class with 3.
    await page.keyboard.press('ArrowDown');
    await until(classOf(testId(page, `object-row-${object!.id}`))).toMatch(/selected/);
    const third = rig.classes[2]!;
    expect(third.name).toBe('coffee cup');
    await page.keyboard.press('3');
    await until(() => testId(page, `object-class-${object!.id}`).inputValue()).toBe(
      String(third.id),
    );
    await until(classOf(testId(page, `class-row-${third.id}`))).toMatch(/current/);
    expect((await objectsOf(rig, coffee.id))[0]!.classId).toBe(third.id);
    await shots.take(page, 'reclassed');

    // d marks the image done (page, list and store); n goes on.
    await page.keyboard.press('d');
    await until(textOf(testId(page, 'image-status'))).toBe('Done');
    await until(() =>
      testId(page, `image-row-${coffee.id}`).locator('.dot').getAttribute('class'),
    ).toMatch(/status-done/);
    expect(
      (await apiGet<ImageListResponse>(rig, '/api/images?status=done')).items.map((i) => i.id),
    ).toEqual([coffee.id]);
    await shots.take(page, 'done');
    await page.keyboard.press('n');
    await waitForImage(page, rig.image('more/rocket.jpg').id);
    await until(textOf(testId(page, 'image-position'))).toBe('3 / 3');
    await shots.take(page, 'next');
  });

  it('box tool: a drag makes candidates, a right-click adds an excluding point, accept keeps both', async () => {
    const shots = new Shots('box-tool');
    const { page } = rig;
    const chelsea = rig.image('chelsea.png');
    await openPage(rig, chelsea.id);
    const detail = await imageDetail(rig, chelsea.id);

    await page.keyboard.press('w');
    await until(textOf(testId(page, 'tool-prompt.toggle-tool'))).toBe('Box');
    const from = await screenPoint(page, detail, 60, 10);
    const to = await screenPoint(page, detail, 400, 295);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await shots.take(page, 'dragging');
    await page.mouse.up();
    await until(textOf(testId(page, 'prompt-summary'))).toBe('box');
    await testId(page, 'candidate-0').waitFor();
    await until(() => testId(page, 'prompt-pending').count()).toBe(0);
    await shots.take(page, 'box-candidates');

    // Right-click inside the box, on the background at the right: an excluding point.
    const background = await screenPoint(page, detail, 380, 200);
    await page.mouse.click(background.x, background.y, { button: 'right' });
    await until(textOf(testId(page, 'prompt-summary'))).toBe('box · 1 exclude');
    await until(() => testId(page, 'prompt-pending').count()).toBe(0);
    await testId(page, 'candidate-0').waitFor();
    await shots.take(page, 'excluded');

    const cat = rig.cls('cat');
    await page.keyboard.press('a');
    await until(() => page.locator('[data-testid^="object-row-"]').count()).toBe(1);
    const [object] = await objectsOf(rig, chelsea.id);
    expect(object).toMatchObject({ classId: cat.id, source: 'default' });
    const prompts = object!.prompts!;
    expect(prompts.points).toHaveLength(1);
    expect(prompts.points[0]).toMatchObject({ label: 0 });
    expect(prompts.points[0]!.x).toBeCloseTo(380, 0);
    expect(prompts.box!.x0).toBeCloseTo(60, 0);
    expect(prompts.box!.y1).toBeCloseTo(295, 0);
    // The excluded pixel is not in the saved mask (the segmenter honours clicks).
    expect(rleContains(object!.rle, 380, 200)).toBe(false);
    expect(rleContains(object!.rle, 225, 150)).toBe(true);
    await page.keyboard.press('w');
    await until(textOf(testId(page, 'tool-prompt.toggle-tool'))).toBe('Points');
    await shots.take(page, 'accepted');
  });
});
