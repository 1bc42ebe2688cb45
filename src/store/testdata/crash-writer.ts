/**
 * `node dist/store/testdata/crash-writer.js PROJECT_DIR SEED` (or `node --import tsx` on this
 * file; crash.test.ts picks, see built-script.ts): runs crashOp 0, 1, 2, ... on the project and writes "ack K" to stdout after each change
 * has committed, until it is killed. The write is synchronous: an acknowledgement never sits in
 * a buffer that dies with the process.
 */
import { writeSync } from 'node:fs';
import { ProjectStore } from '../project-store.js';
import { crashOp } from './crash-ops.js';

const [projectDir, seedText] = process.argv.slice(2);
const store = ProjectStore.open({ projectDir: projectDir! });
// Checkpoints every few pages (the default is 1000) so that kills also land while the WAL is
// being copied into the database file.
store.db.pragma('wal_autocheckpoint = 8');
const seed = Number(seedText);
writeSync(1, 'ready\n');
for (let k = 0; k < 5000; k++) {
  crashOp(store, seed, k);
  writeSync(1, `ack ${k}\n`);
}
store.close();
