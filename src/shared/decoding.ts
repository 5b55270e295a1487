/**
 * What every protocol decoder reports. Decoders are pure, synchronous and chunk-agnostic: the
 * transport pushes bytes in whatever chunks it got, and the decoder calls its output as frames
 * complete. Tag bytes are passed as (buffer, offset, length) into a buffer the decoder reuses, so
 * the hot path allocates nothing; a receiver that keeps them must copy.
 */
export interface DecoderOutput {
  /**
   * One tag read. `antenna` is 1-based, 0 when the reader does not say; `rssi` is dBm, NaN when the
   * reader does not say.
   */
  tagRead(tag: Uint8Array, offset: number, length: number, antenna: number, rssi: number): void;
  /** Anything that is not a tag read: responses, status, sensor values, device logs. Rare. */
  message(message: ReaderMessage): void;
  /** A bad frame or skipped garbage; `streamOffset` counts bytes since the decoder was created. */
  decodeError(error: DecodeError): void;
}

export interface DecodeError {
  reason: string;
  /** Offset in the byte stream (since the decoder was created) of the first byte dropped. */
  streamOffset: number;
  droppedBytes: number;
}

export type ReaderMessage =
  /**
   * A response to a command, for matching against requests: the protocol's opcode, and its status
   * with success as 0 whatever the protocol's own code for it (a command session reads any other
   * status as a refusal).
   */
  | { kind: 'response'; opcode: number; status: number; data: Uint8Array }
  /** Reader health: keep-alive, temperature, antenna fault, throttling, reboot. */
  | {
      kind: 'status';
      level: 'ok' | 'warning' | 'error';
      code: string;
      detail?: string;
      temperatureC?: number;
    }
  /** The device announced itself (power-up boot message, version answer). */
  | { kind: 'identity'; model?: string; firmware?: string; hardware?: string; rebooted: boolean }
  /** A sensor channel value (the `lines` protocol). */
  | { kind: 'sensor'; channel: string; value: string | number }
  /** A device's own log line. */
  | { kind: 'log'; text: string };

export interface DecoderStats {
  /** Bytes pushed into the decoder. */
  bytes: number;
  /** Frames (or lines) that passed their integrity check. */
  frames: number;
  /** Tag reads reported. */
  reads: number;
  /** Bad frames, bad checksums, overlong lines, garbage runs. */
  errors: number;
  /** Bytes discarded while resynchronising. */
  droppedBytes: number;
}

export interface StreamDecoder {
  push(chunk: Uint8Array): void;
  /** Forgets a partial frame, e.g. after the port was reopened. Stats are kept. */
  reset(): void;
  readonly stats: Readonly<DecoderStats>;
}

/** One command of a start-up or shutdown sequence, sent by the transport layer's session. */
export interface CommandStep {
  name: string;
  bytes: Uint8Array;
  /** Returns true for the message that answers this command; absent = fire and forget. */
  isAnswer?: (message: ReaderMessage) => boolean;
  timeoutMs: number;
  /** A failure of an optional step is logged and the sequence goes on. */
  optional?: boolean;
  /** Time to wait after sending (or after the answer) before the next step, e.g. to drain. */
  settleMs?: number;
}

/** Settings a reader driver may use; each driver documents which it honours. */
export interface ReaderSettings {
  /** Region name, e.g. "EU3", "NA2" (ThingMagic). */
  region?: string;
  /** Read power in dBm. */
  readPowerDbm?: number;
  /** Antenna ports to read on (1-based). */
  antennas?: number[];
}

/**
 * A device played by software: answers the host's commands and produces frames. Pure; the
 * `simulate` command and tests schedule it.
 */
