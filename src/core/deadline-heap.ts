/**
 * One pending deadline per id (0..size-1) in a binary min-heap over typed arrays: O(log n) to set,
 * move or remove a deadline, O(1) to look at the earliest. Ties go to the lower id, so the order in
 * which equal deadlines fire does not depend on the heap's history. Deadlines are written into `keys`
 * and the heap told with `update`, and the earliest is read from `earliest[0]`, so no fractional
 * number crosses a call (see `current-read.ts`).
 */
export class DeadlineHeap {
  /** Id → deadline. Write, then call `update(id)`. */
  readonly keys: Float64Array;
  /** `earliest[0]`: the earliest deadline, +Infinity when there is none. */
  readonly earliest = Float64Array.of(Number.POSITIVE_INFINITY);
  /** Heap position → id. */
  private readonly order: Int32Array;
  /** Id → heap position, -1 when the id has no deadline. */
  private readonly positions: Int32Array;
  private count = 0;

  constructor(ids: number) {
    this.order = new Int32Array(ids);
    this.keys = new Float64Array(ids);
    this.positions = new Int32Array(ids).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Id of the earliest deadline, -1 when there is none. */
  get minId(): number {
    return this.count === 0 ? -1 : (this.order[0] as number);
  }

  has(id: number): boolean {
    return (this.positions[id] as number) >= 0;
  }

  /** Adds `id` with deadline `keys[id]`, or moves it after `keys[id]` changed. */
  update(id: number): void {
    const position = this.positions[id] as number;
    if (position < 0) {
      this.order[this.count] = id;
      this.positions[id] = this.count;
      this.siftUp(this.count++);
    } else {
      this.siftUp(position);
      this.siftDown(this.positions[id] as number);
    }
    this.refreshEarliest();
  }

  remove(id: number): void {
    const position = this.positions[id] as number;
    if (position < 0) return;
    this.positions[id] = -1;
    const last = this.order[--this.count] as number;
    if (position !== this.count) {
      this.order[position] = last;
      this.positions[last] = position;
      this.siftUp(position);
      this.siftDown(this.positions[last] as number);
    }
    this.refreshEarliest();
  }

  private refreshEarliest(): void {
    this.earliest[0] =
      this.count === 0 ? Number.POSITIVE_INFINITY : (this.keys[this.order[0] as number] as number);
  }

  private before(a: number, b: number): boolean {
    const keyA = this.keys[a] as number;
    const keyB = this.keys[b] as number;
    return keyA < keyB || (keyA === keyB && a < b);
  }

  private siftUp(start: number): void {
    const id = this.order[start] as number;
    let position = start;
    while (position > 0) {
      const parentPosition = (position - 1) >> 1;
      const parent = this.order[parentPosition] as number;
      if (!this.before(id, parent)) break;
      this.order[position] = parent;
      this.positions[parent] = position;
      position = parentPosition;
    }
    this.order[position] = id;
    this.positions[id] = position;
  }

  private siftDown(start: number): void {
    const id = this.order[start] as number;
    let position = start;
    for (;;) {
      let child = position * 2 + 1;
      if (child >= this.count) break;
      const right = child + 1;
      if (right < this.count && this.before(this.order[right] as number, this.order[child] as number)) {
        child = right;
      }
      const childId = this.order[child] as number;
      if (!this.before(childId, id)) break;
      this.order[position] = childId;
      this.positions[childId] = position;
      position = child;
    }
    this.order[position] = id;
    this.positions[id] = position;
  }
}
