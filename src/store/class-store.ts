import type { Statement } from 'better-sqlite3';
import { describeValue } from '../geometry/errors.js';
import { checkClassName, checkColor, classNameKey, nextPaletteColor } from './class-values.js';
import {
  ClassInUseError,
  DuplicateClassError,
  InvalidValueError,
  UnknownClassError,
} from './errors.js';
import { idList } from './object-rows.js';
import type { ClassRecord } from './records.js';
import { isWholeNumber, writeTransaction, type StoreContext } from './store-context.js';

export interface DeleteClassResult {
  /** Objects moved to the `reassignTo` class. */
  reassigned: number;
  /**
   * Images whose undo/redo history was cleared because it held objects of the deleted class
   * (only when the class had no objects left and no `reassignTo` was given): those entries
   * could no longer be undone into a class that does not exist.
   */
  historyCleared: number;
}

export interface AddClassesResult {
  /** One class per given name, in the same order (existing or new). */
  classes: ClassRecord[];
  /** The classes that were created. */
  added: ClassRecord[];
}

const CLASS_COLUMNS = 'id, name, color, position';

/** Object classes: names unique regardless of case, a colour each, a dense 0-based order. */
export class ClassStore {
  private readonly listStatement: Statement<[], ClassRecord>;
  private readonly byId: Statement<[number], ClassRecord>;
  private readonly byKey: Statement<[string], ClassRecord>;
  private readonly insert: Statement<[string, string, string, number]>;

