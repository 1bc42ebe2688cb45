import type { Database } from 'better-sqlite3';
import { IMAGE_STATUSES, OBJECT_SOURCES } from './records.js';
import { ProjectFileError } from './errors.js';

/**
 * The schema as an ordered list of migrations. `PRAGMA user_version` holds the number of the
 * last one applied; each runs in its own transaction together with the version bump, so a
 * failure leaves the database at the previous version, never half-migrated. Append new
 * migrations at the end; never edit one that has shipped.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

/** The columns an object row and a history snapshot of it share (history adds its own keys). */
export const OBJECT_DATA_COLUMNS_SQL = `
  image_id INTEGER NOT NULL REFERENCES images(id),
  class_id INTEGER NOT NULL REFERENCES classes(id),
  rle_height INTEGER NOT NULL,
  rle_width INTEGER NOT NULL,
  rle_counts TEXT NOT NULL,
  bbox_x REAL NOT NULL,
  bbox_y REAL NOT NULL,
  bbox_w REAL NOT NULL,
  bbox_h REAL NOT NULL,
  area INTEGER NOT NULL,
  score REAL,
  source TEXT NOT NULL CHECK (source IN (${sqlList(OBJECT_SOURCES)})),
  prompts TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'classes, images and objects',
    up(db) {
      // AUTOINCREMENT: ids are never reused, so a COCO image id or an object id that was
      // exported (or is waiting in an undo entry) never comes to mean something else.
      db.exec(`
        CREATE TABLE classes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          name TEXT NOT NULL,
          name_key TEXT NOT NULL UNIQUE,
          color TEXT NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
          position INTEGER NOT NULL
        );
        CREATE TABLE images (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          key TEXT NOT NULL UNIQUE,
          path TEXT NOT NULL UNIQUE,
          bytes INTEGER NOT NULL,
          mtime_ms REAL NOT NULL,
          width INTEGER,
          height INTEGER,
          status TEXT NOT NULL DEFAULT 'new' CHECK (status IN (${sqlList(IMAGE_STATUSES)})),
          note TEXT NOT NULL DEFAULT '',
          CHECK ((width IS NULL) = (height IS NULL))
        );
        CREATE INDEX images_status_path ON images(status, path);
        CREATE TABLE objects (
          id INTEGER PRIMARY KEY AUTOINCREMENT,${OBJECT_DATA_COLUMNS_SQL}
        );
        CREATE INDEX objects_image ON objects(image_id);
        CREATE INDEX objects_class_image ON objects(class_id, image_id);
      `);
    },
  },
  {
    version: 2,
    description: 'undo and redo history per image',
    up(db) {
      // Snapshots are rows, not JSON, so that reassigning a deleted class's objects can
      // rewrite them with one UPDATE and undo restores with one INSERT ... SELECT.
      db.exec(`
        CREATE TABLE history (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          image_id INTEGER NOT NULL REFERENCES images(id),
          kind TEXT NOT NULL CHECK (kind IN ('add', 'update', 'delete', 'clear', 'import')),
          state TEXT NOT NULL CHECK (state IN ('done', 'undone')),
          detail TEXT NOT NULL DEFAULT '',
          created_at TEXT NOT NULL
        );
        CREATE INDEX history_image_state ON history(image_id, state, id);
        CREATE TABLE history_objects (
          history_id INTEGER NOT NULL REFERENCES history(id) ON DELETE CASCADE,
          side INTEGER NOT NULL CHECK (side IN (0, 1)),
          object_id INTEGER NOT NULL,${OBJECT_DATA_COLUMNS_SQL}
        );
        CREATE INDEX history_objects_entry ON history_objects(history_id, side);
      `);
    },
  },
  {
    version: 3,
    description: 'images in the dataset order',
    up(db) {
      // `ord` is the image's place in the dataset's natural order ("img2" before "img10"),
      // written by images.sync; byte order of the path cannot express it. Until the next sync,
      // an upgraded project keeps the path order it had. The index (ord, then id, the rowid
      // every index carries) serves ORDER BY, positions and neighbours without sorting.
      db.exec(`
        ALTER TABLE images ADD COLUMN ord INTEGER;
        UPDATE images SET ord = ranked.n FROM (
          SELECT id, row_number() OVER (ORDER BY path) - 1 AS n FROM images
        ) AS ranked WHERE ranked.id = images.id;
        CREATE INDEX images_ord ON images(ord);
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrateOptions {
  /** Stop after this version (tests build old databases with it). */
  upTo?: number;
  migrations?: readonly Migration[];
}

/**
 * Brings the database up to date. Each step takes the write lock first (BEGIN IMMEDIATE) and
 * re-reads the version inside it, so two processes opening an old project at once migrate it
 * once.
 */
export function migrate(
  db: Database,
  file: string,
  options: MigrateOptions = {},
): { from: number; to: number } {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length;
  const upTo = options.upTo ?? latest;
  const from = userVersion(db);
  if (from > latest) throw newerVersionError(file, from, latest);
  for (const migration of migrations) {
    if (migration.version > upTo) break;
    // Applied already: no write lock to wait for (a project in use by a server opens at once).
    if (userVersion(db) >= migration.version) continue;
    db.transaction(() => {
      if (userVersion(db) >= migration.version) return;
      try {
        migration.up(db);
      } catch (err) {
        throw new ProjectFileError(
          `Migrating ${file} to schema version ${migration.version} (${migration.description}) failed: ${(err as Error).message}. The database was left at version ${migration.version - 1}.`,
          file,
          { cause: err },
        );
      }
      db.exec(`PRAGMA user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: userVersion(db) };
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function newerVersionError(file: string, found: number, known: number): ProjectFileError {
  return new ProjectFileError(
    `${file} was written by a newer sam-annotator (schema version ${found}; this version knows up to ${known}). Upgrade sam-annotator to open it; nothing was changed.`,
    file,
  );
}
