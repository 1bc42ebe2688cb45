import type { Page, Request } from 'playwright-core';
import { expect, it } from 'vitest';
import type { ImageListResponse } from '../api/types';
import { formatCount } from '../ui/format';
import { manyImagesDataset, type ManyImages } from './generated-datasets';
import {
  apiGet,
  describeInBrowser,
  classOf,
  currentImageId,
  openPage,
  Shots,
  testId,
  textOf,
  until,
  useRig,
  waitForImage,
} from './e2e-support';

/** Height of a list row (px), as image-list.ts lays them out. */
const ROW_HEIGHT = 44;

/** The image list's rows as the page shows them: only those inside the list's viewport. */
interface ShownRow {
  index: number;
  path: string;
  number: string;
}

/** Rows in the DOM (the pool), and the rows visible in the scroller, top to bottom. */
async function listRows(page: Page): Promise<{ inDom: number; shown: ShownRow[] }> {
  return page.evaluate(() => {
    const scroller = document.querySelector<HTMLElement>('[data-testid="image-list"]')!;
    const view = scroller.getBoundingClientRect();
    const rows = [...scroller.querySelectorAll<HTMLElement>('.image-row')];
    const shown = rows
      .filter((row) => {
        if (row.hidden) return false;
        const r = row.getBoundingClientRect();
        return r.bottom > view.top + 1 && r.top < view.bottom - 1;
      })
      .map((row) => ({
        index: Number(row.dataset.index),
        path: row.querySelector('.path')!.textContent ?? '',
        number: (row.querySelector('.index')!.textContent ?? '').split(' ')[0]!,
      }))
      .sort((a, b) => a.index - b.index);
    return { inDom: rows.length, shown };
  });
}

/** Each visible row's thumbnail: 'loaded' (the server's), 'waiting' or 'broken'. */
function thumbStates(page: Page): Promise<string[]> {
  return page.$$eval('.image-row:not([hidden]) img.thumb', (imgs) =>
    (imgs as HTMLImageElement[]).map((img) => {
      if (img.complete && img.naturalWidth === 0) return 'broken';
      const server = new URL(img.src).pathname.endsWith('/thumbnail');
      return server && img.complete && img.naturalWidth > 1 ? 'loaded' : 'waiting';
    }),
  );
}

/** Scrolls the list and waits until the rows shown are loaded (no "Loading…" placeholders). */
async function scrollListTo(page: Page, scrollTop: number | 'end'): Promise<ShownRow[]> {
  await testId(page, 'image-list').evaluate((el, top) => {
    el.scrollTop = top === 'end' ? el.scrollHeight : top;
  }, scrollTop);
  await page.waitForFunction((rowHeight) => {
    const scroller = document.querySelector<HTMLElement>('[data-testid="image-list"]')!;
    const rows = [...scroller.querySelectorAll<HTMLElement>('.image-row:not([hidden])')];
    // Drawn for this scroll position (the list renders on the next frame), and loaded.
    const top = String(Math.floor(scroller.scrollTop / rowHeight));
    return (
      rows.some((row) => row.dataset.index === top) &&
      rows.every((row) => !row.classList.contains('placeholder'))
    );
  }, ROW_HEIGHT);
  return (await listRows(page)).shown;
}

