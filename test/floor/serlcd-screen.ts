/**
 * A tiny SparkFun SerLCD / OpenLCD as the test's stand-in for the glass: it reads the byte stream a
 * display would receive and works out what the screen shows. Written from devices.md §2 alone, and
 * independent of the driver under test:
 *
 * - `FE <instr>` passes an HD44780 instruction: `01` clear (blank, cursor home), `02` home,
 *   `80|addr` set the cursor to DDRAM address `addr`, with rows starting at `00`, `40`, `14`, `54`;
 *   `08..0F` display on/off control (`0C` = on, no cursor).
 * - `7C <setting>` is a setting (`7C 7C` prints a literal `|`).
 * - Anything else printable (20..7E) is a character at the cursor, which then moves right.
 *
 * Whatever a real display could not show as intended is a problem: a byte that is neither a command
 * nor printable ASCII (such as UTF-8 of Chinese text, all above 7E), a cursor address outside the
 * screen, text running past the end of a row, an unknown instruction.
 */

const ROW_STARTS = [0x00, 0x40, 0x14, 0x54] as const;

export type LcdOp =
  | { op: 'clear' }
  | { op: 'home' }
  | { op: 'display'; instruction: number }
  | { op: 'cursor'; row: number; column: number }
  | { op: 'text'; text: string }
  | { op: 'setting'; byte: number };

export interface LcdState {
  /** One string of `columns` characters per row. */
  lines: string[];
  ops: LcdOp[];
  problems: string[];
  /** Every byte that was taken as a character (never above 7E on a correct stream). */
  textBytes: number[];
  /** True when the stream ends in the middle of a command (more bytes to come). */
  partial: boolean;
}

export function decodeSerLcd(bytes: Uint8Array, columns = 16, rows = 2): LcdState {
  const cells = Array.from({ length: rows }, () => Array<string>(columns).fill(' '));
  const ops: LcdOp[] = [];
  const problems: string[] = [];
  const textBytes: number[] = [];
  let row = 0;
  let column = 0;
  const put = (char: string, at: number) => {
    const line = cells[row];
    if (line === undefined || column >= columns) {
      problems.push(`byte ${at}: ${JSON.stringify(char)} written past the end of row ${row}`);
    } else {
      line[column] = char;
    }
    column += 1;
    const last = ops.at(-1);
    if (last?.op === 'text') last.text += char;
    else ops.push({ op: 'text', text: char });
  };
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index] as number;
    if (byte === 0xfe || byte === 0x7c) {
      const next = bytes[index + 1];
      if (next === undefined) {
        return finish(true);
      }
      if (byte === 0x7c) {
        if (next === 0x7c) {
          textBytes.push(0x7c);
          put('|', index);
        } else {
          ops.push({ op: 'setting', byte: next });
        }
      } else if (next === 0x01) {
        for (const line of cells) line.fill(' ');
        row = 0;
        column = 0;
        ops.push({ op: 'clear' });
      } else if (next === 0x02) {
        row = 0;
        column = 0;
        ops.push({ op: 'home' });
      } else if (next >= 0x80) {
        const address = next & 0x7f;
        const target = ROW_STARTS.findIndex(
          (start, candidate) => candidate < rows && address >= start && address < start + columns,
        );
        if (target < 0) {
          problems.push(
            `byte ${index}: cursor address ${address.toString(16)} is not on a ${columns}x${rows} screen`,
          );
        } else {
          row = target;
          column = address - (ROW_STARTS[target] as number);
          ops.push({ op: 'cursor', row, column });
        }
      } else if (next >= 0x08 && next <= 0x0f) {
        ops.push({ op: 'display', instruction: next });
      } else {
        problems.push(
          `byte ${index}: unexpected HD44780 instruction FE ${next.toString(16).padStart(2, '0')}`,
        );
      }
      index += 2;
      continue;
    }
    if (byte >= 0x20 && byte <= 0x7e) {
      textBytes.push(byte);
      put(String.fromCharCode(byte), index);
    } else {
      textBytes.push(byte);
      problems.push(
        `byte ${index}: ${byte.toString(16).padStart(2, '0')} is neither a command nor printable ASCII`,
      );
    }
    index += 1;
  }
  return finish(false);

  function finish(partial: boolean): LcdState {
    return { lines: cells.map((line) => line.join('')), ops, problems, textBytes, partial };
  }
}

/** The lines as a 16-column screen holds them: cut and padded with blanks. */
export function screenOf(lines: readonly string[], columns = 16): string[] {
  return lines.map((line) => line.slice(0, columns).padEnd(columns, ' '));
}