export interface DeviceSimulator {
  /** Length in bytes of the tag identifiers this device reports. */
  readonly tagLength: number;
  /** Frames the device sends back for bytes received from the host (may be split anywhere). */
  answer(hostBytes: Uint8Array): Uint8Array[];
  /** One frame reporting a read, or undefined while the device is not reading (not started). */
  tagFrame(tag: Uint8Array, antenna: number, rssi: number): Uint8Array | undefined;
  /**
   * The frame a reading device streams once per read cycle with nothing to report (the driver's
   * `expectedTrafficMs`), or undefined while it is not reading; absent for devices that send none.
   */
  heartbeatFrame?(): Uint8Array | undefined;
  /**
   * The tags in the device's field, for a device that answers a search for given tags; each is
   * found with its own probability (default 1), so that a test can make the device miss it.
   */
  setField?(tags: ReadonlyArray<{ tag: Uint8Array; findProbability?: number }>): void;
  /**
   * Whether a device polled for its field reports its reads by itself now, unasked (a Chafon put in
   * scan mode): then `tagFrame` plays them. Absent or false: its polls report its field.
   */
  pushesReads?(): boolean;
}

export type DeviceKind = 'reader' | 'sensor';

/** A reader's settings while it looks for given tags: its own, and what differs for the search. */
export interface TagSearchSettings extends ReaderSettings {
  /** Read power for the search (dBm); the reader's `readPowerDbm` is set again after it. */
  searchPowerDbm?: number;
}

/** What the answer to one read of a search says about its tag, or why it says nothing. */
export type TagSearchVerdict = { found: boolean } | { refused: string };

/**
 * A search for given tags as command steps, so that the pipeline runs it without knowing the
 * protocol: `pause`, then `reads` one after another, then `resume`.
 */
export interface TagSearchPlan {
  /** Stops continuous reading (reads it still delivers are ordinary reads) and prepares the reads. */
  readonly pause: CommandStep[];
  /** One step per tag, in the order the tags were given; each has `isAnswer`. */
  readonly reads: CommandStep[];
  /** Continuous reading again, as the start-up left it (same settings, same start command). */
  readonly resume: CommandStep[];
  /** Reads the answer to one of `reads`, whatever its status. */
  verdict(answer: ReaderMessage): TagSearchVerdict;
}

export interface Driver {
  readonly name: string;
  readonly kind: DeviceKind;
  /**
   * A reader of customers' cards (a badge or NFC reader), which a cabinet's `cardReader` may name:
   * its reads are people, not goods, and a card no longer read has been taken away.
   */
  readonly readsCards?: boolean;
  readonly defaultBaudRate: number;
  /**
   * How often the device sends a valid frame while it works, even with nothing to report (a read
   * cycle's heartbeat); undefined when its silence means nothing (a card reader without a card).
   */
  readonly expectedTrafficMs?: number;
  createDecoder(output: DecoderOutput): StreamDecoder;
  startup(settings: ReaderSettings): CommandStep[];
  shutdown(settings: ReaderSettings): CommandStep[];
  createSimulator(): DeviceSimulator;
  /**
   * A search for exactly these tags (identifiers as bytes); absent for readers without a select
   * command. Throws a RangeError for a tag or setting the reader cannot search with.
   */
  search?(tags: readonly Uint8Array[], settings: TagSearchSettings): TagSearchPlan;
  /**
   * For a reader that reads only when asked (an inventory command and its answer): the command the
   * pipeline sends again and again once the reader is started, with its bounded wait, `everyMs`
   * apart. Absent for readers that stream by themselves.
   */
  pollPlan?(settings: ReaderSettings): PollPlan | undefined;
}

/** One poll of a command–response reader, and the pause between two. */
export interface PollPlan {
  step: CommandStep;
  everyMs: number;
  /**
   * The longest a working reader is silent while a poll runs (default: the step's whole wait). A
   * poll of several rounds that each end with a frame is silent for one round at most.
   */
  silentAtMostMs?: number;
  /**
   * Sent before the next poll when one went unanswered, for a reader still busy with it (a PN532
   * takes the host's ACK as "abort"); fire and forget.
   */
  afterMiss?: CommandStep;
}

/** The longest a working polled reader is silent: one pause and the silence of one poll. */
export function pollSilenceMs(plan: PollPlan): number {
  return plan.everyMs + (plan.silentAtMostMs ?? plan.step.timeoutMs);
}
