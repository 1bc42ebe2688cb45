import { describe, expect, it } from 'vitest';
import type { ImageListQuery, ImageListResponse, ImageStatus } from '../api/types';
import { ImageListModel } from './image-list-model';

const COUNTS: Record<ImageStatus, number> = {
  new: 0,
  in_progress: 0,
  done: 0,
  faulty: 0,
  broken: 0,
};

/** A dataset of `n` images (ids 1..n); `done` ones match the status filter. */
function dataset(n: number, done = (id: number) => id % 2 === 0) {
  const queries: ImageListQuery[] = [];
  const gates: (() => void)[] = [];
  let hold = false;
  const api = {
    listImages: (q: ImageListQuery): Promise<ImageListResponse> => {
      queries.push(q);
      const all = Array.from({ length: n }, (_, i) => i + 1).filter((id) => !q.status || done(id));
      const offset = q.offset ?? 0;
      const answer: ImageListResponse = {
        total: all.length,
        offset,
        items: all.slice(offset, offset + (q.limit ?? 100)).map((id) => ({
          id,
          path: `${id}.png`,
          thumbnailUrl: `/api/images/${id}/thumbnail`,
          width: 10,
          height: 10,
          status: done(id) ? 'done' : 'new',
          objectCount: 0,
        })),
        statusCounts: { ...COUNTS, done: n / 2, new: n / 2 },
      };
      if (!hold) return Promise.resolve(answer);
      return new Promise((resolve) => gates.push(() => resolve(answer)));
    },
  };
  return { api, queries, gates, holdAnswers: (h: boolean) => (hold = h) };
}

describe('ImageListModel', () => {
  it('fetches only the pages of the rows asked for, once each', async () => {
    const { api, queries } = dataset(100_000);
    const list = new ImageListModel(api, () => {}, { pageSize: 100 });
    await list.setFilters({});
    expect(list.total).toBe(100_000);
    await Promise.all([list.ensure(50_020, 50_060), list.ensure(50_050, 50_130)]);
    expect(queries.map((q) => q.offset)).toEqual([0, 50_000, 50_100]);
    expect(list.get(50_123)?.id).toBe(50_124);
    expect(list.get(70_000)).toBeUndefined();
  });

  it('keeps a bounded number of pages, dropping the farthest', async () => {
    const { api } = dataset(10_000);
    const list = new ImageListModel(api, () => {}, { pageSize: 10, maxPages: 5 });
    await list.setFilters({});
    for (let p = 0; p < 20; p++) await list.ensure(p * 10, p * 10 + 10);
    expect(list.loadedPageCount).toBe(5);
    expect(list.get(195)?.id).toBe(196);
    expect(list.get(5)).toBeUndefined();
  });

  it('drops answers of the previous filter', async () => {
    const { api, gates, holdAnswers } = dataset(1000);
    const list = new ImageListModel(api, () => {}, { pageSize: 100 });
    holdAnswers(true);
    void list.setFilters({});
    const filtered = list.setFilters({ status: 'done' });
    gates[1]!(); // the filtered answer first
    await filtered;
    gates[0]!(); // the stale unfiltered answer
    await new Promise((r) => setTimeout(r, 0));
    expect(list.total).toBe(500);
    expect(list.get(0)?.id).toBe(2);
    expect(list.isFiltered).toBe(true);
  });

  it('finds neighbours in the filtered order, fetching the next page when needed', async () => {
    const { api } = dataset(1000);
    const list = new ImageListModel(api, () => {}, { pageSize: 10 });
    await list.setFilters({ status: 'done' });
    expect(await list.neighbour(20, 1)).toBe(22); // row 9 -> row 10 on page 1
    expect(await list.neighbour(2, -1)).toBeNull();
    expect(await list.neighbour(999_999, 1)).toBeNull();
  });

  it('patches a row and keeps status counts right', async () => {
    const { api } = dataset(10);
    const list = new ImageListModel(api, () => {}, { pageSize: 100 });
    await list.setFilters({});
    list.patch(3, { status: 'done', objectCount: 2 });
    list.countStatusChange('new', 'done');
    expect(list.get(2)).toMatchObject({ id: 3, status: 'done', objectCount: 2 });
    expect(list.statusCounts).toMatchObject({ new: 4, done: 6 });
  });
});
