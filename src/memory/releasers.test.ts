import { describe, expect, it } from 'vitest';
import { releaseAll } from './releasers.js';
import type { Releaser } from './types.js';

describe('releaseAll', () => {
  it('calls every releaser in order even when some throw, reject or hang', async () => {
    const called: string[] = [];
    const releaser = (name: string, release: () => Promise<number> | number): Releaser => ({
      name,
      release: () => {
        called.push(name);
        return release();
      },
    });
    const outcomes = await releaseAll(
      [
        releaser('sync', () => 100),
        releaser('throws', () => {
          throw new Error('session pool is broken');
        }),
        releaser('rejects', () => Promise.reject(new Error('busy'))),
        releaser('hangs', () => new Promise<number>(() => {})),
        releaser('async', async () => 50),
        releaser('nonsense', () => Number.NaN),
      ],
      100,
    );
    expect(called).toEqual(['sync', 'throws', 'rejects', 'hangs', 'async', 'nonsense']);
    expect(outcomes.map((o) => (o.ok ? o.bytes : o.error.message))).toEqual([
      100,
      'session pool is broken',
      'busy',
      'Releaser "hangs" did not finish within 100 ms',
      50,
      0,
    ]);
  });
});
