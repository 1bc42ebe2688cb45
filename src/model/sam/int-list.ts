/** A growable list of 32-bit integers in one typed array (no boxed numbers). */
export class IntList {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 64) {
    this.data = new Int32Array(Math.max(4, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(2 * this.data.length);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** The values pushed so far (a view: pushing more may or may not show in it). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}
