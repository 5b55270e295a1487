/**
 * Frames from protocols.md §1 (the fact sheet in /work/shared), for tests and the benchmark.
 * REAL = bytes quoted verbatim from the source named; CONSTRUCTED = built from the documented rules.
 * [TM-LOGS] = SparkFun's Universal Reader Assistant transport logs of a real M6E Nano (2016);
 * [TM-LIB] = sparkfun/SparkFun_Simultaneous_RFID_Tag_Reader_Library; [TM-ACT] = ThingMagic
 * Autonomous Configuration Tool v1.2 User Guide.
 */

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.trim().split(/\s+/), (byte) => Number.parseInt(byte, 16));
}

// --- Host → module commands ---------------------------------------------------------------------

/** REAL [TM-LOGS]: every session starts with Get version (§1.3 worked example). */
export const CMD_VERSION = hex('FF 00 03 1D 0C');
/** REAL [TM-LOGS] `2-Select region.txt`: set region NA2 (0x0D). */
export const CMD_SET_REGION_NA2 = hex('FF 01 97 0D 4B B0');
/** CONSTRUCTED (§1.4): set region EU3 (0x08). */
export const CMD_SET_REGION_EU3 = hex('FF 01 97 08 4B B5');
/** REAL [TM-LOGS]: set read power 27.00 dBm. */
export const CMD_SET_POWER_27_00 = hex('FF 02 92 0A 8C 4B D5');
/** REAL [TM-LOGS]: set read power 20.30 dBm. */
export const CMD_SET_POWER_20_30 = hex('FF 02 92 07 EE 46 B7');
/** CONSTRUCTED (§1.4): 20.00 dBm. */
export const CMD_SET_POWER_20_00 = hex('FF 02 92 07 D0 46 89');
/** CONSTRUCTED (§1.4): 5.00 dBm, the SparkFun example's default. */
export const CMD_SET_POWER_5_00 = hex('FF 02 92 01 F4 40 AD');
/** REAL [TM-LOGS]: antenna search list, port 1 transmits and receives. */
export const CMD_SET_ANTENNA_1 = hex('FF 03 91 02 01 01 42 C5');
/** REAL [TM-LOGS]: set tag protocol GEN2 (0x0005). */
export const CMD_SET_PROTOCOL_GEN2 = hex('FF 02 93 00 05 51 7D');
/** REAL [TM-LOGS] `3-Ant Select - Reading.txt`, identical to [TM-LIB] `startReading()` (§1.5). */
export const CMD_START_READING = hex('FF 10 2F 00 00 01 22 00 00 05 07 22 10 00 1B 03 E8 01 FF DD 2B');
/** REAL [TM-LOGS]: stop continuous reading. */
export const CMD_STOP_READING = hex('FF 03 2F 00 00 02 5E 86');
/** REAL [TM-LOGS]: set baud rate 115200. */
export const CMD_SET_BAUD_115200 = hex('FF 04 06 00 01 C2 00 A4 60');
/** REAL, quoted in https://github.com/paulvha/ThingMagic/issues/11: set baud rate 38400. */
export const CMD_SET_BAUD_38400 = hex('FF 04 06 00 00 96 00 E0 41');
/** REAL [TM-LOGS]: get current program. */
export const CMD_GET_PROGRAM = hex('FF 00 0C 1D 03');
/** REAL [TM-LOGS] `Read single tag.txt`: read tag ID multiple, option 0, search flags 0x0013, 500 ms. */
export const CMD_READ_TAG_MULTIPLE = hex('FF 05 22 00 00 13 01 F4 2B 19');
/** REAL [TM-LOGS]: get tag ID buffer, metadata flags 0x01FF, read option 0. */
export const CMD_GET_TAG_BUFFER = hex('FF 03 29 01 FF 00 1B 03');
/** REAL [TM-LOGS]: clear tag ID buffer. */
export const CMD_CLEAR_TAG_BUFFER = hex('FF 00 2A 1D 25');
/** REAL [TM-LOGS]: get read TX power. */
export const CMD_GET_POWER = hex('FF 01 62 00 BE BD');
/** REAL [TM-LOGS]: get available regions. */
export const CMD_GET_REGIONS = hex('FF 00 71 1D 7E');
/** REAL [TM-LOGS]: reader optional parameter 0x0C (read filter) off. */
export const CMD_READ_FILTER_OFF = hex('FF 03 9A 01 0C 00 A3 5D');
/** REAL [TM-LOGS]: set Gen2 protocol parameter 0x12. */
export const CMD_SET_PROTOCOL_PARAM = hex('FF 03 9B 05 12 00 CE E8');

