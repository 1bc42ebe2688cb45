import type { Statement } from 'better-sqlite3';
import { HistoryConflictError } from './errors.js';
import { OBJECT_DATA_COLUMNS, idList, objectFromRow, type ObjectRow } from './object-rows.js';
import type { ObjectRecord } from './records.js';
import { writeTransaction, type StoreContext } from './store-context.js';

export type ChangeKind = 'add' | 'update' | 'delete' | 'clear' | 'import';

export interface HistoryCounts {
  /** Changes of the image that undo can take back. */
  undo: number;
  /** Changes undone that redo can apply again. */
  redo: number;
}

/** What one change did to the objects of one image. */
export interface AppliedChange {
  imageId: number;
  kind: ChangeKind;
  /** The history entry (null when nothing changed and nothing was recorded). */
  historyId: number | null;
  /** Objects that exist now and did not before. */
  added: ObjectRecord[];
  /** Objects that existed before and now have these values. */
  updated: ObjectRecord[];
  /** Ids of objects that existed before and are gone. */
  removed: number[];
}

const BEFORE = 0;
const AFTER = 1;

/** Most undo entries kept per image; older ones are dropped as new changes arrive. */
export const DEFAULT_HISTORY_LIMIT = 200;

/**
 * Undo and redo per image, kept in the database so that they survive a restart. An entry
 * holds snapshots of the rows a change touched: side 0 before, side 1 after. Undo deletes the
 * after rows and puts the before rows back with their ids; redo does the opposite.
 */
export class HistoryLog {
  private readonly dropRedo: Statement<[number]>;
  private readonly open: Statement<[number, string, string, string]>;
  private readonly snapshot: Statement<[number, number, string]>;
  private readonly trim: Statement<[{ image: number; keep: number }]>;
  private readonly countStatement: Statement<
    [number],
    { undo: number | null; redo: number | null }
  >;
  private readonly objectsById: Statement<[string], ObjectRow>;
  private readonly sideIds: Statement<[number, number], number>;
  private readonly removeSide: Statement<[number, number]>;
  private readonly restoreSide: Statement<[number, number]>;

