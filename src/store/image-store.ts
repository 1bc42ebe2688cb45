import type { Statement } from 'better-sqlite3';
import type { ImageEntry } from '../dataset/image-entry.js';
import { describeValue } from '../geometry/errors.js';
import { InvalidValueError, MaskSizeError, StoreError, UnknownImageIdError } from './errors.js';
import type { StoredMask } from './object-values.js';
import { IMAGE_STATUSES, type ImageRecord, type ImageStatus } from './records.js';
import { isWholeNumber, writeTransaction, type StoreContext } from './store-context.js';

/** What syncImages needs of a dataset entry. */
export type SyncEntry = Pick<ImageEntry, 'id' | 'relPath' | 'bytes' | 'mtimeMs'>;

export interface SyncResult {
  added: number;
  /** Registered images whose file changed (size or modification time) or moved key. */
  changed: number;
  unchanged: number;
  /** Registered images the entries did not mention; they are kept, with their objects. */
  missing: number;
  /** Images in the project afterwards. */
  total: number;
}

/** An image with what the list views show beside it. */
export interface ImageSummary extends ImageRecord {
  bytes: number;
  mtimeMs: number;
  objectCount: number;
}

export interface ImageQuery {
  /** One status or any of several. */
  status?: ImageStatus | readonly ImageStatus[];
  /** Only images having at least one object of this class. */
  classId?: number;
  /** Substring of the relative path (ASCII letters case-insensitive). */
  search?: string;
  offset?: number;
  /** 1 to 10,000; 100 when absent. */
  limit?: number;
}

export interface ImagePage {
  /** Images matching the filters (all pages). */
  total: number;
  offset: number;
  /** In the dataset order (see ImageStore). */
  items: ImageSummary[];
}

/** A size read from an image header, for setSizes. */
export interface ImageSize {
  id: number;
  width: number;
  height: number;
}

export type StatusCounts = Record<ImageStatus, number> & { total: number };

export const MAX_PAGE_SIZE = 10_000;

interface ImageRow {
  id: number;
  key: string;
  path: string;
  bytes: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  status: ImageStatus;
  note: string;
  object_count: number;
}

const SUMMARY_SELECT = `SELECT i.id, i.key, i.path, i.bytes, i.mtime_ms, i.width, i.height,
  i.status, i.note, (SELECT count(*) FROM objects o WHERE o.image_id = i.id) AS object_count
  FROM images i`;

function summaryFromRow(row: ImageRow): ImageSummary {
  return {
    id: row.id,
    key: row.key,
    path: row.path,
    width: row.width,
    height: row.height,
    status: row.status,
    note: row.note,
    bytes: row.bytes,
    mtimeMs: row.mtime_ms,
    objectCount: row.object_count,
  };
}

/**
 * The images of the dataset, registered with a stable integer id (the COCO image id), in the
 * dataset's order: the order of the entries given to the last sync (the ImageIndex's natural
 * order, "img2" before "img10"), then the images that sync did not mention, by path. Lists,
 * positions, neighbours and exports all follow it.
 *
 * The `ord` column holds that 0-based position itself: sync, the only writer of `ord` and the
 * only way images are added, numbers every image 0..n-1 (migration 3 numbered existing ones by
 * path). So positionOf and atPosition are index lookups, not counts over 100,000 rows.
 */
export class ImageStore {
  private readonly byId: Statement<[number], ImageRow>;
  private readonly byPath: Statement<[string], ImageRow>;
  private readonly writeSize: Statement<[number, number, number]>;
  private readonly startStatus: Statement<[number]>;
  private readonly writeStatus: Statement<[string, string | null, number]>;
  private readonly ordOf: Statement<[number], { ord: number }>;
  private readonly previousId: Statement<[number, number], number>;
  private readonly nextId: Statement<[number, number], number>;
  private readonly atIndex: Statement<[number], ImageRow>;
  private readonly queries = new Map<string, Statement>();

