/**
 * OpenScale output written by hand from the print statements of the firmware, sparkfun/OpenScale
 * master (v1.2), for tests and demos. No capture of a real board was at hand: each constant names
 * the statements it follows, and the values are ones the board can print.
 *
 * - OpenScale.ino `setup()`: displaySystemHeader(); "Minimum time between reports: " + n;
 *   "Press x to bring up settings"; "Readings:".
 * - Menus.ino `displaySystemHeader()`: `print(F("\r\nSerial Load Cell Converter version "))`,
 *   `println(F(FIRMWARE_VERSION))`, "By SparkFun Electronics", then "No remote sensor found" or
 *   "Remote temperature sensor detected".
 * - OpenScale.ino `loop()`: `print(startTime); print(",")` if timestamps are on (default on);
 *   `print(currentReading, setting_decimal_places)` (default 2); ","; "lbs" or "kg" (default lbs); ",";
 *   the raw HX711 average + "," if on (default off); the TMP102 temperature with the same decimals
 *   + "," if on (default on); the DS18B20 temperature + "," (or "0,") if on (default off); println().
 * - Menus.ino `system_setup()`: the `x` menu, entries "1) Tare scale to zero [" … "x) Exit", then
 *   the prompt ">" without a line end.
 */

const encoder = new TextEncoder();
const ascii = (text: string): Uint8Array => encoder.encode(text);

/** Power-up with factory settings, no DS18B20 on the board: banner, then the first readings. */
export const BOOT_BANNER = ascii(
  '\r\nSerial Load Cell Converter version 1.2\r\n' +
    'By SparkFun Electronics\r\n' +
    'No remote sensor found\r\n' +
    'Minimum time between reports: 458\r\n' +
    'Press x to bring up settings\r\n' +
    'Readings:\r\n',
);

/** Factory settings: timestamp, weight in lbs with 2 decimals, local temperature (TMP102, °C). */
export const DEFAULT_READINGS = ascii(
  '1041,0.77,lbs,23.94,\r\n' + // 0.77 lb = 349.3 g (a 330 ml can)
    '1500,0.78,lbs,23.94,\r\n' + // 353.8 g
    '1959,-0.01,lbs,24.00,\r\n', // below the tare: -4.5 g
);

/** Units kg, 3 decimals, no timestamp, raw reading and both temperatures on. */
export const KG_ALL_FIELDS = ascii('0.350,kg,8437620,4.125,3.875,\r\n');

/** Timestamps and temperatures off, kg, 0 decimals: the shortest line the firmware prints. */
export const KG_MINIMAL = ascii('2,kg,\r\n');

/** The menu item "6) Change units of measure" between two readings (timestamps off). */
export const UNIT_CHANGE = ascii(
  '0.77,lbs,\r\n' + //
    '\n\rUnits set to kg\r\n' +
    'Exiting\r\n' +
    '0.35,kg,\r\n',
);

/** An uncalibrated board (calibration factor 0 from an erased EEPROM): get_units() divides by 0. */
export const UNCALIBRATED = ascii('1041,inf,lbs,23.94,\r\n1500,nan,lbs,23.94,\r\n');

/** `x` pressed: the menu as displaySystemHeader() and system_setup() print it, up to its prompt. */
export const MENU = ascii(
  '\r\nSerial Load Cell Converter version 1.2\r\n' +
    'By SparkFun Electronics\r\n' +
    'No remote sensor found\r\n' +
    'System Configuration\r\n' +
    '1) Tare scale to zero [8402113]\r\n' +
    '2) Calibrate scale [-7050]\r\n' +
    '3) Timestamp [On]\r\n' +
    '4) Set report rate [458]\r\n' +
    '5) Set baud rate [9600 bps]\r\n' +
    '6) Change units of measure [lbs]\r\n' +
    '7) Decimals [2]\r\n' +
    '8) Average amount [4]\r\n' +
    '9) Local temp [On]\r\n' +
    'r) Remote temp [Off]\r\n' +
    's) Status LED [Blink]\r\n' +
    'q) Raw reading [Off]\r\n' +
    't) Serial trigger [Off]\r\n' +
    "c) Trigger character: [33 / '!']\r\n" +
    'x) Exit\r\n' +
    '>',
);
/** Text lines in MENU; its prompt ">" is held until a line end follows it. */
export const MENU_LINES = 19;