describeInBrowser('a 100,000-image dataset in the browser', () => {
  let data: ManyImages;
  const rig = useRig(async () => {
    data = await manyImagesDataset();
    return { datasetDir: data.dir };
  });

  it('scrolls to the middle and the end with only the visible rows in the page', async () => {
    const shots = new Shots('list-100k-scroll');
    const { page } = rig;
    await openPage(rig);
    expect(rig.images[0]!.path).toBe(data.pathAt(0));
    await until(textOf(testId(page, 'list-total'))).toBe(`${formatCount(data.total)} images`);
    await until(textOf(testId(page, 'image-position'))).toBe(`1 / ${data.total}`);
    // Pages of the list and thumbnails the page asks for while scrolling.
    const listRequests: URL[] = [];
    const thumbnailRequests = new Set<string>();
    const count = (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/images') listRequests.push(url);
      if (/^\/api\/images\/\d+\/thumbnail$/.test(url.pathname)) thumbnailRequests.add(url.pathname);
    };
    page.on('request', count);

    // The middle row at the top of the list, then the end.
    const steps: [string, number | 'end', number][] = [
      ['top', 0, 0],
      ['middle', 50_000 * ROW_HEIGHT, 50_000],
      ['end', 'end', data.total - 1],
    ];
    for (const [step, scrollTop, expected] of steps) {
      const shown = await scrollListTo(page, scrollTop);
      const { inDom } = await listRows(page);
      // The DOM keeps a pool of about a screenful of rows, never the dataset.
      expect(inDom, step).toBeLessThanOrEqual(40);
      expect(shown.length, step).toBeGreaterThanOrEqual(5);
      if (scrollTop === 'end') expect(shown.at(-1)!.index).toBe(expected);
      else expect(shown[0]!.index).toBe(expected);
      // Consecutive rows, each with its own path and number.
      shown.forEach((row, k) => {
        expect(row.index, step).toBe(shown[0]!.index + k);
        expect(row.path, step).toBe(data.pathAt(row.index));
        expect(row.number, step).toBe(`#${row.index + 1}`);
      });
      // Their thumbnails load once they stay on screen, and no row shows a broken image
      // meanwhile (complete with no pixels: what Chrome draws with its broken-image icon).
      expect(await thumbStates(page), step).not.toContain('broken');
      await until(async () => (await thumbStates(page)).every((t) => t === 'loaded')).toBe(true);
      await shots.take(page, step);
    }
    // The list came in pages of 100 around what was shown: a handful of requests, and
    // thumbnails only for rows that stayed on screen.
    expect(listRequests.length).toBeGreaterThanOrEqual(2);
    expect(listRequests.length).toBeLessThanOrEqual(8);
    for (const url of listRequests) expect(url.searchParams.get('limit')).toBe('100');
    expect(thumbnailRequests.size).toBeLessThanOrEqual(3 * 40);
    page.off('request', count);

    // A click on the last row opens that image.
    const last = page.locator(`.image-row[data-index="${data.total - 1}"]`);
    await last.click();
    await waitForImage(page);
    await until(textOf(testId(page, 'image-title'))).toBe(data.pathAt(data.total - 1));
    await until(textOf(testId(page, 'image-position'))).toBe(`${data.total} / ${data.total}`);
    await until(classOf(last)).toMatch(/current/);
    await shots.take(page, 'last-opened');
  });

  it('filters by status after marking an image done, and by a path search', async () => {
    const shots = new Shots('list-100k-filters');
    const { page } = rig;
    // Jump to the middle by number and mark that image done.
    await openPage(rig);
    const middle = 50_000;
    await page.keyboard.press('j');
    await page.keyboard.type(String(middle + 1));
    await page.keyboard.press('Enter');
    await until(textOf(testId(page, 'image-title'))).toBe(data.pathAt(middle));
    await waitForImage(page);
    const doneId = await currentImageId(page);
    await page.keyboard.press('d');
    await until(textOf(testId(page, 'image-status'))).toBe('Done');
    const status = testId(page, 'filter-status');
    await until(() => status.locator('option[value="done"]').textContent()).toBe('Done (1)');
    await shots.take(page, 'marked-done');

    await status.selectOption('done');
    await until(textOf(testId(page, 'list-total'))).toBe('1 image match');
    const done = await scrollListTo(page, 0);
    expect(done).toEqual([{ index: 0, path: data.pathAt(middle), number: '#1' }]);
    await until(classOf(testId(page, `image-row-${doneId}`))).toMatch(/current/);
    const server = await apiGet<ImageListResponse>(rig, '/api/images?status=done');
    expect(server.items.map((i) => i.id)).toEqual([doneId]);
    await shots.take(page, 'status-done');

    // Back to all statuses, then a search: "img-1234" is in ten names of each folder.
    await status.selectOption('');
    await until(textOf(testId(page, 'list-total'))).toBe(`${formatCount(data.total)} images`);
    await testId(page, 'filter-search').fill('part-2/img-1234');
    await until(textOf(testId(page, 'list-total'))).toBe('10 images match');
    const found = await scrollListTo(page, 0);
    const wanted = Array.from({ length: 10 }, (_, k) =>
      data.pathAt(data.indexOf('part-2/img-12340.png') + k),
    );
    expect(found.map((r) => r.path)).toEqual(wanted);
    expect(found.map((r) => r.number)).toEqual(wanted.map((_, k) => `#${k + 1}`));
    await shots.take(page, 'search');

    // n walks the filtered list: from the first match to the second.
    await page.locator('.image-row[data-index="0"]').click();
    await until(textOf(testId(page, 'image-title'))).toBe(wanted[0]);
    await page.keyboard.press('n');
    await until(textOf(testId(page, 'image-title'))).toBe(wanted[1]);
    await waitForImage(page);
    await testId(page, 'filter-search').fill('');
    await until(textOf(testId(page, 'list-total'))).toBe(`${formatCount(data.total)} images`);
  });

  it('jumps to an image by number and by path, and the list scrolls to it', async () => {
    const shots = new Shots('list-100k-jump');
    const { page } = rig;
    await openPage(rig);
    const cases: [query: string, index: number][] = [
      ['75000', 74_999],
      [data.pathAt(12_345), 12_345],
      ['100000', data.total - 1],
    ];
    for (const [query, index] of cases) {
      await page.keyboard.press('j');
      await until(() =>
        page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      ).toBe('jump-input');
      await page.keyboard.type(query);
      await page.keyboard.press('Enter');
      await until(textOf(testId(page, 'image-title'))).toBe(data.pathAt(index));
      await until(textOf(testId(page, 'image-position'))).toBe(`${index + 1} / ${data.total}`);
      await waitForImage(page);
      // The row of the image is on screen and marked current, with the rows around it.
      await until(async () => (await listRows(page)).shown.some((r) => r.index === index)).toBe(
        true,
      );
      const id = await currentImageId(page);
      await until(classOf(testId(page, `image-row-${id}`))).toMatch(/current/);
      const { shown, inDom } = await listRows(page);
      expect(inDom).toBeLessThanOrEqual(40);
      for (const row of shown) expect(row.path).toBe(data.pathAt(row.index));
      await shots.take(page, `jump-${index + 1}`);
    }
    // A number past the end is refused with a message; the open image stays.
    await page.keyboard.press('j');
    await page.keyboard.type(String(data.total + 1));
    await page.keyboard.press('Enter');
    await page.getByText(`No image at index ${data.total}`).waitFor();
    await until(textOf(testId(page, 'image-title'))).toBe(data.pathAt(data.total - 1));
  });
});
