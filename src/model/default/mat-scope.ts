/** Anything that owns wasm memory and must be freed by hand (cv.Mat, cv.MatVector...). */
export interface Deletable {
  delete(): void;
}

/**
 * Collects wasm objects as they are made and frees them all at once: OpenCV's Mats live in the
 * wasm heap, which the JS garbage collector never sees, so a Mat that is not deleted leaks for
 * the life of the process.
 */
export class MatScope {
  private readonly owned: Deletable[] = [];

  /** Registers `item` for deletion when the scope closes; returns it. */
  keep<T extends Deletable>(item: T): T {
    this.owned.push(item);
    return item;
  }

  /** Frees everything kept, newest first; one failing delete does not stop the others. */
  close(): void {
    let first: unknown;
    while (this.owned.length > 0) {
      try {
        this.owned.pop()!.delete();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}

/** Runs `work` with a fresh scope and frees every object kept in it, whatever happens. */
export function withMats<T>(work: (scope: MatScope) => T): T {
  const scope = new MatScope();
  try {
    return work(scope);
  } finally {
    scope.close();
  }
}