  constructor(private readonly ctx: StoreContext) {
    const db = ctx.db;
    this.byId = db.prepare(`${SUMMARY_SELECT} WHERE i.id = ?`);
    this.byPath = db.prepare(`${SUMMARY_SELECT} WHERE i.path = ?`);
    this.writeSize = db.prepare(`UPDATE images SET width = ?, height = ? WHERE id = ?`);
    this.writeStatus = db.prepare(
      `UPDATE images SET status = ?, note = coalesce(?, note) WHERE id = ?`,
    );
    this.ordOf = db.prepare(`SELECT ord FROM images WHERE id = ?`);
    this.startStatus = db.prepare(
      `UPDATE images SET status = 'in_progress' WHERE id = ? AND status = 'new'`,
    );
    // (ord, id) is the order (id only breaks ties, which sync never leaves); the row value
    // comparisons walk the images_ord index.
    this.previousId = db
      .prepare<[number, number], number>(
        `SELECT id FROM images WHERE (ord, id) < (?, ?) ORDER BY ord DESC, id DESC LIMIT 1`,
      )
      .pluck();
    this.nextId = db
      .prepare<[number, number], number>(
        `SELECT id FROM images WHERE (ord, id) > (?, ?) ORDER BY ord, id LIMIT 1`,
      )
      .pluck();
    this.atIndex = db.prepare(`${SUMMARY_SELECT} WHERE i.ord = ?`);
  }

  /**
   * Registers dataset entries in one transaction: new files get the next id, known ones (by
   * key, else by path) keep theirs and have size and modification time updated. A file that
   * changed loses its recorded width and height (the header is read again), and a broken one
   * becomes new again, as the change may have repaired it. The entries' order becomes the
   * images' order; only rows whose place changed are written, so an unchanged re-sync writes
   * nothing.
   */
  sync(entries: Iterable<SyncEntry>): SyncResult {
    return writeTransaction(this.ctx, () => {
      const db = this.ctx.db;
      type Known = {
        id: number;
        key: string;
        path: string;
        bytes: number;
        mtime: number;
        ord: number | null;
      };
      const byKey = new Map<string, Known>();
      const byPath = new Map<string, Known>();
      // By path, so that the images the entries leave out keep that order after the others.
      const rows = db
        .prepare(`SELECT id, key, path, bytes, mtime_ms, ord FROM images ORDER BY path`)
        .raw()
        .all() as [number, string, string, number, number, number | null][];
      for (const [id, key, path, bytes, mtime, ord] of rows) {
        const known = { id, key, path, bytes, mtime, ord };
        byKey.set(key, known);
        byPath.set(path, known);
      }
      const insert = db.prepare(
        `INSERT INTO images (key, path, bytes, mtime_ms, ord) VALUES (?, ?, ?, ?, ?)`,
      );
      const setOrd = db.prepare(`UPDATE images SET ord = ? WHERE id = ?`);
      let ord = 0;
      const update = db.prepare(
        `UPDATE images SET key = :key, path = :path, bytes = :bytes, mtime_ms = :mtime, ord = :ord,
           width = CASE WHEN :changed THEN NULL ELSE width END,
           height = CASE WHEN :changed THEN NULL ELSE height END,
           status = CASE WHEN :changed AND status = 'broken' THEN 'new' ELSE status END
         WHERE id = :id`,
      );
      const seen = new Set<number>();
      const result = { added: 0, changed: 0, unchanged: 0, missing: 0, total: 0 };
      let index = 0;
      for (const entry of entries) {
        checkSyncEntry(entry, index++);
        const known = byKey.get(entry.id) ?? byPath.get(entry.relPath);
        if (known && seen.has(known.id)) continue;
        try {
          if (!known) {
            const place = ord++;
            const id = Number(
              insert.run(entry.id, entry.relPath, entry.bytes, entry.mtimeMs, place)
                .lastInsertRowid,
            );
            const added = {
              id,
              key: entry.id,
              path: entry.relPath,
              bytes: 0,
              mtime: 0,
              ord: place,
            };
            byKey.set(entry.id, added);
            seen.add(id);
            result.added++;
            continue;
          }
          seen.add(known.id);
          const place = ord++;
          const fileChanged = known.bytes !== entry.bytes || known.mtime !== entry.mtimeMs;
          if (!fileChanged && known.key === entry.id && known.path === entry.relPath) {
            if (known.ord !== place) setOrd.run(place, known.id);
            result.unchanged++;
            continue;
          }
          update.run({
            key: entry.id,
            path: entry.relPath,
            bytes: entry.bytes,
            mtime: entry.mtimeMs,
            ord: place,
            changed: fileChanged ? 1 : 0,
            id: known.id,
          });
          result.changed++;
        } catch (err) {
          if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
          throw new StoreError(
            `entries[${index - 1}]: ${JSON.stringify(entry.relPath)} (id ${entry.id}) clashes with an image already registered under that path or id`,
            'conflict',
            `entries[${index - 1}].relPath`,
            entry.relPath,
            { cause: err },
          );
        }
      }
      for (const [id, , , , , known] of rows) {
        if (seen.has(id)) continue;
        const place = ord++;
        if (known !== place) setOrd.run(place, id);
        result.missing++;
      }
      result.total = db.prepare(`SELECT count(*) FROM images`).pluck().get() as number;
      return result;
    });
  }

