/**
 * The work of the crash test: a deterministic sequence of object changes (adds, updates,
 * deletes, undos, redos over a few images) that the killed writer runs and the test replays on
 * a fresh project to know what the database must hold after k acknowledged changes.
 */
import type Database from 'better-sqlite3';
import { encodeMask } from '../../geometry/index.js';
import { randomBlobMask, seededRandom } from '../../geometry/testdata/shapes.js';
import type { ProjectStore } from '../project-store.js';

const WIDTH = 320;
const HEIGHT = 240;
const PATHS = ['one.jpg', 'two.jpg', 'three.jpg'];

/** Registers the images and classes every run starts from. */
export function setUpCrashProject(store: ProjectStore): void {
  store.images.sync(
    PATHS.map((p, i) => ({ id: `id-${p}`, relPath: p, bytes: 100 + i, mtimeMs: 1 })),
  );
  for (const p of PATHS) store.images.setSize(store.images.findByPath(p)!.id, WIDTH, HEIGHT);
  store.classes.addMany(['cat', 'dog']);
}

/** Change number k of the run with this seed; its choices depend only on (seed, k) and the state. */
export function crashOp(store: ProjectStore, seed: number, k: number): void {
  const random = seededRandom(seed * 100_003 + k);
  const imageId = store.images.findByPath(PATHS[Math.floor(random() * PATHS.length)]!)!.id;
  const classes = store.listClasses();
  const classId = classes[Math.floor(random() * classes.length)]!.id;
  const objects = store.objectsOf(imageId);
  const pick = random();
  const mask = () =>
    encodeMask(randomBlobMask(WIDTH, HEIGHT, seed * 7919 + k, { parts: 1 + (k % 3), holes: 1 }));
  const target = objects[Math.floor(random() * objects.length)];
  if (pick < 0.5 || !target) {
    store.objects.add({ imageId, classId, rle: mask(), source: 'sam', score: random() });
  } else if (pick < 0.65) {
    store.objects.update(target.id, { rle: mask(), classId });
  } else if (pick < 0.75) {
    store.objects.delete(target.id);
  } else if (pick < 0.8) {
    store.objects.clearImage(imageId);
  } else if (pick < 0.92) {
    store.objects.undo(imageId);
  } else {
    store.objects.redo(imageId);
  }
}

/** Everything the changes wrote, without timestamps (the clock differs between runs). */
export function crashSnapshot(db: Database.Database): string {
  const objects = db
    .prepare(`SELECT id, image_id, class_id, rle_counts, area, score FROM objects ORDER BY id`)
    .raw()
    .all();
  const history = db
    .prepare(`SELECT id, image_id, kind, state FROM history ORDER BY id`)
    .raw()
    .all();
  const snapshots = db
    .prepare(
      `SELECT history_id, side, object_id, class_id, rle_counts FROM history_objects
       ORDER BY history_id, side, object_id`,
    )
    .raw()
    .all();
  return JSON.stringify({ objects, history, snapshots });
}
