/**
 * Numbers requests so that only the answer to the latest one is used: an answer that arrives
 * after a newer request was made (or after `invalidate`) is stale and dropped. The previous
 * request is also aborted, so the server can skip work nobody will look at.
 */
export class RequestSequence {
  private latest = 0;
  private controller: AbortController | null = null;

  /** Starts a request: its number and the signal that aborts it when a newer one starts. */
  next(): { seq: number; signal: AbortSignal } {
    this.controller?.abort();
    this.controller = new AbortController();
    return { seq: ++this.latest, signal: this.controller.signal };
  }

  isCurrent(seq: number): boolean {
    return seq === this.latest;
  }

  /** Makes every request so far stale (and aborts the one in flight). */
  invalidate(): void {
    this.controller?.abort();
    this.controller = null;
    this.latest++;
  }

  /** The request finished: keep no handle to its controller. */
  settle(seq: number): void {
    if (seq === this.latest) this.controller = null;
  }
}
