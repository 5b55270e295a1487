export {
  HD44780_ROW_OFFSETS,
  LCD_CLEAR_WAIT_MS,
  LCD_SIZES,
  type LcdCommands,
  type LcdModel,
  type LcdSize,
  lcdCommands,
  MATRIX_ORBITAL,
  SERLCD,
} from './commands.js';
export { type CellRun, changedRuns, type RunCosts } from './frame-diff.js';
export { SerialLcd, type SerialLcdOptions } from './serial-lcd.js';
export { isLcdText, lcdFrame, toLcdText } from './text.js';
