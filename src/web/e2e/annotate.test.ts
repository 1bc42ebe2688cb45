import { expect, it } from 'vitest';
import { formatCount } from '../ui/format';
import {
  describeInBrowser,
  canvasPixel,
  hoverImagePoint,
  imageDetail,
  objectsOf,
  openPage,
  Shots,
  useRig,
  testId,
  textOf,
  classOf,
  pressedOf,
  until,
  waitForImage,
  waitForPixelChange,
} from './e2e-support';

/** The cat's face in chelsea.png (451x300): a click here makes the cat. */
const CAT = { x: 225, y: 150 };

describeInBrowser('annotating in the browser', () => {
  const rig = useRig();

  it('opens the dataset, previews on hover, makes candidates on click, accepts one, keeps it over a reload', async () => {
    const shots = new Shots('annotate-accept');
    const { page } = rig;
    await openPage(rig);
    const chelsea = rig.image('chelsea.png');
    expect(rig.images.map((i) => i.path)).toEqual(['chelsea.png', 'coffee.png', 'more/rocket.jpg']);
    await waitForImage(page, chelsea.id);

    // The list shows every image with the server's thumbnail; the notice says which segmenter.
    await until(() => testId(page, 'list-total').textContent()).toBe('3 images');
    for (const image of rig.images) await testId(page, `image-row-${image.id}`).waitFor();
    await until(() =>
      page.$$eval('.image-row:not([hidden]) img.thumb', (imgs) =>
        (imgs as HTMLImageElement[]).map((img) => img.naturalWidth > 0 && img.src),
      ),
    ).toEqual(rig.images.map((i) => new URL(i.thumbnailUrl, rig.baseUrl).toString()));
    await until(() => testId(page, 'model-notice').textContent()).toMatch(/No SAM model/);
    await until(() => testId(page, 'status-model').textContent()).toBe(
      'built-in default segmenter · none',
    );
    // The server's status timer feeds the status bar.
    await until(textOf(testId(page, 'status-memory'))).toMatch(/^Memory\d+% of [\d.]+ [KMGT]?B$/);
    await until(textOf(testId(page, 'status-cache'))).toMatch(/^Cache hits \d+%$/);
    await until(textOf(testId(page, 'status-connection'))).toBe('Live');
    await shots.take(page, 'opened');

    // Hover preview (off by default with the default segmenter, i turns it on).
    const detail = await imageDetail(rig, chelsea.id);
    const at = await hoverImagePoint(page, detail, CAT.x, CAT.y);
    const picture = await canvasPixel(page, at);
    await page.keyboard.press('i');
    await until(classOf(testId(page, 'tool-prompt.hover-preview'))).toMatch(/active/);
    await hoverImagePoint(page, detail, CAT.x + 1, CAT.y);
    await waitForPixelChange(page, at, picture);
    await shots.take(page, 'hover-preview');

    // Click: candidates, best first; pick with digits and Tab.
    await page.mouse.click(at.x, at.y);
    await testId(page, 'candidate-0').waitFor();
    await until(textOf(testId(page, 'prompt-summary'))).toBe('1 include');
    const count = await page.locator('[data-testid^="candidate-"][aria-pressed]').count();
    expect(count).toBeGreaterThanOrEqual(2);
    await until(pressedOf(testId(page, 'candidate-0'))).toBe('true');
    await until(textOf(testId(page, 'status-latency'))).toMatch(/^Click \d/);
    await shots.take(page, 'candidates');
    await page.keyboard.press('2');
    await until(pressedOf(testId(page, 'candidate-1'))).toBe('true');
    await page.keyboard.press('Tab');
    await until(pressedOf(testId(page, `candidate-${2 % count}`))).toBe('true');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await until(pressedOf(testId(page, 'candidate-0'))).toBe('true');
    await page.keyboard.press('1');
    const chosenArea = await testId(page, 'candidate-0').locator('.sub').textContent();
    await shots.take(page, 'candidate-picked');

    // Accept into the current class (the first one).
    const cat = rig.cls('cat');
    await until(classOf(testId(page, `class-row-${cat.id}`))).toMatch(/current/);
    await page.keyboard.press('a');
    await until(() => testId(page, 'candidate-bar').innerHTML()).toBe('');
    const row = page.locator('[data-testid^="object-row-"]');
    await until(() => row.count()).toBe(1);
    await until(textOf(testId(page, 'status-saving'))).toBe('Saved');
    const [saved] = await objectsOf(rig, chelsea.id);
    expect(saved).toMatchObject({ classId: cat.id, source: 'default' });
    // The saved mask is the picked candidate (its area as the candidate bar showed it).
    expect(chosenArea).toBe(`${formatCount(saved!.area)} px`);
    expect(saved!.prompts!.points).toHaveLength(1);
    expect(saved!.prompts!.points[0]!.label).toBe(1);
    expect(Math.abs(saved!.prompts!.points[0]!.x - CAT.x)).toBeLessThan(1.5);
    expect(Math.abs(saved!.prompts!.points[0]!.y - CAT.y)).toBeLessThan(1.5);
    await until(() => testId(page, `object-class-${saved!.id}`).inputValue()).toBe(String(cat.id));
    await until(textOf(testId(page, `image-row-${chelsea.id}`))).toContain('1 obj');
    await shots.take(page, 'accepted');

    // Reload: the same image comes back with its object, from the store (and the dismissed
    // notice stays dismissed).
    await testId(page, 'model-notice-dismiss').click();
    await until(() => testId(page, 'model-notice').count()).toBe(0);
    await page.reload();
    await waitForImage(page, chelsea.id);
    await testId(page, `object-row-${saved!.id}`).waitFor();
    await until(textOf(testId(page, `class-row-${cat.id}`).locator('.count'))).toBe('1');
    expect(await testId(page, 'model-notice').count()).toBe(0);
    await shots.take(page, 'reloaded');
  });

  it('undoes and redoes with z / y and Ctrl+Z / Ctrl+Shift+Z, in the page and in the store', async () => {
    const shots = new Shots('annotate-undo-redo');
    const { page } = rig;
    const chelsea = rig.image('chelsea.png');
    await openPage(rig, chelsea.id);
    const rows = page.locator('[data-testid^="object-row-"]');
    await until(() => rows.count()).toBe(1);
    const steps: [key: string, objects: number][] = [
      ['z', 0],
      ['y', 1],
      ['Control+z', 0],
      ['Control+Shift+Z', 1],
    ];
    for (const [key, objects] of steps) {
      await page.keyboard.press(key);
      await until(() => rows.count()).toBe(objects);
      await until(textOf(testId(page, 'status-saving'))).toBe('Saved');
      expect(await objectsOf(rig, chelsea.id), `after ${key}`).toHaveLength(objects);
      await shots.take(page, `after-${key.replace(/\+/g, '-')}`);
    }
  });

  it('moves to the next image with n and →, back with p and ←', async () => {
    const shots = new Shots('annotate-navigation');
    const { page } = rig;
    await openPage(rig, rig.images[0]!.id);
    const steps: [key: string, index: number][] = [
      ['n', 1],
      ['ArrowRight', 2],
      ['p', 1],
      ['ArrowLeft', 0],
    ];
    for (const [key, index] of steps) {
      await page.keyboard.press(key);
      const image = rig.images[index]!;
      await waitForImage(page, image.id);
      await until(textOf(testId(page, 'image-position'))).toBe(`${index + 1} / 3`);
      await until(textOf(testId(page, 'image-title'))).toBe(image.path);
      await until(classOf(testId(page, `image-row-${image.id}`))).toMatch(/current/);
      await shots.take(page, `after-${key}`);
    }
    // Two quick steps: the second leaves an image whose encode has not finished, which is no
    // model failure (no banner).
    await page.keyboard.press('n');
    await page.keyboard.press('n');
    await waitForImage(page, rig.images[2]!.id);
    await page.waitForTimeout(300);
    expect(await testId(page, 'banner-model').count()).toBe(0);
    await page.keyboard.press('p');
    await page.keyboard.press('p');
    await waitForImage(page, rig.images[0]!.id);
    // At the first image, p says so instead of moving.
    await page.keyboard.press('p');
    await page.getByText('This is the first image').waitFor();
    await until(textOf(testId(page, 'image-position'))).toBe('1 / 3');
  });
});