  get(id: number): ImageSummary {
    const row = isWholeNumber(id, 1) ? this.byId.get(id) : undefined;
    if (!row) throw new UnknownImageIdError(id);
    return summaryFromRow(row);
  }

  /** The image at that relative path (exactly, or in its NFC spelling), if registered. */
  findByPath(path: string): ImageSummary | undefined {
    const row = this.byPath.get(path) ?? this.byPath.get(path.normalize('NFC'));
    return row ? summaryFromRow(row) : undefined;
  }

  /** Records the original (EXIF-oriented) size once the header has been read. */
  setSize(id: number, width: number, height: number): ImageSummary {
    checkSize({ id, width, height }, '');
    return writeTransaction(this.ctx, () => {
      this.writeSizeOf(id, width, height);
      return this.get(id);
    });
  }

  /**
   * Records many sizes in one transaction (one commit instead of one per image), or none when
   * any is refused. Returns how many were recorded.
   */
  setSizes(sizes: readonly ImageSize[]): number {
    if (!Array.isArray(sizes)) {
      throw new InvalidValueError(
        `sizes must be an array of {id, width, height}, got ${describeValue(sizes)}`,
        'sizes',
        sizes,
      );
    }
    sizes.forEach((size, i) => checkSize(size, `sizes[${i}].`));
    return writeTransaction(this.ctx, () => {
      for (const { id, width, height } of sizes) this.writeSizeOf(id, width, height);
      return sizes.length;
    });
  }

  /** Sets the status, and the note when one is given (an empty string clears it). */
  setStatus(id: number, status: ImageStatus, note?: string): ImageSummary {
    if (!(IMAGE_STATUSES as readonly unknown[]).includes(status)) {
      throw new InvalidValueError(
        `status must be one of ${IMAGE_STATUSES.join(', ')}, got ${describeValue(status)}`,
        'status',
        status,
      );
    }
    if (note !== undefined && typeof note !== 'string') {
      throw new InvalidValueError(
        `note must be a string, got ${describeValue(note)}`,
        'note',
        note,
      );
    }
    if (!isWholeNumber(id, 1)) throw new UnknownImageIdError(id);
    return writeTransaction(this.ctx, () => {
      if (this.writeStatus.run(status, note ?? null, id).changes === 0) {
        throw new UnknownImageIdError(id);
      }
      return this.get(id);
    });
  }

  /**
   * An image that gets its first object is being worked on: 'new' becomes 'in_progress' (inside
   * the caller's transaction). Other statuses are the user's decision and stay.
   */
  markStarted(id: number): void {
    this.startStatus.run(id);
  }