  constructor(
    private readonly ctx: StoreContext,
    private readonly limit = DEFAULT_HISTORY_LIMIT,
  ) {
    const db = ctx.db;
    this.dropRedo = db.prepare(`DELETE FROM history WHERE image_id = ? AND state = 'undone'`);
    this.open = db.prepare(
      `INSERT INTO history (image_id, kind, state, detail, created_at) VALUES (?, ?, 'done', ?, ?)`,
    );
    this.snapshot = db.prepare(
      `INSERT INTO history_objects (history_id, side, object_id, ${OBJECT_DATA_COLUMNS})
       SELECT ?, ?, id, ${OBJECT_DATA_COLUMNS} FROM objects
       WHERE id IN (SELECT value FROM json_each(?))`,
    );
    this.trim = db.prepare(
      `DELETE FROM history WHERE image_id = :image AND state = 'done' AND id < (
         SELECT id FROM history WHERE image_id = :image AND state = 'done'
         ORDER BY id DESC LIMIT 1 OFFSET :keep - 1)`,
    );
    this.countStatement = db.prepare(
      `SELECT sum(state = 'done') AS undo, sum(state = 'undone') AS redo
       FROM history WHERE image_id = ?`,
    );
    this.objectsById = db.prepare(
      `SELECT id, ${OBJECT_DATA_COLUMNS} FROM objects
       WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    );
    this.sideIds = db
      .prepare<[number, number], number>(
        `SELECT object_id FROM history_objects WHERE history_id = ? AND side = ?`,
      )
      .pluck();
    this.removeSide = db.prepare(
      `DELETE FROM objects WHERE id IN (
         SELECT object_id FROM history_objects WHERE history_id = ? AND side = ?)`,
    );
    this.restoreSide = db.prepare(
      `INSERT INTO objects (id, ${OBJECT_DATA_COLUMNS})
       SELECT object_id, ${OBJECT_DATA_COLUMNS} FROM history_objects
       WHERE history_id = ? AND side = ?`,
    );
  }

  /**
   * Inside the caller's write transaction: records one change of one image. Snapshots the
   * `beforeIds` rows, runs `mutate` (which returns the ids of the rows it left behind), snapshots
   * those, and drops the image's redo entries (a new change forks the history).
   */
  record(
    imageId: number,
    kind: ChangeKind,
    beforeIds: readonly number[],
    mutate: () => number[],
    detail = '',
  ): AppliedChange {
    this.dropRedo.run(imageId);
    const historyId = Number(this.open.run(imageId, kind, detail, this.ctx.now()).lastInsertRowid);
    this.snapshot.run(historyId, BEFORE, idList(beforeIds));
    const afterIds = mutate();
    this.snapshot.run(historyId, AFTER, idList(afterIds));
    // Keeps the newest `limit` done entries: drops those older than the limit-th newest.
    this.trim.run({ image: imageId, keep: this.limit });
    return this.describe(imageId, kind, historyId, beforeIds, afterIds);
  }

  /** Takes back the image's latest change; null when there is nothing to undo. */
  undo(imageId: number): AppliedChange | null {
    return this.step(imageId, 'done');
  }

  /** Applies again the change undone last; null when there is nothing to redo. */
  redo(imageId: number): AppliedChange | null {
    return this.step(imageId, 'undone');
  }

  counts(imageId: number): HistoryCounts {
    const row = this.countStatement.get(imageId);
    return { undo: row?.undo ?? 0, redo: row?.redo ?? 0 };
  }

  private step(imageId: number, from: 'done' | 'undone'): AppliedChange | null {
    return writeTransaction(this.ctx, () => {
      // Undo takes the newest done entry; redo the oldest undone one (undone entries are always
      // the newest of an image, so that is the one undone last).
      const entry = this.ctx.db
        .prepare(
          `SELECT id, kind FROM history WHERE image_id = ? AND state = ?
           ORDER BY id ${from === 'done' ? 'DESC' : 'ASC'} LIMIT 1`,
        )
        .get(imageId, from) as { id: number; kind: ChangeKind } | undefined;
      if (!entry) return null;
      const [removeSide, restoreSide] = from === 'done' ? [AFTER, BEFORE] : [BEFORE, AFTER];
      const removeIds = this.sideIds.all(entry.id, removeSide);
      const restoreIds = this.sideIds.all(entry.id, restoreSide);
      const removed = this.removeSide.run(entry.id, removeSide).changes;
      if (removed !== removeIds.length) {
        throw new HistoryConflictError(
          `Cannot ${from === 'done' ? 'undo' : 'redo'} the ${entry.kind} of image ${imageId}: ${removeIds.length - removed} of its objects no longer exist`,
          entry.id,
        );
      }
      try {
        this.restoreSide.run(entry.id, restoreSide);
      } catch (err) {
        if (!String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) throw err;
        throw new HistoryConflictError(
          `Cannot ${from === 'done' ? 'undo' : 'redo'} the ${entry.kind} of image ${imageId}: ${(err as Error).message}`,
          entry.id,
        );
      }
      this.ctx.db
        .prepare(`UPDATE history SET state = ? WHERE id = ?`)
        .run(from === 'done' ? 'undone' : 'done', entry.id);
      return this.describe(imageId, entry.kind, entry.id, removeIds, restoreIds);
    });
  }

  private describe(
    imageId: number,
    kind: ChangeKind,
    historyId: number,
    beforeIds: readonly number[],
    afterIds: readonly number[],
  ): AppliedChange {
    const before = new Set(beforeIds);
    const after = new Set(afterIds);
    const now = this.objectsById.all(idList(afterIds)).map(objectFromRow);
    return {
      imageId,
      kind,
      historyId,
      added: now.filter((o) => !before.has(o.id)),
      updated: now.filter((o) => before.has(o.id)),
      removed: beforeIds.filter((id) => !after.has(id)),
    };
  }
}
