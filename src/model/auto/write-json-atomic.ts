import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes `value` as JSON through a temporary file in the same folder and a rename: a reader
 * (or an earlier result at that path) never sees half a file, even if the process dies.
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(value) + '\n');
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}
