/**
 * Real ThingMagic M6e Nano frames, from /work/shared/protocols.md (§1.4, §1.5, §1.8).
 * Each is quoted byte for byte from the source named on it.
 */
const frame = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));

/**
 * T1: a streamed 0x22 tag frame, EPC 000000000000000000001545, RSSI -60 dBm, antenna 1, 923.2 MHz.
 * Source: [TM-LIB] SparkFun_UHF_RFID_Reader.cpp, comment in parseResponse() (protocols.md §1.8).
 */
export const M6E_TAG_FRAME_T1 = frame(
  'FF 28 22 00 00 10 00 1B 01 FF 01 01 C4 11 0E 16 40 00 00 01 27 00 00 05 00 00 0F 00 80 30 00 00 00 00 00 00 00 00 00 00 00 15 45 E9 4A 56 1D',
);

/**
 * T4: a streamed 0x22 tag frame, EPC E2001026760E017915907125, RSSI -55 dBm.
 * Source: [TM-LOGS] "3-Ant Select - Reading.txt", 09:29:41.505 (protocols.md §1.8).
 */
export const M6E_TAG_FRAME_T4 = frame(
  'FF 28 22 00 00 10 00 1B 01 FF 01 01 C9 11 0E 08 30 00 00 00 13 00 00 05 00 00 0F 00 80 30 00 E2 00 10 26 76 0E 01 79 15 90 71 25 19 85 57 97',
);

/** Streaming heartbeat "no tags found", status 0x0400. Source: [TM-LOGS] and [TM-ACT] (protocols.md §1.5). */
export const M6E_HEARTBEAT = frame('FF 00 22 04 00 84 E0');

/** Host command "Get version". Source: [TM-LOGS], every session starts with it (protocols.md §1.3). */
export const M6E_GET_VERSION = frame('FF 00 03 1D 0C');

/** Host command "stop continuous reading". Source: [TM-LOGS] (protocols.md §1.5). */
export const M6E_STOP_READING = frame('FF 03 2F 00 00 02 5E 86');
