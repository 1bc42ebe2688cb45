/**
 * How a test starts a TypeScript helper script in a child process: the compiled copy in dist/
 * (`npm run build` runs before the tests) starts in ~0.3 s, through tsx it takes seconds of
 * compiling per child. The compiled copy is used only when it and every module it imports are
 * at least as new as their sources, so that a test never runs yesterday's code.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ScriptCommand {
  /** Arguments for `node` before the script's own. */
  args: string[];
  /** Whether the dist/ copy is used (false: tsx, and why). */
  built: boolean;
  reason: string;
}

/** `srcRoot/x/y.ts` -> `distRoot/x/y.js` if it is up to date, else `--import tsx` on the source. */
export function scriptCommand(source: string, srcRoot: string, distRoot: string): ScriptCommand {
  const relative = path.relative(srcRoot, source).replace(/\.ts$/, '.js');
  const built = path.join(distRoot, relative);
  const stale = staleModule(built, srcRoot, distRoot);
  if (stale === null) return { args: [built], built: true, reason: 'dist/ is up to date' };
  return { args: ['--import', 'tsx', source], built: false, reason: stale };
}

/** Relative imports of compiled ESM (type-only imports are gone by then). */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Why the compiled module graph from `entry` is out of date, or null when it is not. */
function staleModule(entry: string, srcRoot: string, distRoot: string): string | null {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const builtAt = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (builtAt === undefined) return `${file} is missing (run npm run build)`;
    const source = path.join(srcRoot, path.relative(distRoot, file)).replace(/\.js$/, '.ts');
    const writtenAt = statSync(source, { throwIfNoEntry: false })?.mtimeMs;
    if (writtenAt === undefined) return `${file} has no source ${source}`;
    if (writtenAt > builtAt) return `${source} changed after ${file} was built`;
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      pending.push(path.resolve(path.dirname(file), match[1]!));
    }
  }
  return null;
}