// --- Module → host responses ----------------------------------------------------------------------

/** REAL [TM-LOGS]: version answer of an M6E Nano (hardware 0x30, firmware 01.03.01.47 of 2015-03-10). */
export const RSP_VERSION = hex(
  'FF 14 03 00 00 14 12 08 00 30 00 00 02 20 15 03 10 01 03 01 47 00 00 00 10 EB FF',
);
/** REAL [TM-LOGS]: set baud rate OK. */
export const RSP_SET_BAUD = hex('FF 00 06 00 00 E4 06');
/** REAL [TM-LOGS]: get current program answer; one data byte, 0x52 (LEN 01, CRC 0x6303). */
export const RSP_GET_PROGRAM = hex('FF 01 0C 00 00 52 63 03');
/** REAL [TM-LOGS]: synchronous read answer, 1 tag found (not a streamed tag frame). */
export const RSP_READ_TAG_MULTIPLE = hex('FF 07 22 00 00 00 00 13 00 00 00 01 8B 58');
/** REAL [TM-LOGS]: clear tag buffer OK. */
export const RSP_CLEAR_TAG_BUFFER = hex('FF 00 2A 00 00 01 E8');
/** REAL [TM-LOGS]: set antenna OK. */
export const RSP_SET_ANTENNA = hex('FF 00 91 00 00 17 58');
/** REAL [TM-LOGS]: set read power OK. */
export const RSP_SET_POWER = hex('FF 00 92 00 00 27 3B');
/** REAL [TM-LOGS]: read power answer, data 00 0A8C = option 0, 27.00 dBm. */
export const RSP_GET_POWER = hex('FF 03 62 00 00 00 0A 8C A1 2A');
/** REAL [TM-LOGS]: set protocol OK. */
export const RSP_SET_PROTOCOL = hex('FF 00 93 00 00 37 1A');
/** REAL [TM-LOGS] `2-Select region.txt`: set region OK (§1.3 worked response example). */
export const RSP_SET_REGION = hex('FF 00 97 00 00 77 9E');
/** REAL [TM-LOGS]: regions the Nano supports — NA2, IN, JP, PRC, EU3, KR2, AU, NZ, OPEN (no NA). */
export const RSP_GET_REGIONS = hex('FF 09 71 00 00 0D 04 05 06 08 09 0B 0C FF A4 C7');
/** REAL [TM-LOGS]: read filter set OK. */
export const RSP_READ_FILTER_OFF = hex('FF 00 9A 00 00 A6 33');
/** REAL [TM-LOGS]: continuous reading started. */
export const RSP_START_READING = hex('FF 04 2F 00 00 01 22 00 00 6D C3');
/** REAL [TM-LOGS]: continuous reading stopped (sent after the buffered tags and a heartbeat). */
export const RSP_STOP_READING = hex('FF 01 2F 00 00 02 30 E6');
/** REAL [TM-LOGS], [TM-ACT]: streamed heartbeat, status 0x0400. */
export const RSP_KEEPALIVE = hex('FF 00 22 04 00 84 E0');
/** REAL [TM-ACT]: streamed over-temperature, status 0x0504 (RF throttled). */
export const RSP_OVER_TEMPERATURE = hex('FF 00 22 05 04 85 E4');
/** REAL [TM-ACT] p. 27: status stream, module temperature 0x1D = 29 °C in the last data byte. */
export const RSP_TEMPERATURE_29C = hex('FF 0A 22 00 00 00 03 1B 02 82 00 82 00 01 1D B7 71');
/**
 * REAL [TM-LOGS] `TagDecoding/Tag ID Packet Decoding-2 1545.txt`: 0x29 answer with two records:
 * EPC 000000000000000000001545 (RSSI −33, count 11) and EPC 596F596F (RSSI −60).
 */