  /** One page of images matching every filter given, in the dataset order. */
  list(query: ImageQuery = {}): ImagePage {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status !== undefined) {
      const statuses = typeof query.status === 'string' ? [query.status] : [...query.status];
      statuses.forEach((s, i) => {
        if (!(IMAGE_STATUSES as readonly string[]).includes(s)) {
          throw new InvalidValueError(
            `status[${i}] must be one of ${IMAGE_STATUSES.join(', ')}, got ${describeValue(s)}`,
            `status[${i}]`,
            s,
          );
        }
      });
      where.push(`i.status IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(statuses));
    }
    if (query.classId !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM objects o WHERE o.class_id = ? AND o.image_id = i.id)`);
      params.push(query.classId);
    }
    if (query.search !== undefined && query.search !== '') {
      where.push(`i.path LIKE ? ESCAPE '\\'`);
      params.push(`%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    if (!isWholeNumber(offset, 0)) {
      throw new InvalidValueError(
        `offset must be a whole number >= 0, got ${describeValue(offset)}`,
        'offset',
        offset,
      );
    }
    if (!isWholeNumber(limit, 1) || limit > MAX_PAGE_SIZE) {
      throw new InvalidValueError(
        `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${describeValue(limit)}`,
        'limit',
        limit,
      );
    }
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const total = this.query(`SELECT count(*) FROM images i${filter}`)
      .pluck()
      .get(...params) as number;
    const rows = this.query(`${SUMMARY_SELECT}${filter} ORDER BY i.ord, i.id LIMIT ? OFFSET ?`)
      .pluck(false)
      .all(...params, limit, offset) as ImageRow[];
    return { total, offset, items: rows.map(summaryFromRow) };
  }

  /** 0-based index of the image among all images (the order of `list`). */
  positionOf(id: number): number {
    return this.orderOf(id).ord;
  }

  /** The image at a 0-based index of all images (the order of `list`), if there is one. */
  atPosition(index: number): ImageSummary | undefined {
    if (!isWholeNumber(index, 0)) {
      throw new InvalidValueError(
        `index must be a whole number >= 0, got ${describeValue(index)}`,
        'index',
        index,
      );
    }
    const row = this.atIndex.get(index);
    return row ? summaryFromRow(row) : undefined;
  }

  /** Ids of the images before and after this one (the order of `list`; null at either end). */
  neighbours(id: number): { previous: number | null; next: number | null } {
    const { ord } = this.orderOf(id);
    return {
      previous: this.previousId.get(ord, id) ?? null,
      next: this.nextId.get(ord, id) ?? null,
    };
  }

  countByStatus(): StatusCounts {
    const counts = Object.fromEntries(IMAGE_STATUSES.map((s) => [s, 0])) as StatusCounts;
    counts.total = 0;
    const rows = this.ctx.db
      .prepare(`SELECT status, count(*) AS n FROM images GROUP BY status`)
      .all() as { status: ImageStatus; n: number }[];
    for (const { status, n } of rows) {
      counts[status] = n;
      counts.total += n;
    }
    return counts;
  }

  /**
   * Inside a write transaction: checks that a mask has the image's size. An image whose header
   * has not been read yet takes the mask's size (the mask was made at the original size).
   */
  fitMask(image: ImageSummary, mask: Pick<StoredMask, 'width' | 'height'>, field: string): void {
    if (image.width === null || image.height === null) {
      this.writeSize.run(mask.width, mask.height, image.id);
      image.width = mask.width;
      image.height = mask.height;
      return;
    }
    if (image.width !== mask.width || image.height !== mask.height) {
      throw new MaskSizeError(
        field,
        [mask.height, mask.width],
        [image.height, image.width],
        `${image.id} (${image.path})`,
      );
    }
  }

  /** Inside a write transaction. */
  private writeSizeOf(id: number, width: number, height: number): void {
    if (this.writeSize.run(width, height, id).changes === 0) throw new UnknownImageIdError(id);
  }

  private orderOf(id: number): { ord: number } {
    const row = isWholeNumber(id, 1) ? this.ordOf.get(id) : undefined;
    if (!row) throw new UnknownImageIdError(id);
    return row;
  }

  private query(sql: string): Statement {
    let statement = this.queries.get(sql);
    if (!statement) {
      statement = this.ctx.db.prepare(sql);
      this.queries.set(sql, statement);
    }
    return statement;
  }
}

function checkSize(size: ImageSize, prefix: string): void {
  if (typeof size !== 'object' || size === null) {
    throw new InvalidValueError(
      `${prefix.slice(0, -1)} must be {id, width, height}, got ${describeValue(size)}`,
      prefix.slice(0, -1),
      size,
    );
  }
  if (!isWholeNumber(size.id, 1)) throw new UnknownImageIdError(size.id);
  for (const field of ['width', 'height'] as const) {
    const value = size[field];
    if (!isWholeNumber(value, 1)) {
      throw new InvalidValueError(
        `${prefix}${field} must be a whole number of pixels >= 1, got ${describeValue(value)}`,
        `${prefix}${field}`,
        value,
      );
    }
  }
}

function checkSyncEntry(entry: SyncEntry, i: number): void {
  const bad = (field: string, wanted: string, value: unknown): never => {
    throw new InvalidValueError(
      `entries[${i}].${field} must be ${wanted}, got ${describeValue(value)}`,
      `entries[${i}].${field}`,
      value,
    );
  };
  if (typeof entry?.id !== 'string' || entry.id === '') bad('id', 'a non-empty string', entry?.id);
  if (typeof entry.relPath !== 'string' || entry.relPath === '') {
    bad('relPath', 'a non-empty relative path', entry.relPath);
  }
  if (!isWholeNumber(entry.bytes, 0)) bad('bytes', 'a whole number >= 0', entry.bytes);
  if (typeof entry.mtimeMs !== 'number' || !Number.isFinite(entry.mtimeMs)) {
    bad('mtimeMs', 'a finite number of milliseconds', entry.mtimeMs);
  }
}
