/**
 * Beyond this many elements an array is made for the call alone: a rare huge mask (noise
 * logits upsampled to a large picture) must not leave megabytes held for good.
 */
const KEPT_LENGTH = 1 << 16;

/**
 * Working space kept from one call to the next, grown when a call needs more: for the arrays a
 * call fills and then drops, never for what it returns. A click's post-processing otherwise
 * makes over a hundred typed arrays, each a native allocation (zeroed) that V8 tracks and frees,
 * which cost more than some of the loops that fill them.
 */
export class Scratch<T extends Int32Array | Uint32Array | Float64Array | Uint8Array> {
  private data: T;

  constructor(private readonly make: (length: number) => T) {
    this.data = make(0);
  }

  /**
   * An array of at least `length` elements (maybe more: use `length`, not its own), holding
   * whatever the last call left in it. Only one caller may use a Scratch at a time.
   */
  take(length: number): T {
    if (this.data.length >= length) return this.data;
    if (length > KEPT_LENGTH) return this.make(length);
    this.data = this.make(Math.min(KEPT_LENGTH, Math.max(length, 2 * this.data.length)));
    return this.data;
  }
}
