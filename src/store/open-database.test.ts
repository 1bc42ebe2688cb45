import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseBusyError, ProjectFileError, type StoreError } from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
import { APPLICATION_ID, PROJECT_DB_NAME, openProjectDatabase } from './open-database.js';
import { ProjectStore } from './project-store.js';
import { rectRle, syncEntry, tempProject, type TempProject } from './test-support.js';

let project: TempProject;

beforeEach(() => {
  project = tempProject();
});
afterEach(() => project.cleanup());

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('opening a project', () => {
  it('lives in <dataset>/.sam-annotator/project.db with WAL, foreign keys and NORMAL sync', () => {
    const dataset = path.join(project.dir, 'dataset');
    mkdirSync(dataset);
    const store = ProjectStore.open({ datasetDir: dataset });
    try {
      expect(store.file).toBe(path.join(dataset, '.sam-annotator', PROJECT_DB_NAME));
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
      expect(store.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      store.close();
    }
    const full = project.open({ synchronous: 'full' });
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(full.file).toBe(path.join(project.dir, PROJECT_DB_NAME));
    expect(() => ProjectStore.open({})).toThrow(/dataset folder or a project folder/);
    expect(() => ProjectStore.open({ datasetDir: path.join(project.dir, 'typo') })).toThrow(
      /The dataset folder .*typo does not exist/,
    );
  });

  it('names the folder when the project folder cannot be made', () => {
    const blocker = path.join(project.dir, 'a-file');
    writeFileSync(blocker, 'x');
    const err = errorOf(() => ProjectStore.open({ projectDir: path.join(blocker, 'project') }));
    expect(err).toBeInstanceOf(ProjectFileError);
    expect(err.message).toContain(path.join(blocker, 'project'));
  });

  it('refuses a file that is not a database, naming it and leaving it alone', () => {
    const file = path.join(project.dir, PROJECT_DB_NAME);
    const junk = 'these are my holiday notes, not a database'.repeat(30);
    writeFileSync(file, junk);
    const err = errorOf(() => project.open());
    expect(err).toBeInstanceOf(ProjectFileError);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a SQLite database/);
    expect(readFileSync(file, 'utf8')).toBe(junk);
  });

  it('refuses another program’s SQLite database without changing it', () => {
    const file = path.join(project.dir, PROJECT_DB_NAME);
    const other = new Database(file);
    other.exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')`);
    other.close();
    const before = readFileSync(file);
    const err = errorOf(() => project.open());
    expect(err).toBeInstanceOf(ProjectFileError);
    expect(err.message).toMatch(
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a SQLite database but not a sam-annotator project`,
      ),
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a project written by a newer version, and does not touch it', () => {
    const store = project.open();
    store.close();
    const raw = new Database(path.join(project.dir, PROJECT_DB_NAME));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    const err = errorOf(() => project.open());
    expect(err).toBeInstanceOf(ProjectFileError);
    expect(err.message).toMatch(
      new RegExp(
        `newer sam-annotator \\(schema version ${SCHEMA_VERSION + 5}; this version knows up to ${SCHEMA_VERSION}\\)`,
      ),
    );
    const check = new Database(path.join(project.dir, PROJECT_DB_NAME), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    check.close();
  });
});

describe('migrations', () => {
  it('upgrades a version 1 project, keeping its data, and history works afterwards', () => {
    const { db } = openProjectDatabase(project.dir, { upTo: 1 });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(
      db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'history'`).pluck().get(),
    ).toBe(0);
    const rle = rectRle(20, 10, 2, 2, 5, 5);
    db.exec(`
      INSERT INTO classes (id, name, name_key, color, position) VALUES (1, 'Cat', 'cat', '#112233', 0);
      INSERT INTO images (id, key, path, bytes, mtime_ms, width, height, status)
        VALUES (7, 'k7', 'old.png', 10, 1, 20, 10, 'done');
      INSERT INTO objects (id, image_id, class_id, rle_height, rle_width, rle_counts, bbox_x, bbox_y,
        bbox_w, bbox_h, area, score, source, prompts, created_at, updated_at)
        VALUES (3, 7, 1, 10, 20, '${rle.counts}', 2, 2, 5, 5, 25, NULL, 'manual', NULL,
          '2023-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z');
    `);
    db.close();

    const store = project.open();
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.listClasses()).toEqual([{ id: 1, name: 'Cat', color: '#112233', position: 0 }]);
    expect(store.images.get(7)).toMatchObject({ path: 'old.png', status: 'done', objectCount: 1 });
    expect(store.objectsOf(7)[0]).toMatchObject({ id: 3, area: 25, rle });
    store.objects.delete(3);
    expect(store.objects.undo(7)!.added.map((o) => o.id)).toEqual([3]);
    expect(store.objects.add({ imageId: 7, classId: 1, rle, source: 'sam' }).added[0]!.id).toBe(4);
  });

  // Versions 1 and 2 shipped; both must reach the dataset order (migration 3).
  it.each([1, 2])(
    'upgrades a version %i project to the dataset order: path order until the next sync',
    (version) => {
      const { db } = openProjectDatabase(project.dir, { upTo: version });
      expect(db.pragma('user_version', { simple: true })).toBe(version);
      // Registered by the old code, which kept no order of its own (ids as files turned up).
      const insert = db.prepare(
        `INSERT INTO images (id, key, path, bytes, mtime_ms, status) VALUES (?, ?, ?, 10, 1, ?)`,
      );
      const old = ['img10.png', 'img2.png', 'a/img3.png', 'img1.png'];
      old.forEach((p, i) => insert.run(i + 1, `key:${p}`, p, i === 0 ? 'done' : 'new'));
      db.close();

      const store = project.open();
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      const order = () => store.images.list().items.map((i) => i.path);
      expect(order()).toEqual(['a/img3.png', 'img1.png', 'img10.png', 'img2.png']);
      expect(store.images.positionOf(1)).toBe(2);

      const natural = ['a/img3.png', 'img1.png', 'img2.png', 'img10.png'];
      const synced = store.images.sync(
        natural.map((p) => ({ id: `key:${p}`, relPath: p, bytes: 10, mtimeMs: 1 })),
      );
      expect(synced).toMatchObject({ added: 0, changed: 0, unchanged: 4, total: 4 });
      expect(order()).toEqual(natural);
      expect([...store.iterateImages()].map((i) => i.path)).toEqual(natural);
      expect(store.images.positionOf(1)).toBe(3);
      expect(store.images.neighbours(2)).toEqual({ previous: 4, next: 1 });
      expect(store.images.get(1)).toMatchObject({ path: 'img10.png', status: 'done' });
      expect(store.integrityCheck()).toEqual(['ok']);
    },
  );

  it('a failing migration leaves the database at the previous version', () => {
    project.open().close();
    const broken: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'a step that fails halfway',
      up(db) {
        db.exec(`CREATE TABLE half_done (x)`);
        db.exec(`INSERT INTO no_such_table VALUES (1)`);
      },
    };
    const err = errorOf(() =>
      openProjectDatabase(project.dir, { migrations: [...MIGRATIONS, broken] }),
    );
    expect(err).toBeInstanceOf(ProjectFileError);
    expect(err.message).toMatch(
      new RegExp(
        `to schema version ${SCHEMA_VERSION + 1} \\(a step that fails halfway\\) failed: no such table: no_such_table. The database was left at version ${SCHEMA_VERSION}`,
      ),
    );
    const store = project.open();
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(
      store.db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half_done'`).pluck().get(),
    ).toBe(0);
  });
});

