import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './hex.js';
import { TagTable } from './tag-table.js';

/** protocols.md §1.8 T4 (SparkFun URA logs): a 96-bit EPC. */
const EPC_T4 = 'E2001026760E017915907125';
/** protocols.md §1.8 T5: a 2-byte EPC `CCDD` (PC 0x0800). */
const EPC_T5 = 'CCDD';
/** protocols.md §2.2 E1 (ID-20LA): a 5-byte EM4100 id. */
const EM4100_E1 = '0500207B32';
/** protocols.md §1.7: a 30-byte EPC from the 0x29 buffer frames (PC 0x7800): longer than the inline 24 bytes. */
const EPC_30_BYTES = '112233445566778899001122334455667788990011223344556677889900';

function find(table: TagTable, hex: string): number {
  const bytes = fromHex(hex);
  return table.find(bytes, 0, bytes.length);
}

function insert(table: TagTable, hex: string): number {
  expect(find(table, hex)).toBe(-1);
  return table.insert();
}

describe('TagTable', () => {
  it('finds keys of any length it inserted, from any offset', () => {
    const table = new TagTable(8, 62);
    const records = [EPC_T4, EPC_T5, EM4100_E1, EPC_30_BYTES].map((hex) => insert(table, hex));
    expect(records).toEqual([0, 1, 2, 3]);
    const buffer = fromHex(`FFFF${EM4100_E1}FF`);
    expect(table.find(buffer, 2, 5)).toBe(2);
    expect(records.map((record) => table.keyHex(record))).toEqual([EPC_T4, EPC_T5, EM4100_E1, EPC_30_BYTES]);
    expect(table.size).toBe(4);
  });

  it('tells apart keys that share words but differ in length or in a late byte', () => {
    const table = new TagTable(8, 62);
    const short = insert(table, 'CCDD');
    const padded = insert(table, 'CCDD00');
    const longA = insert(table, `${EPC_30_BYTES.slice(0, -2)}00`);
    const longB = insert(table, `${EPC_30_BYTES.slice(0, -2)}01`);
    expect([
      find(table, 'CCDD'),
      find(table, 'CCDD00'),
      find(table, `${EPC_30_BYTES.slice(0, -2)}01`),
    ]).toEqual([short, padded, longB]);
    expect(longA).not.toBe(longB);
  });

  it('refuses a key when full and hands freed records out oldest first', () => {
    const table = new TagTable(2, 12);
    const a = insert(table, '01');
    const b = insert(table, '02');
    expect(table.full).toBe(true);
    expect(insert(table, '03')).toBe(-1);
    table.remove(a);
    // The freed key stays readable until its record is reused.
    expect(table.keyHex(a)).toBe('01');
    expect(find(table, '01')).toBe(-1);
    expect(insert(table, '03')).toBe(a);
    expect(table.keyHex(a)).toBe('03');
    expect(find(table, '02')).toBe(b);
  });

  it('keeps every key findable through collisions and backward-shift deletes (tiny table)', () => {
    // Capacity 4 = 8 slots: 4 keys collide often; check that collisions really happened.
    let sawCollision = false;
    for (let round = 0; round < 50; round++) {
      const table = new TagTable(4, 12);
      const keys = [0, 1, 2, 3].map((index) => toHex(Uint8Array.of(round, index), 0, 2));
      const records = keys.map((hex) => insert(table, hex));
      if (table.longestProbe() > 1) sawCollision = true;
      table.remove(records[round % 4] as number);
      keys.forEach((hex, index) => {
        expect(find(table, hex)).toBe(index === round % 4 ? -1 : records[index]);
      });
    }
    expect(sawCollision).toBe(true);
  });

  it('behaves like a Map under random inserts and removes', () => {
    const key = fc.uint8Array({ minLength: 1, maxLength: 30 }).map((bytes) => toHex(bytes, 0, bytes.length));
    const operation = fc.tuple(
      fc.boolean(),
      fc.oneof(key, fc.constantFrom('01', '02', '0102', EPC_T4, EPC_30_BYTES)),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const capacity = 6;
        const table = new TagTable(capacity, 30);
        const model = new Map<string, number>();
        for (const [add, hex] of operations) {
          const found = find(table, hex);
          expect(found).toBe(model.get(hex) ?? -1);
          if (add && found < 0) {
            const record = table.insert();
            if (model.size === capacity) expect(record).toBe(-1);
            else model.set(hex, record);
          } else if (!add && found >= 0) {
            table.remove(found);
            model.delete(hex);
          }
          expect(table.size).toBe(model.size);
        }
        for (const [hex, record] of model) {
          expect(find(table, hex)).toBe(record);
          expect(table.keyHex(record)).toBe(hex);
        }
      }),
      { numRuns: 300 },
    );
  });
});
