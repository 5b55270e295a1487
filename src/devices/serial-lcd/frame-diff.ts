/** A stretch of one row to rewrite: the cursor goes to (row, column), then `text` is written. */
export interface CellRun {
  row: number;
  column: number;
  text: string;
}

export interface RunCosts {
  /** Bytes of one cursor-position command. */
  cursorBytes: number;
  /** Bytes that writing `text` takes (a SerLCD `|` takes two). */
  textBytes(text: string): number;
}

/**
 * The runs of cells that differ between two frames of equal shape, row by row. Two runs on a row are
 * merged, resending the unchanged cells between them, when those cells take fewer bytes than the
 * cursor command they save; each gap is decided on its own, which is optimal since the costs add up.
 * Rows are never joined: the controller's address does not run from one row into the next.
 */
export function changedRuns(before: readonly string[], after: readonly string[], costs: RunCosts): CellRun[] {
  if (before.length !== after.length) {
    throw new RangeError(`frames differ in rows: ${before.length} and ${after.length}`);
  }
  const runs: CellRun[] = [];
  after.forEach((next, row) => {
    const old = before[row] as string;
    if (old.length !== next.length) {
      throw new RangeError(`row ${row} differs in width: ${old.length} and ${next.length}`);
    }
    let start = -1;
    let end = -1;
    for (let column = 0; column < next.length; column++) {
      if (old[column] === next[column]) continue;
      if (start >= 0 && costs.textBytes(next.slice(end, column)) < costs.cursorBytes) {
        end = column + 1;
        continue;
      }
      if (start >= 0) runs.push({ row, column: start, text: next.slice(start, end) });
      start = column;
      end = column + 1;
    }
    if (start >= 0) runs.push({ row, column: start, text: next.slice(start, end) });
  });
  return runs;
}
