import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelsDir, resolveModelsDir } from './models-dir.js';

describe('defaultModelsDir', () => {
  it('honours an absolute XDG_CACHE_HOME and ignores a relative one', () => {
    expect(defaultModelsDir({ XDG_CACHE_HOME: '/var/cache/me' }, 'linux', '/home/me')).toBe(
      path.join('/var/cache/me', 'sam-annotator', 'models'),
    );
    expect(defaultModelsDir({ XDG_CACHE_HOME: 'cache' }, 'linux', '/home/me')).toBe(
      path.join('/home/me', '.cache', 'sam-annotator', 'models'),
    );
    expect(defaultModelsDir({}, 'darwin', '/Users/me')).toBe(
      path.join('/Users/me', '.cache', 'sam-annotator', 'models'),
    );
  });

  it('uses LOCALAPPDATA on Windows', () => {
    expect(
      defaultModelsDir({ LOCALAPPDATA: '/c/Users/me/AppData/Local' }, 'win32', '/c/Users/me'),
    ).toBe(path.join('/c/Users/me/AppData/Local', 'sam-annotator', 'models'));
  });
});

describe('resolveModelsDir', () => {
  it('maps "auto" to the default, expands ~ and resolves relative paths', () => {
    expect(resolveModelsDir('auto', { XDG_CACHE_HOME: '/x' })).toBe(
      path.join('/x', 'sam-annotator', 'models'),
    );
    expect(resolveModelsDir('~/weights', {})).toBe(path.join(os.homedir(), 'weights'));
    expect(resolveModelsDir('weights/Sam', {}, '/data')).toBe(path.join('/data', 'weights', 'Sam'));
    expect(resolveModelsDir('/abs/Models', {}, '/data')).toBe('/abs/Models');
  });
});
