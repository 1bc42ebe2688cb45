import type { Releaser } from '../../memory/types.js';
import type { LazySession, ReleasableSession } from './lazy-session.js';

type IdleCheckable = Pick<LazySession<ReleasableSession>, 'loaded' | 'busy' | 'idleMs' | 'release'>;

/**
 * The memory manager's handle on model sessions: under critical pressure it frees every loaded
 * session that no run holds and that has been idle for at least `idleSeconds`. They load again
 * on their next use.
 */
export class IdleSessionReleaser implements Releaser {
  constructor(
    readonly name: string,
    private readonly sessions: () => readonly IdleCheckable[],
    private readonly idleSeconds: number,
  ) {}

  async release(): Promise<number> {
    const now = Date.now();
    const idle = this.sessions().filter(
      (s) => s.loaded && !s.busy && s.idleMs(now) >= this.idleSeconds * 1000,
    );
    let bytes = 0;
    for (const session of idle) bytes += await session.release();
    return bytes;
  }
}