describe('two handles on one project (WAL)', () => {
  it('see each other’s writes and share undo history', () => {
    const a = project.open();
    const b = project.open();
    a.images.sync([syncEntry('x.png')]);
    const image = b.images.findByPath('x.png')!;
    b.images.setSize(image.id, 20, 10);
    const cls = a.classes.add('c');
    const added = a.objects.add({
      imageId: image.id,
      classId: cls.id,
      rle: rectRle(20, 10, 0, 0, 4, 4),
      source: 'sam',
    });
    expect(b.objectsOf(image.id).map((o) => o.id)).toEqual([added.added[0]!.id]);
    expect(b.objects.undo(image.id)!.removed).toEqual([added.added[0]!.id]);
    expect(a.objectsOf(image.id)).toEqual([]);
    expect(a.objects.historyCounts(image.id)).toEqual({ undo: 0, redo: 1 });
  });

  it('a write blocked past the busy timeout is a DatabaseBusyError naming the file; nothing changes', () => {
    const holder = project.open();
    const blocked = project.open();
    holder.images.sync([syncEntry('x.png')]);
    const id = holder.images.findByPath('x.png')!.id;
    // The real wait is 5 s; the same SQLite path, shortened.
    blocked.db.pragma('busy_timeout = 50');
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      const err = errorOf(() => blocked.images.setStatus(id, 'done'));
      expect(err).toBeInstanceOf(DatabaseBusyError);
      expect((err as StoreError).kind).toBe('busy');
      expect(err.message).toContain(blocked.file);
      expect(err.message).toMatch(/another program holds it for writing .* within 0.05 s/);
      expect(errorOf(() => blocked.classes.addMany(['cat']))).toBeInstanceOf(DatabaseBusyError);
    } finally {
      holder.db.exec('ROLLBACK');
    }
    expect(blocked.images.get(id).status).toBe('new');
    expect(blocked.images.setStatus(id, 'done').status).toBe('done');
  });

  it('opens an up-to-date project while another handle holds the write lock', () => {
    const holder = project.open();
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      // Opening takes no write lock unless a migration is due (it would fail here after 5 s).
      const reader = project.open();
      expect(reader.schemaVersion).toBe(SCHEMA_VERSION);
      expect(reader.images.list().total).toBe(0);
    } finally {
      holder.db.exec('ROLLBACK');
    }
  });

  it('a streaming reader keeps its snapshot while writers carry on, on the same handle or another', () => {
    const a = project.open();
    const b = project.open();
    a.images.sync(
      Array.from({ length: 50 }, (_, i) => syncEntry(`img${String(i).padStart(3, '0')}.png`)),
    );
    const cls = a.classes.add('c');
    const seen: string[] = [];
    for (const image of a.iterateImages()) {
      seen.push(image.path);
      if (seen.length === 10) {
        // Writes during the iteration: through the iterating handle and through another one.
        a.images.sync([syncEntry('aaa-new.png'), syncEntry('zzz-new.png')]);
        b.images.setStatus(image.id, 'done');
        a.objects.add({
          imageId: image.id,
          classId: cls.id,
          rle: rectRle(4, 4, 0, 0, 2, 2),
          source: 'sam',
        });
      }
    }
    expect(seen).toHaveLength(50);
    expect(seen).not.toContain('zzz-new.png');
    expect([...b.iterateImages()].map((i) => i.path)).toContain('zzz-new.png');
    expect(b.images.list({ status: 'done' }).items.map((i) => i.objectCount)).toEqual([1]);
    // An abandoned iteration releases its snapshot (one still held would keep the WAL from
    // being truncated).
    for (const _ of a.iterateImages()) break;
    expect(a.db.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
  });
});
