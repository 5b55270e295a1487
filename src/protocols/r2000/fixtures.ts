/**
 * R2000 frames for tests and the benchmark. Each checksum was recomputed by hand: the byte sum of the
 * whole frame must be 0 mod 256. REAL = quoted verbatim from the source named; CONSTRUCTED = built
 * from the layout. [R2K-DOC] = espinr/activioty `docs/checkpoints/rfid-reader-python/rfid-python.md`
 * (an IND903 module at address 0x01, after "IND903_UHF_RFID_reader_module_protocol_V2.2");
 * [R2K-PY] = hex-in/pyImpinj `pyImpinj/__init__.py` and `pyImpinj/protocol.py`; the supplementary
 * REAL frames are those protocols.md §3.5 quotes from public code whose repository it could not name.
 */

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.trim().split(/\s+/), (byte) => Number.parseInt(byte, 16));
}

// --- Host → reader ------------------------------------------------------------------------------

/** REAL [R2K-DOC]: A0, LEN 03, ADDR 01, CMD 72 (get firmware), CHECK EA (A0+03+01+72 = 0x116 → −0x16). */
export const CMD_GET_FIRMWARE = hex('A0 03 01 72 EA');
/** REAL [R2K-DOC]: LEN 04, ADDR 01, CMD 74 (set work antenna), data 00 (antenna 1), CHECK E7 (sum 0x119). */
export const CMD_SET_WORK_ANTENNA_1 = hex('A0 04 01 74 00 E7');
/** REAL [R2K-DOC]: LEN 04, ADDR 01, CMD 89, REPEAT 01, CHECK D1 (sum 0x12F), the document's worked example. */
export const CMD_REAL_TIME_INVENTORY_1 = hex('A0 04 01 89 01 D1');
/** REAL (ESP32 capture, §3.5): LEN 06, ADDR 01, CMD 8B, SESSION 01, TARGET 00 (A), REPEAT 01, CHECK CC (sum 0x134). */
export const CMD_SESSION_S1_A_1 = hex('A0 06 01 8B 01 00 01 CC');
/** CONSTRUCTED: broadcast ADDR FF, CMD 89, REPEAT 01, CHECK D3 (sum 0x22D). */
export const CMD_REAL_TIME_INVENTORY_BROADCAST = hex('A0 04 FF 89 01 D3');
/** CONSTRUCTED: ADDR 01, CMD 89, REPEAT FF (255 rounds), CHECK D3 (sum 0x22D). */
export const CMD_REAL_TIME_INVENTORY_255 = hex('A0 04 01 89 FF D3');

// --- Reader → host --------------------------------------------------------------------------------

/** REAL [R2K-DOC]: LEN 05, ADDR 01, CMD 72, data 01 09 (firmware 1.9), CHECK DE (sum 0x122). */
export const RSP_FIRMWARE_1_9 = hex('A0 05 01 72 01 09 DE');
/** REAL [R2K-DOC]: LEN 04, ADDR 01, CMD 74, result 10 (success), CHECK D7 (sum 0x129). */
export const RSP_SET_WORK_ANTENNA_OK = hex('A0 04 01 74 10 D7');
/**
 * REAL [R2K-DOC]: LEN 13 (19 after it), ADDR 01, CMD 89, FreqAnt 04 (channel 1, antenna bits 00 →
 * antenna 1), PC 30 00 (6 words → 12-byte EPC), EPC E2 00 30 16 66 13 01 21 15 50 74 EF, RSSI 45
 * (69 − 129 = −60 dBm), CHECK BF. The document's prose mis-copies the EPC; the checksum confirms these.
 */
export const TAG_IND903 = hex('A0 13 01 89 04 30 00 E2 00 30 16 66 13 01 21 15 50 74 EF 45 BF');
/**
 * REAL [R2K-DOC], NEGATIVE: a summary whose checksum was hand-edited in the document (BC; the bytes
 * sum to 0x152 without it, so it should be AE).
 */
export const SUMMARY_BAD_CHECKSUM = hex('A0 0A 01 89 00 00 1D 00 00 00 01 BC');
/** REAL (supplementary): FreqAnt 8C (channel 35, antenna 1), PC 3000, EPC 300833B2DDD9014000000001, RSSI 37 (−74 dBm). */
export const TAG_8C = hex('A0 13 01 89 8C 30 00 30 08 33 B2 DD D9 01 40 00 00 00 01 37 BB');
/** REAL (supplementary): FreqAnt 74 (channel 29, antenna 1), PC 3000, EPC E2004074850A0103163070E1, RSSI 36 (−75 dBm). */
export const TAG_74 = hex('A0 13 01 89 74 30 00 E2 00 40 74 85 0A 01 03 16 30 70 E1 36 29');
/** REAL (supplementary): FreqAnt D4 (channel 53, antenna 1), PC 3000, EPC E2004074850A0103169067DD, RSSI 2F (−82 dBm). */
export const TAG_D4 = hex('A0 13 01 89 D4 30 00 E2 00 40 74 85 0A 01 03 16 90 67 DD 2F 7D');
/** REAL (supplementary): summary, AntID 00, ReadRate 00 11 (17 tags/s), TotalRead 00 00 00 05, CHECK B6. */
export const SUMMARY_17_PER_S = hex('A0 0A 01 89 00 00 11 00 00 00 05 B6');
/** REAL (ESP32 capture): 0x8B tag, FreqAnt 10 (channel 4, antenna 1), EPC 3009663781DB02974876FC6A, RSSI 67 (−26 dBm). */
export const TAG_SESSION = hex('A0 13 01 8B 10 30 00 30 09 66 37 81 DB 02 97 48 76 FC 6A 67 2B');
/** REAL (ESP32 capture): 0x8B summary, AntID 00, 25 tags/s, 1 read, CHECK B0. */
export const SUMMARY_SESSION = hex('A0 0A 01 8B 00 00 19 00 00 00 01 B0');
/**
 * CONSTRUCTED from [R2K-PY] `handle_packet` ("Antenna-N disconnect"): LEN 05, ADDR 01, CMD 89,
 * AntID 01 (antenna 2), code 22 (antenna missing), CHECK AE (A0+05+01+89+01+22 = 0x152).
 */
export const ANTENNA_MISSING_2 = hex('A0 05 01 89 01 22 AE');
/** CONSTRUCTED from [R2K-PY] ("Length(fix=0x04) … ErrorCode"): CMD 89, code 36 (no tag), CHECK 9C (sum 0x164). */
export const ERROR_NO_TAG = hex('A0 04 01 89 36 9C');
