import type { Statement } from 'better-sqlite3';
import { describeValue } from '../geometry/errors.js';
import type { CocoRle } from '../geometry/index.js';
import type { ClassStore } from './class-store.js';
import { InvalidValueError, UnknownObjectError } from './errors.js';
import type { AppliedChange, HistoryCounts, HistoryLog } from './history-log.js';
import type { ImageStore } from './image-store.js';
import { OBJECT_DATA_COLUMNS, idList, objectFromRow, type ObjectRow } from './object-rows.js';
import {
  checkPrompts,
  checkScore,
  checkSource,
  storedMaskOf,
  type StoredMask,
} from './object-values.js';
import type { ObjectPrompts, ObjectRecord, ObjectSource } from './records.js';
import { isWholeNumber, writeTransaction, type StoreContext } from './store-context.js';
import { RunsCache, warningsOf, type ObjectWarning, type ValidationOptions } from './validation.js';

export interface NewObject {
  imageId: number;
  classId: number;
  /** At the image's original size; bbox and area are derived from it. */
  rle: CocoRle;
  source: ObjectSource;
  score?: number | null;
  prompts?: ObjectPrompts | null;
}

/** The fields to change; at least one. */
export interface ObjectPatch {
  classId?: number;
  rle?: CocoRle;
  score?: number | null;
  source?: ObjectSource;
  prompts?: ObjectPrompts | null;
}

/** What a change did, its warnings, and what undo/redo can do next on that image. */
export interface ChangeResult extends AppliedChange {
  /** Warnings of the objects added or updated (see validation.ts). */
  warnings: ObjectWarning[];
  history: HistoryCounts;
}

const PATCH_KEYS = ['classId', 'rle', 'score', 'source', 'prompts'] as const;

/**
 * The objects of each image. Every change is one transaction that also writes one undo entry;
 * nothing is saved later.
 */
export class ObjectStore {
  private readonly byId: Statement<[number], ObjectRow>;
  private readonly ofImage: Statement<[number], ObjectRow>;
  private readonly insert: Statement<unknown[]>;
  private readonly updateRow: Statement<unknown[]>;
  /** Decoded masks for the overlap checks (see RunsCache). */
  readonly runsCache = new RunsCache();

