/**
 * Recorded EM4100 frames from public sources (protocols.md §2.2), for tests, benchmarks and demos.
 * Each constant names its source; "payload" fixtures had their STX/ETX framing added by us.
 */

function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  const bytes = new Uint8Array(digits.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = Number.parseInt(digits.slice(2 * index, 2 * index + 2), 16);
  }
  return bytes;
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** E1, ID-20LA, uart_debug dump in esphome/esphome#13753: ID 0500207B32, checksum 6C, 16 bytes. */
export const ID20LA_ESPHOME_13753 = hex('02 30 35 30 30 32 30 37 42 33 32 36 43 0D 0A 03');

/** E2, CORE-ID/ID-Innovations format, JMRI CoreIdRfidProtocolTest.java `msgStandalone`: ID 04171F04FE. */
export const COREID_JMRI_VALID = text('\u000204171F04FEF6\r\n\u0003');
/** E2's negative twin, JMRI `msgBadChkSumStandalone`: checksum F7 where F6 is right. */
export const COREID_JMRI_BAD_CHECKSUM = text('\u000204171F04FEF7\r\n\u0003');

/** E3, RDM6300 byte-by-byte log in espressif/arduino-esp32#1405: ID 0D00319CD0, checksum 70, 14 bytes. */
export const RDM6300_ARDUINO_ESP32_1405 = hex('02 30 44 30 30 33 31 39 43 44 30 37 30 03');

/** E4, SeeedStudio/RDM6300 format, JMRI SeeedStudioRfidProtocolTest.java `msgStandalone`: ID 7800652CC9. */
export const SEEED_JMRI_VALID = text('\u00027800652CC9F8\u0003');
/** E4's negative twin, JMRI `msgBadChkSumStandalone`: checksum C6 where F8 is right. */
export const SEEED_JMRI_BAD_CHECKSUM = text('\u00027800652CC9C6\u0003');

/**
 * E5, mad-tinkerer/python-rdm6300 rdm6300/test_reader.py `ReaderTestCase.test_card_reader`: the
 * test's stream verbatim. It starts with a frame body without its STX ("to simulate a partial
 * stream"), then frames for 67003B51C6CB, 67003BA86C98, 67003BA86793, a bad checksum
 * (68003B51C6CB, should be C4), a too-long body (68003B51C6CBDA), 67003B51C6CB, non-hex UTF-8
 * garbage in STX/ETX, and 67003B51C6CB again.
 */
export const RDM6300_PYTHON_STREAM = text(
  '67003B51C6CB' +
    '\u000267003B51C6CB\u0003' +
    '\u000267003BA86C98\u0003' +
    '\u000267003BA86793\u0003' +
    '\u000268003B51C6CB\u0003' +
    '\u000268003B51C6CBDA\u0003' +
    '\u000267003B51C6CB\u0003' +
    '\u0002SomeThingCrappyÚTFŐ\u0003' +
    '\u000267003B51C6CB\u0003',
);
/** The IDs a correct decoder reports from RDM6300_PYTHON_STREAM, in order. */
export const RDM6300_PYTHON_STREAM_IDS = [
  '67003B51C6',
  '67003BA86C',
  '67003BA867',
  '67003B51C6',
  '67003B51C6',
];

/**
 * E6, RDM6300 clone in esphome/issues#3610 (13 bytes): ID 0114AE3BBC and its XOR 3C sent as one
 * raw byte rather than two hex digits; ESPHome rejected it as "Invalid end byte".
 */
export const CLONE13_ESPHOME_ISSUES_3610 = hex('02 30 31 31 34 41 45 33 42 42 43 3C 03');

/** E7 payload, printed by the test sketch in jp112sdl/HB-UNI-Sen-RFID-RC#3; RDM6300 framing added. */
export const RDM6300_HB_UNI_SEN_3 = text('\u00021F00644BB686\u0003');

/** E9 payload, worked example of the Seeed Grove 125 kHz datasheet (ID 62E3086CED, checksum 08); framing added. */
export const GROVE_DATASHEET = text('\u000262E3086CED08\u0003');

/**
 * CONSTRUCTED from the ID-xxLA datasheet's worked example (ID 0C000621A5, checksum 8E; the
 * datasheet's prose has typos, its XOR table is right), framed per the datasheet.
 */
export const ID12LA_DATASHEET = hex('02 30 43 30 30 30 36 32 31 41 35 38 45 0D 0A 03');

/**
 * "Fake cards" RDM6300/Grove readers report from noise (esprfid/esp-rfid#411, arendst/Tasmota#9522),
 * as ID + checksum payloads. All eight pass the XOR check; only the all-zero one can be told apart.
 */
export const NOISE_PAYLOADS_ESP_RFID_411 = [
  '000000000000',
  '000000078F88',
  '00F00000F000',
  'F000060007F1',
  'B59A99E5A9FA',
  '4FFB388FFFFC',
  'DA9386B5EA90',
  'DAEF6FEE2B9F',
] as const;
