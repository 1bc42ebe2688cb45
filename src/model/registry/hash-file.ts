import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** Size and sha256 of a file, streamed (model files are hundreds of MiB). */
export async function hashFile(file: string, signal?: AbortSignal): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    createReadStream(file, { highWaterMark: 1024 * 1024 }),
    async function (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    },
    { signal },
  );
  return { bytes, sha256: hash.digest('hex') };
}