  constructor(private readonly ctx: StoreContext) {
    const db = ctx.db;
    this.listStatement = db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes ORDER BY position, id`);
    this.byId = db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes WHERE id = ?`);
    this.byKey = db.prepare(`SELECT ${CLASS_COLUMNS} FROM classes WHERE name_key = ?`);
    this.insert = db.prepare(
      `INSERT INTO classes (name, name_key, color, position) VALUES (?, ?, ?, ?)`,
    );
  }

  /** By position. */
  list(): ClassRecord[] {
    return this.listStatement.all();
  }

  get(id: number, field = 'classId'): ClassRecord {
    const found = isWholeNumber(id, 1) ? this.byId.get(id) : undefined;
    if (!found) throw new UnknownClassError(id, field);
    return found;
  }

  /** The class of that name, compared without regard to case. */
  findByName(name: string): ClassRecord | undefined {
    return this.byKey.get(classNameKey(name.trim()));
  }

  /** Appends a class; without a colour it takes the next unused palette colour. */
  add(name: string, color?: string): ClassRecord {
    return writeTransaction(this.ctx, () => this.addChecked(checkClassName(name), color));
  }

  /**
   * Adds the names that are not classes yet (case-insensitive), in order, in one transaction;
   * imports and class lists use it. Repeated names map to one class. A new class takes
   * `colors[i]` of the first name that creates it (null or absent: the next free palette
   * colour); existing classes keep theirs. Every name and colour is checked before anything is
   * written.
   */
  addMany(names: readonly string[], colors?: readonly (string | null)[]): AddClassesResult {
    if (!Array.isArray(names)) {
      throw new InvalidValueError(
        `names must be an array of class names, got ${describeValue(names)}`,
        'names',
        names,
      );
    }
    if (colors !== undefined && (!Array.isArray(colors) || colors.length > names.length)) {
      throw new InvalidValueError(
        `colors must be an array with at most one colour (or null) per name (${names.length}), got ${describeValue(colors)}`,
        'colors',
        colors,
      );
    }
    const checkedNames = names.map((raw, i) => checkClassName(raw, `names[${i}]`));
    const checkedColors = checkedNames.map((_, i) => {
      const color = colors?.[i];
      return color === null || color === undefined ? undefined : checkColor(color, `colors[${i}]`);
    });
    return writeTransaction(this.ctx, () => {
      const added: ClassRecord[] = [];
      const classes = checkedNames.map((name, i) => {
        const existing = this.byKey.get(classNameKey(name));
        if (existing) return existing;
        const created = this.addChecked(name, checkedColors[i]);
        added.push(created);
        return created;
      });
      return { classes, added };
    });
  }

  rename(id: number, name: string): ClassRecord {
    const checked = checkClassName(name);
    return writeTransaction(this.ctx, () => {
      const current = this.get(id);
      const clash = this.byKey.get(classNameKey(checked));
      if (clash && clash.id !== current.id) throw new DuplicateClassError(checked, clash);
      this.ctx.db
        .prepare(`UPDATE classes SET name = ?, name_key = ? WHERE id = ?`)
        .run(checked, classNameKey(checked), current.id);
      return this.get(current.id);
    });
  }

  recolor(id: number, color: string): ClassRecord {
    const checked = checkColor(color);
    return writeTransaction(this.ctx, () => {
      const current = this.get(id);
      this.ctx.db.prepare(`UPDATE classes SET color = ? WHERE id = ?`).run(checked, current.id);
      return this.get(current.id);
    });
  }

  /** Changes name, colour and/or position (0-based; the others shift) in one transaction. */
  update(id: number, changes: { name?: string; color?: string; position?: number }): ClassRecord {
    return writeTransaction(this.ctx, () => {
      const current = this.get(id);
      if (changes.name !== undefined) this.rename(current.id, changes.name);
      if (changes.color !== undefined) this.recolor(current.id, changes.color);
      if (changes.position !== undefined) {
        const others = this.list().filter((c) => c.id !== current.id);
        if (!isWholeNumber(changes.position, 0) || changes.position > others.length) {
          throw new InvalidValueError(
            `position must be a whole number from 0 to ${others.length}, got ${describeValue(changes.position)}`,
            'position',
            changes.position,
          );
        }
        const ids = others.map((c) => c.id);
        ids.splice(changes.position, 0, current.id);
        this.reorder(ids);
      }
      return this.get(current.id);
    });
  }

  /** Objects per class id (classes without objects are absent). */
  objectCounts(): Map<number, number> {
    const rows = this.ctx.db
      .prepare(`SELECT class_id, count(*) FROM objects GROUP BY class_id`)
      .raw()
      .all() as [number, number][];
    return new Map(rows);
  }

  /** Sets the order: `ids` must hold every class id exactly once. Returns the classes in order. */
  reorder(ids: readonly number[]): ClassRecord[] {
    return writeTransaction(this.ctx, () => {
      const all = this.list();
      checkPermutation(
        ids,
        all.map((c) => c.id),
      );
      const setPosition = this.ctx.db.prepare(`UPDATE classes SET position = ? WHERE id = ?`);
      ids.forEach((id, position) => setPosition.run(position, id));
      return this.list();
    });
  }

  /**
   * Deletes a class. When it has objects, `reassignTo` (another class id) is required and its
   * objects, including those kept in undo history, move to that class in the same transaction.
   */
  delete(id: number, options: { reassignTo?: number } = {}): DeleteClassResult {
    return writeTransaction(this.ctx, () => {
      const db = this.ctx.db;
      const doomed = this.get(id);
      const objectCount = db
        .prepare(`SELECT count(*) FROM objects WHERE class_id = ?`)
        .pluck()
        .get(doomed.id) as number;
      let reassigned = 0;
      let historyCleared = 0;
      if (options.reassignTo !== undefined) {
        const target = this.get(options.reassignTo, 'reassignTo');
        if (target.id === doomed.id) {
          throw new InvalidValueError(
            `reassignTo must be another class than the one deleted (${doomed.id})`,
            'reassignTo',
            options.reassignTo,
          );
        }
        reassigned = db
          .prepare(`UPDATE objects SET class_id = ?, updated_at = ? WHERE class_id = ?`)
          .run(target.id, this.ctx.now(), doomed.id).changes;
        db.prepare(`UPDATE history_objects SET class_id = ? WHERE class_id = ?`).run(
          target.id,
          doomed.id,
        );
      } else if (objectCount > 0) {
        throw new ClassInUseError(doomed.id, doomed.name, objectCount);
      } else {
        const imageIds = db
          .prepare(
            `SELECT DISTINCT h.image_id FROM history h
             JOIN history_objects s ON s.history_id = h.id WHERE s.class_id = ?`,
          )
          .pluck()
          .all(doomed.id) as number[];
        db.prepare(`DELETE FROM history WHERE image_id IN (SELECT value FROM json_each(?))`).run(
          idList(imageIds),
        );
        historyCleared = imageIds.length;
      }
      db.prepare(`DELETE FROM classes WHERE id = ?`).run(doomed.id);
      db.prepare(`UPDATE classes SET position = position - 1 WHERE position > ?`).run(
        doomed.position,
      );
      return { reassigned, historyCleared };
    });
  }

  private addChecked(name: string, color: string | undefined): ClassRecord {
    const key = classNameKey(name);
    const clash = this.byKey.get(key);
    if (clash) throw new DuplicateClassError(name, clash);
    const all = this.list();
    const chosen =
      color === undefined ? nextPaletteColor(all.map((c) => c.color)) : checkColor(color);
    const id = Number(this.insert.run(name, key, chosen, all.length).lastInsertRowid);
    return this.get(id);
  }
}

function checkPermutation(ids: readonly number[], expected: readonly number[]): void {
  if (!Array.isArray(ids)) {
    throw new InvalidValueError(
      `ids must be an array of class ids, got ${describeValue(ids)}`,
      'ids',
      ids,
    );
  }
  const wanted = new Set(expected);
  const seen = new Set<number>();
  ids.forEach((id, i) => {
    if (!wanted.has(id)) throw new UnknownClassError(id, `ids[${i}]`);
    if (seen.has(id)) {
      throw new InvalidValueError(`ids[${i}]: class ${id} is listed twice`, `ids[${i}]`, id);
    }
    seen.add(id);
  });
  const missing = expected.filter((id) => !seen.has(id));
  if (missing.length > 0) {
    throw new InvalidValueError(
      `ids must list every class exactly once; missing: ${missing.join(', ')}`,
      'ids',
      missing,
    );
  }
}
