import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineHeap } from './deadline-heap.js';

function set(heap: DeadlineHeap, id: number, key: number): void {
  heap.keys[id] = key;
  heap.update(id);
}

describe('DeadlineHeap', () => {
  it('yields the earliest deadline, ties to the lower id', () => {
    const heap = new DeadlineHeap(4);
    set(heap, 3, 100);
    set(heap, 1, 100);
    set(heap, 2, 50);
    expect([heap.minId, heap.earliest[0]]).toEqual([2, 50]);
    heap.remove(2);
    expect([heap.minId, heap.earliest[0]]).toEqual([1, 100]);
    set(heap, 1, 200);
    expect([heap.minId, heap.earliest[0]]).toEqual([3, 100]);
    heap.remove(3);
    heap.remove(1);
    expect([heap.minId, heap.earliest[0], heap.size]).toEqual([-1, Number.POSITIVE_INFINITY, 0]);
  });

  it('pops in (deadline, id) order whatever the sequence of updates and removals', () => {
    const ids = 12;
    const operation = fc.tuple(
      fc.integer({ min: 0, max: ids - 1 }),
      fc.option(fc.integer({ min: 0, max: 20 })),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 100 }), (operations) => {
        const heap = new DeadlineHeap(ids);
        const model = new Map<number, number>();
        for (const [id, key] of operations) {
          if (key === null) {
            heap.remove(id);
            model.delete(id);
          } else {
            set(heap, id, key);
            model.set(id, key);
          }
        }
        const expected = [...model].sort(([idA, a], [idB, b]) => a - b || idA - idB);
        const popped: Array<[number, number]> = [];
        while (heap.minId >= 0) {
          const id = heap.minId;
          popped.push([id, heap.earliest[0] as number]);
          heap.remove(id);
        }
        expect(popped).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
