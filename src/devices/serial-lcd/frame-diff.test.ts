import { describe, expect, it } from 'vitest';
import { changedRuns } from './frame-diff.js';

const plain = (cursorBytes: number) => ({ cursorBytes, textBytes: (text: string) => text.length });

describe('changedRuns', () => {
  it('finds nothing to send between equal frames', () => {
    expect(changedRuns(['abcd', 'efgh'], ['abcd', 'efgh'], plain(2))).toEqual([]);
  });

  it('gives each run of changed cells with where it starts', () => {
    expect(changedRuns(['abcdefgh', '        '], ['aXYdefgh', '      ZZ'], plain(2))).toEqual([
      { row: 0, column: 1, text: 'XY' },
      { row: 1, column: 6, text: 'ZZ' },
    ]);
  });

  it('merges two runs when the cells between them cost fewer bytes than a cursor command', () => {
    // A 2-byte cursor: a 1-cell gap is resent; a 2-cell gap is not, as it would save nothing.
    expect(changedRuns(['abcdefgh'], ['aXcYefgh'], plain(2))).toEqual([{ row: 0, column: 1, text: 'XcY' }]);
    expect(changedRuns(['abcdefgh'], ['aXcdYfgh'], plain(2))).toEqual([
      { row: 0, column: 1, text: 'X' },
      { row: 0, column: 4, text: 'Y' },
    ]);
    // A 4-byte cursor: gaps of up to 3 cells are resent.
    expect(changedRuns(['abcdefgh'], ['aXcdeYgh'], plain(4))).toEqual([{ row: 0, column: 1, text: 'XcdeY' }]);
    expect(changedRuns(['abcdefgh'], ['aXcdefYh'], plain(4))).toEqual([
      { row: 0, column: 1, text: 'X' },
      { row: 0, column: 6, text: 'Y' },
    ]);
  });

  it('decides each gap on its own, so a chain of small gaps becomes one run', () => {
    expect(changedRuns(['abcdefgh'], ['XbYdZfWh'], plain(2))).toEqual([
      { row: 0, column: 0, text: 'XbYdZfW' },
    ]);
  });

  it('counts a gap by the bytes it takes, not its cells', () => {
    const serlcd = { cursorBytes: 2, textBytes: (text: string) => text.replaceAll('|', '||').length };
    expect(changedRuns(['a|b'], ['X|Y'], serlcd)).toEqual([
      { row: 0, column: 0, text: 'X' },
      { row: 0, column: 2, text: 'Y' },
    ]);
  });

  it('never joins rows, even when the change runs across the end of one', () => {
    expect(changedRuns(['abcd', 'efgh'], ['abcX', 'Yfgh'], plain(2))).toEqual([
      { row: 0, column: 3, text: 'X' },
      { row: 1, column: 0, text: 'Y' },
    ]);
  });

  it('refuses frames of different shapes', () => {
    expect(() => changedRuns(['ab'], ['ab', 'cd'], plain(2))).toThrow(RangeError);
    expect(() => changedRuns(['ab'], ['abc'], plain(2))).toThrow(RangeError);
  });
});