  constructor(
    private readonly ctx: StoreContext,
    private readonly images: ImageStore,
    private readonly classes: ClassStore,
    private readonly history: HistoryLog,
    private readonly validation: ValidationOptions,
  ) {
    const db = ctx.db;
    this.byId = db.prepare(`SELECT id, ${OBJECT_DATA_COLUMNS} FROM objects WHERE id = ?`);
    this.ofImage = db.prepare(
      `SELECT id, ${OBJECT_DATA_COLUMNS} FROM objects WHERE image_id = ? ORDER BY id`,
    );
    this.insert = db.prepare(
      `INSERT INTO objects (${OBJECT_DATA_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateRow = db.prepare(
      `UPDATE objects SET class_id = ?, rle_height = ?, rle_width = ?, rle_counts = ?,
         bbox_x = ?, bbox_y = ?, bbox_w = ?, bbox_h = ?, area = ?, score = ?, source = ?,
         prompts = ?, updated_at = ? WHERE id = ?`,
    );
  }

  get(id: number): ObjectRecord {
    const row = isWholeNumber(id, 1) ? this.byId.get(id) : undefined;
    if (!row) throw new UnknownObjectError(id);
    return objectFromRow(row);
  }

  /** The objects of an image, by id. */
  listOf(imageId: number): ObjectRecord[] {
    this.images.get(imageId);
    return this.ofImage.all(imageId).map(objectFromRow);
  }

  add(input: NewObject): ChangeResult {
    if (typeof input !== 'object' || input === null) {
      throw new InvalidValueError(
        `object must be an object, got ${describeValue(input)}`,
        'object',
        input,
      );
    }
    const mask = storedMaskOf(input.rle, 'rle');
    const source = checkSource(input.source);
    const score = checkScore(input.score);
    const prompts = checkPrompts(input.prompts);
    const change = writeTransaction(this.ctx, () => {
      const image = this.images.get(input.imageId);
      const cls = this.classes.get(input.classId);
      this.images.fitMask(image, mask, 'rle.size');
      this.images.markStarted(image.id);
      return this.history.record(image.id, 'add', [], () => [
        this.insertRow(image.id, cls.id, mask, score, source, prompts),
      ]);
    });
    return this.withWarnings(change);
  }

  /** Changes mask, class, score, source and/or prompts; the object keeps its id. */
  update(id: number, patch: ObjectPatch): ChangeResult {
    const given = checkPatchKeys(patch);
    const mask = given.has('rle') ? storedMaskOf(patch.rle, 'rle') : undefined;
    const source = given.has('source') ? checkSource(patch.source) : undefined;
    const score = given.has('score') ? checkScore(patch.score) : undefined;
    const prompts = given.has('prompts') ? checkPrompts(patch.prompts) : undefined;
    const change = writeTransaction(this.ctx, () => {
      const current = this.get(id);
      const image = this.images.get(current.imageId);
      const classId = given.has('classId') ? this.classes.get(patch.classId!).id : current.classId;
      if (mask) this.images.fitMask(image, mask, 'rle.size');
      const next: StoredMask = mask ?? {
        height: current.rle.size[0],
        width: current.rle.size[1],
        counts: current.rle.counts,
        bbox: current.bbox,
        area: current.area,
      };
      return this.history.record(image.id, 'update', [current.id], () => {
        this.updateRow.run(
          classId,
          next.height,
          next.width,
          next.counts,
          ...next.bbox,
          next.area,
          score === undefined ? current.score : score,
          source ?? current.source,
          promptsText(prompts === undefined ? current.prompts : prompts),
          this.ctx.now(),
          current.id,
        );
        if (next.runs) this.runsCache.remember(current.id, next.counts, next.runs);
        return [current.id];
      });
    });
    return this.withWarnings(change);
  }

  delete(id: number): ChangeResult {
    return this.deleteMany([id]);
  }

  /** Deletes objects of one image as one change (one undo entry). */
  deleteMany(ids: readonly number[]): ChangeResult {
    if (!Array.isArray(ids) || ids.length === 0) {
      throw new InvalidValueError(
        `ids must be a non-empty array of object ids, got ${describeValue(ids)}`,
        'ids',
        ids,
      );
    }
    const change = writeTransaction(this.ctx, () => {
      const objects = [...new Set(ids)].map((id) => this.get(id));
      const imageId = objects[0]!.imageId;
      const stranger = objects.find((o) => o.imageId !== imageId);
      if (stranger) {
        throw new InvalidValueError(
          `ids must belong to one image: object ${stranger.id} is on image ${stranger.imageId}, object ${objects[0]!.id} on image ${imageId}`,
          'ids',
          ids,
        );
      }
      return this.removeAll(
        imageId,
        'delete',
        objects.map((o) => o.id),
      );
    });
    return this.withWarnings(change);
  }

  /**
   * Deletes every object of an image as one change. The image keeps its status: an image
   * with zero objects is a real answer (exports write an empty label file for it).
   */
  clearImage(imageId: number): ChangeResult {
    const change = writeTransaction(this.ctx, (): AppliedChange => {
      const image = this.images.get(imageId);
      const ids = this.ofImage.all(image.id).map((row) => row.id);
      if (ids.length === 0) {
        return {
          imageId: image.id,
          kind: 'clear',
          historyId: null,
          added: [],
          updated: [],
          removed: [],
        };
      }
      return this.removeAll(image.id, 'clear', ids);
    });
    return this.withWarnings(change);
  }

  /** Takes back the image's latest change; null when there is nothing to undo. */
  undo(imageId: number): ChangeResult | null {
    this.images.get(imageId);
    const change = this.history.undo(imageId);
    return change && this.withWarnings(change);
  }

  /** Applies again the change undone last; null when there is nothing to redo. */
  redo(imageId: number): ChangeResult | null {
    this.images.get(imageId);
    const change = this.history.redo(imageId);
    return change && this.withWarnings(change);
  }

  historyCounts(imageId: number): HistoryCounts {
    this.images.get(imageId);
    return this.history.counts(imageId);
  }

  warningsFor(objectId: number): ObjectWarning[] {
    const object = this.get(objectId);
    return this.warningsAmong([object], object.imageId);
  }

  /** Every warning of an image; an overlapping pair is reported once. */
  imageWarnings(imageId: number): ObjectWarning[] {
    return this.warningsAmong(null, imageId);
  }

  /** Inside a write transaction, with values already checked: the new object's id. */
  insertRow(
    imageId: number,
    classId: number,
    mask: StoredMask,
    score: number | null,
    source: ObjectSource,
    prompts: ObjectPrompts | null,
  ): number {
    const now = this.ctx.now();
    const result = this.insert.run(
      imageId,
      classId,
      mask.height,
      mask.width,
      mask.counts,
      ...mask.bbox,
      mask.area,
      score,
      source,
      promptsText(prompts),
      now,
      now,
    );
    const id = Number(result.lastInsertRowid);
    if (mask.runs) this.runsCache.remember(id, mask.counts, mask.runs);
    return id;
  }

  private removeAll(imageId: number, kind: 'delete' | 'clear', ids: number[]): AppliedChange {
    return this.history.record(imageId, kind, ids, () => {
      this.ctx.db
        .prepare(`DELETE FROM objects WHERE id IN (SELECT value FROM json_each(?))`)
        .run(idList(ids));
      return [];
    });
  }

  private withWarnings(change: AppliedChange): ChangeResult {
    const touched = [...change.added, ...change.updated];
    const warnings = touched.length === 0 ? [] : this.warningsAmong(touched, change.imageId);
    return { ...change, warnings, history: this.history.counts(change.imageId) };
  }

  /** Warnings of `targets` (null: every object) among their image's objects. */
  private warningsAmong(targets: ObjectRecord[] | null, imageId: number): ObjectWarning[] {
    const all = this.listOf(imageId);
    const image = this.images.get(imageId);
    const runsOf = this.runsCache.runsOf;
    // Pairs among several targets (an undone clear restores them all) are checked once.
    return warningsOf(targets ?? all, all, image, this.validation, runsOf, true);
  }
}

function promptsText(prompts: ObjectPrompts | null): string | null {
  return prompts === null ? null : JSON.stringify(prompts);
}

function checkPatchKeys(patch: ObjectPatch): Set<string> {
  if (typeof patch !== 'object' || patch === null) {
    throw new InvalidValueError(
      `patch must be an object, got ${describeValue(patch)}`,
      'patch',
      patch,
    );
  }
  const keys = Object.keys(patch).filter(
    (k) => (patch as Record<string, unknown>)[k] !== undefined,
  );
  const unknown = keys.find((k) => !(PATCH_KEYS as readonly string[]).includes(k));
  if (unknown) {
    throw new InvalidValueError(
      `patch.${unknown} is not a field that can be changed (${PATCH_KEYS.join(', ')})`,
      `patch.${unknown}`,
      (patch as Record<string, unknown>)[unknown],
    );
  }
  if (keys.length === 0) {
    throw new InvalidValueError(
      `patch must change at least one of ${PATCH_KEYS.join(', ')}`,
      'patch',
      patch,
    );
  }
  return new Set(keys);
}
