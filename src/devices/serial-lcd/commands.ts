import { isLcdText } from './text.js';

/**
 * Command bytes of the two UART backpacks for HD44780 displays (devices.md §2):
 * - `serlcd`: SparkFun SerLCD / OpenLCD. `FE <instr>` passes an HD44780 instruction through;
 *   `7C <setting>` changes a setting, which the board writes to EEPROM and confirms on screen.
 * - `matrix-orbital`: the Adafruit USB + Serial backpack, Matrix Orbital style `FE <cmd> <args>`.
 */
export type LcdModel = 'serlcd' | 'matrix-orbital';
export type LcdSize = '16x2' | '20x4';

export const LCD_SIZES: Readonly<Record<LcdSize, { columns: number; rows: number }>> = {
  '16x2': { columns: 16, rows: 2 },
  '20x4': { columns: 20, rows: 4 },
};

/**
 * After a clear, the HD44780 needs up to 1.52 ms (2.16 ms on some controllers) and garbles text sent
 * sooner; devices.md asks for at least 5 ms.
 */
export const LCD_CLEAR_WAIT_MS = 5;

/** DDRAM address of each row's first cell: rows 2 and 3 continue rows 0 and 1 in the controller. */
export const HD44780_ROW_OFFSETS: readonly number[] = [0x00, 0x40, 0x14, 0x54];

const SERLCD_COMMAND = 0xfe;
const HD44780_CLEAR = 0x01;
const HD44780_DISPLAY_ON_NO_CURSOR = 0x0c;
const HD44780_SET_DDRAM = 0x80;

const MO_COMMAND = 0xfe;
const MO_CLEAR = 0x58;
const MO_CURSOR = 0x47;
const MO_DISPLAY_ON = 0x42;
const MO_UNDERLINE_CURSOR_OFF = 0x4b;
const MO_BLOCK_CURSOR_OFF = 0x54;
const MO_SET_SIZE = 0xd1;

export interface LcdCommands {
  readonly model: LcdModel;
  /**
   * Sent before every clear (the first show, and after an invalidate): it puts a display that was
   * power-cycled or replaced into the state the driver assumes. Nothing here may be a setting that
   * wears the board's EEPROM when repeated.
   */
  startup(size: LcdSize): Uint8Array;
  /** Blanks the screen and homes the cursor; wait LCD_CLEAR_WAIT_MS afterwards. */
  readonly clear: Uint8Array;
  /** Moves the cursor to a cell, both from 0. */
  cursor(row: number, column: number): Uint8Array;
  /** Length of every `cursor` command, for deciding whether to resend a few unchanged cells instead. */
  readonly cursorBytes: number;
  /** Printable ASCII as the board takes it as text. */
  text(text: string): Uint8Array;
  /**
   * Whether writing the last cell of the screen may scroll it: the Adafruit firmware scrolls every
   * line up when the cursor wraps past the bottom-right cell with autoscroll on (as an erased EEPROM
   * reads).
   * Turning autoscroll off (`FE 52`) is an EEPROM write every time it is sent, so the driver leaves
   * that cell blank instead.
   */
  readonly lastCellScrolls: boolean;
}

function checkCell(size: number, row: number, column: number): void {
  if (!(Number.isInteger(row) && row >= 0 && row < HD44780_ROW_OFFSETS.length)) {
    throw new RangeError(`LCD row must be 0..${HD44780_ROW_OFFSETS.length - 1} (got ${row})`);
  }
  if (!(Number.isInteger(column) && column >= 0 && column < size)) {
    throw new RangeError(`LCD column must be 0..${size - 1} (got ${column})`);
  }
}

function ascii(text: string): Uint8Array {
  if (!isLcdText(text)) throw new RangeError(`not printable ASCII: ${JSON.stringify(text)}`);
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/**
 * SparkFun SerLCD / OpenLCD. Clear is the HD44780 instruction (`FE 01`) rather than the board's own
 * `7C 2D`: the pass-through works on the older PIC-based SerLCD v2.5 too, and the board's own buffer
 * that `7C 2D` also clears is only shown again after a setting's on-screen confirmation, which this
 * driver never triggers. No `7C` setting is sent at all: each one is written to EEPROM and shown for
 * 500 ms; the width and lines (`7C 03`/`04`, `7C 05`/`06`) are set once when the display is installed.
 */
export const SERLCD: LcdCommands = {
  model: 'serlcd',
  startup: () => Uint8Array.of(SERLCD_COMMAND, HD44780_DISPLAY_ON_NO_CURSOR),
  clear: Uint8Array.of(SERLCD_COMMAND, HD44780_CLEAR),
  cursor(row, column) {
    checkCell(20, row, column);
    return Uint8Array.of(SERLCD_COMMAND, HD44780_SET_DDRAM | ((HD44780_ROW_OFFSETS[row] as number) + column));
  },
  cursorBytes: 2,
  // `|` is the settings prefix; doubled it prints itself. Left single, it would take the next
  // character as a setting (`-` clears the screen, `0`/`1` rewrite the splash flag in EEPROM).
  text: (text) => ascii(text.replaceAll('|', '||')),
  lastCellScrolls: false,
};

/**
 * The Adafruit USB + Serial backpack (Matrix Orbital commands, cursor 1-based as column, row). Its
 * `FE D1 cols rows` size and `FE 42` display-on only write EEPROM when the value changes, so they
 * are safe to repeat; the size must be right for the cursor command to reach rows 3 and 4 (a new size
 * takes effect at the board's next power-up).
 */
export const MATRIX_ORBITAL: LcdCommands = {
  model: 'matrix-orbital',
  startup(size) {
    const { columns, rows } = LCD_SIZES[size];
    return Uint8Array.of(
      ...[MO_COMMAND, MO_SET_SIZE, columns, rows],
      ...[MO_COMMAND, MO_DISPLAY_ON, 0x00],
      ...[MO_COMMAND, MO_UNDERLINE_CURSOR_OFF],
      ...[MO_COMMAND, MO_BLOCK_CURSOR_OFF],
    );
  },
  clear: Uint8Array.of(MO_COMMAND, MO_CLEAR),
  cursor(row, column) {
    checkCell(20, row, column);
    return Uint8Array.of(MO_COMMAND, MO_CURSOR, column + 1, row + 1);
  },
  cursorBytes: 4,
  text: ascii,
  lastCellScrolls: true,
};

export function lcdCommands(model: LcdModel): LcdCommands {
  return model === 'serlcd' ? SERLCD : MATRIX_ORBITAL;
}
