import { describeError } from '../api/api-error';
import type { ImageListQuery, ImageListResponse, ImageStatus, ImageSummary } from '../api/types';

export interface ImageFilters {
  status?: ImageStatus;
  classId?: number;
  search?: string;
}

export interface ImageListApi {
  listImages(query: ImageListQuery, signal?: AbortSignal): Promise<ImageListResponse>;
}

export interface ImageListOptions {
  pageSize?: number;
  /** Pages kept in memory; the farthest from the last requested range go first. */
  maxPages?: number;
}

/**
 * The (filtered) image list as pages fetched on demand by offset/limit: a 100,000-image dataset
 * costs one page per screenful scrolled to, never the whole list. A filter change starts a new
 * generation; answers of the old one are dropped.
 */
export class ImageListModel {
  readonly pageSize: number;
  private readonly maxPages: number;
  private pages = new Map<number, ImageSummary[]>();
  private loading = new Map<number, Promise<void>>();
  private generation = 0;
  private centrePage = 0;
  private currentFilters: ImageFilters = {};
  private count: number | null = null;
  private counts: Record<ImageStatus, number> | null = null;
  private failure: string | null = null;

  constructor(
    private readonly api: ImageListApi,
    private readonly onChange: () => void,
    options: ImageListOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = Math.max(2, options.maxPages ?? 60);
  }

  /** Matching images, or null before the first answer. */
  get total(): number | null {
    return this.count;
  }
  get statusCounts(): Record<ImageStatus, number> | null {
    return this.counts;
  }
  get filters(): ImageFilters {
    return this.currentFilters;
  }
  get isFiltered(): boolean {
    const f = this.currentFilters;
    return f.status !== undefined || f.classId !== undefined || Boolean(f.search);
  }
  get error(): string | null {
    return this.failure;
  }
  get loadedPageCount(): number {
    return this.pages.size;
  }

  setFilters(filters: ImageFilters): Promise<void> {
    this.currentFilters = { ...filters };
    return this.reload();
  }

  /** Drops every page and fetches the first again (after changes that move images between filters). */
  reload(): Promise<void> {
    this.generation++;
    this.pages.clear();
    this.loading.clear();
    this.count = null;
    this.failure = null;
    this.onChange();
    return this.ensure(0, 1);
  }

  get(index: number): ImageSummary | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize];
  }

  /** Fetches the pages that hold rows [start, end) that are not loaded or loading yet. */
  ensure(start: number, end: number): Promise<void> {
    const first = Math.max(0, Math.floor(start / this.pageSize));
    const limit = this.count === null ? first + 1 : Math.ceil(this.count / this.pageSize);
    if (this.count !== null && first >= limit) return Promise.resolve();
    const last = Math.min(Math.ceil(Math.max(end, start + 1) / this.pageSize), limit);
    this.centrePage = Math.floor((first + last - 1) / 2);
    const waits: Promise<void>[] = [];
    for (let p = first; p < Math.max(last, first + 1); p++) {
      if (this.pages.has(p)) continue;
      waits.push(this.loading.get(p) ?? this.load(p));
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Position of an image among the loaded rows, or -1. */
  indexOf(id: number): number {
    for (const [p, items] of this.pages) {
      const k = items.findIndex((item) => item.id === id);
      if (k >= 0) return p * this.pageSize + k;
    }
    return -1;
  }

  /** The image `delta` rows away from `id` in this list, or null at an end or when `id` is not loaded. */
  async neighbour(id: number, delta: number): Promise<number | null> {
    const index = this.indexOf(id);
    if (index < 0) return null;
    const target = index + delta;
    if (target < 0 || (this.count !== null && target >= this.count)) return null;
    await this.ensure(target, target + 1);
    return this.get(target)?.id ?? null;
  }

  /** Updates a loaded row in place (status or object count changed); rows do not move until reload. */
  patch(id: number, changes: Partial<Pick<ImageSummary, 'status' | 'objectCount'>>): void {
    for (const items of this.pages.values()) {
      const k = items.findIndex((item) => item.id === id);
      if (k < 0) continue;
      items[k] = { ...items[k]!, ...changes };
      this.onChange();
      return;
    }
  }

  /** Keeps the dataset-wide counts right after a status change without refetching. */
  countStatusChange(from: ImageStatus, to: ImageStatus): void {
    if (from === to || !this.counts) return;
    this.counts = {
      ...this.counts,
      [from]: Math.max(0, this.counts[from] - 1),
      [to]: this.counts[to] + 1,
    };
    this.onChange();
  }

  private load(page: number): Promise<void> {
    const generation = this.generation;
    const query: ImageListQuery = {
      ...this.currentFilters,
      offset: page * this.pageSize,
      limit: this.pageSize,
    };
    const promise = this.api.listImages(query).then(
      (answer) => {
        if (generation !== this.generation) return;
        this.loading.delete(page);
        this.count = answer.total;
        this.counts = answer.statusCounts;
        this.failure = null;
        this.pages.set(page, answer.items.slice());
        this.evict();
        this.onChange();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.loading.delete(page);
        this.failure = describeError(error);
        this.onChange();
      },
    );
    this.loading.set(page, promise);
    return promise;
  }

  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const byDistance = [...this.pages.keys()].sort(
      (a, b) => Math.abs(b - this.centrePage) - Math.abs(a - this.centrePage),
    );
    for (const p of byDistance.slice(0, this.pages.size - this.maxPages)) this.pages.delete(p);
  }
}