export const RSP_TAG_BUFFER_2 = hex(`FF 40 29 00 00 01 FF 00 02
  0B DF 11 0E 13 E8 00 00 00 08 00 00 05 00 00 0F 00 80 30 00 00 00 00 00 00 00 00 00 00 00 15 45 E9 4A
  01 C4 11 0E 13 E8 00 00 00 0B 00 00 05 00 00 0F 00 40 10 00 59 6F 59 6F F3 13 64 10`);

// --- Streamed tag frames (§1.8), metadata flags 0x01FF --------------------------------------------

/** REAL [TM-LIB] `parseResponse()` comment: EPC …1545, RSSI −60, antenna 1, 923 200 kHz, t = 295 ms. */
export const TAG_T1 = hex(`FF 28 22 00 00 10 00 1B 01 FF 01 01 C4 11 0E 16 40 00 00 01 27 00 00 05 00 00 0F
  00 80 30 00 00 00 00 00 00 00 00 00 00 00 15 45 E9 4A 56 1D`);
/** REAL [TM-LOGS] `3-Ant Select - Reading.txt` 09:29:41.472: EPC …1545, RSSI −51. */
export const TAG_T2 = hex(`FF 28 22 00 00 10 00 1B 01 FF 01 01 CD 11 0E 08 30 00 00 00 0A 00 00 05 00 00 0F
  00 80 30 00 00 00 00 00 00 00 00 00 00 00 15 45 E9 4A 02 37`);
/** REAL [TM-LOGS] same file, 09:29:41.505: 4-byte EPC 596F596F (PC 0x1000), RSSI −57. */
export const TAG_T3 = hex(`FF 20 22 00 00 10 00 1B 01 FF 01 01 C7 11 0E 08 30 00 00 00 0F 00 00 05 00 00 0F
  00 40 10 00 59 6F 59 6F F3 13 89 90`);
/** REAL [TM-LOGS] same file, 09:29:41.505: EPC E2001026760E017915907125, RSSI −55. */
export const TAG_T4 = hex(`FF 28 22 00 00 10 00 1B 01 FF 01 01 C9 11 0E 08 30 00 00 00 13 00 00 05 00 00 0F
  00 80 30 00 E2 00 10 26 76 0E 01 79 15 90 71 25 19 85 57 97`);
/** REAL [TM-LOGS] `WriteData/WriteEPC-SpecificTag.txt`: 2-byte EPC CCDD (PC 0x0800), RSSI −42. */
export const TAG_T5 = hex(`FF 1E 22 00 00 10 00 1B 01 FF 01 01 D6 11 0E 08 30 00 00 00 08 00 00 05 00 00 0F
  00 30 08 00 CC DD B7 15 73 1A`);
/** REAL [TM-ACT] p. 26 sample: EPC AAAABBBBCCCCDDDDEEEEFFFF (FF bytes in the EPC), RSSI −28, phase 160. */
export const TAG_T6 = hex(`FF 28 22 00 00 10 03 1B 01 FF 01 01 E4 11 0E 1A 5A 00 00 00 10 00 A0 05 00 00 01
  00 80 30 30 AA AA BB BB CC CC DD DD EE EE FF FF 71 87 6E 3F`);
/**
 * REAL [TM-ACT] p. 26 "with embedded read data": 96 bits of TID before GPIO, then EPC 4444 (PC 0x0830),
 * RSSI −21, antenna 0x22 = TX2/RX2. A fixed EPC offset (SparkFun's Example 1) gets this one wrong.
 */
export const TAG_T7 = hex(`FF 2A 22 00 00 10 03 1F 01 FF 01 01 EB 22 0E 0A BA 00 00 00 11 00 5F 05 00 60
  E2 80 11 04 20 00 22 8D FC 99 00 00 01 00 30 08 30 44 44 F2 11 99 AA`);
