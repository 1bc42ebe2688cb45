import os from 'node:os';
import path from 'node:path';

/**
 * The per-user models folder: `$XDG_CACHE_HOME/sam-annotator/models`, else
 * `~/.cache/sam-annotator/models`; `%LOCALAPPDATA%\sam-annotator\models` on Windows.
 * Weights are re-downloadable, so they belong in a cache folder, not in the user's data.
 */
export function defaultModelsDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  // XDG says relative values are invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'sam-annotator', 'models');
  if (platform === 'win32' && env.LOCALAPPDATA) {
    return path.join(env.LOCALAPPDATA, 'sam-annotator', 'models');
  }
  return path.join(home, '.cache', 'sam-annotator', 'models');
}

/**
 * The folder named by the `models.dir` config value: "auto" is the per-user default; a leading
 * `~` is the home folder (config files get no shell expansion); relative paths start at `cwd`.
 */
export function resolveModelsDir(
  configured: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  if (configured === 'auto') return defaultModelsDir(env);
  const home = os.homedir();
  const expanded =
    configured === '~'
      ? home
      : /^~[/\\]/.test(configured)
        ? path.join(home, configured.slice(2))
        : configured;
  return path.resolve(cwd, expanded);
}
