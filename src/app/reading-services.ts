import type { EngineStats, PresentTag, RestoredTag, RestoreRefusal } from '../core/index.js';
import type { EpcInfo } from '../shared/events.js';
import type { ByteTransport } from '../transport/types.js';

export interface DeviceCounters {
  bytes: number;
  frames: number;
  reads: number;
  errors: number;
  droppedBytes: number;
  /** Times a reader went silent while its driver expected traffic. */
  stalls: number;
  /** Searches for given tags run to the end (`DeviceControl.search`). */
  searches: number;
  /** Faults the reader reported itself (antenna missing, memory full, a CRC error it saw): each report. */
  faults: number;
  /** Polls of a polled reader that had no answer within their bounded wait. */
  missedPolls: number;
}

/** `stalled`: the port is open but a reader that should talk has gone silent (its tags are held). */
export type DeviceState = 'online' | 'offline' | 'stalled' | 'error';

/** One reader or sensor as features may see it. */
export interface DeviceView {
  readonly id: string;
  readonly kind: 'reader' | 'sensor';
  readonly state: DeviceState;
  readonly counters: DeviceCounters;
  /** Reads per antenna (index = antenna number; 0 = the reader does not say). */
  readonly antennaReads: Readonly<Float64Array>;
  /** The antennas with at least one read, ascending. */
  readonly antennasRead: readonly number[];
  /** Chunks dropped because processing them threw. */
  readonly ingestFailures: number;
}

export interface ReaderFaults {
  /** Core events (or tags) that went out without their EPC decoding because building it threw. */
  eventBuildErrors: number;
  /** Departure sweeps that threw (the sweep goes on at the next deadline). */
  sweepErrors: number;
  /** Chunks a device dropped because processing them threw. */
  ingestFailures: number;
}

export type ReadListener = (tag: string, atMs: number, rssi: number, antenna: number) => void;
export type SampleListener = (channel: string, value: string | number, atMs: number) => void;

/** What the reading side knows, read-only: present tags, the devices' states, the core's counters. */
export interface TagQuery {
  /** Tags present now (in `zone`, if given), sorted by tag. Allocates; for snapshots. */
  present(zone?: string): PresentTag[];
  /** Every reader and sensor of the config, in config order. */
  devices(): readonly DeviceView[];
  device(id: string): DeviceView | undefined;
  /** The tag's EPC decoding, from the cache every event uses. */
  epcOf(tag: string): EpcInfo | undefined;
  /**
   * Calls `listener` with every raw read of `zone` (tag as uppercase hex), before any debounce, at
   * the time of the chunk that carried it. Only the readers with an antenna in that zone pay for it.
   */
  observeReads(zone: string, listener: ReadListener): void;
  /** Calls `listener` with every value a sensor reports, repeats included (a scale's samples). */
  observeSamples(device: string, listener: SampleListener): void;
  coreStats(): Readonly<EngineStats>;
  faults(): ReaderFaults;
}

/** Tags known before a restart, put back into the core before the readers start (the inventory's). */
export interface Presence {
  /**
   * Seeds the core: each tag counts as read `graceMs` from now; one not read by then departs after
   * its zone's hold-off. Returns the entries the core did not take.
   */
  restore(entries: ReadonlyArray<RestoredTag>, graceMs: number): RestoreRefusal[];
}

/** What a search for given tags found (tags as uppercase hex), or why it could not run. */
export type TagSearchResult =
  | { ok: true; found: string[]; notFound: string[]; tookMs: number }
  | { ok: false; reason: string };

/** The readers' and sensors' ports, for the features that write to them or restart them. */
export interface DeviceControl {
  write(deviceId: string, bytes: Uint8Array): Promise<void>;
  /** Closes the port and opens it afresh; rejects for an unknown device. */
  restart(deviceId: string): Promise<void>;
  /**
   * Looks for exactly these tags now: the reader pauses its continuous reading, reads for each tag
   * alone (a select), optionally at `readPowerDbm`, and reads continuously again. Resolves
   * `{ ok: false }` at once for an unknown device, a reader that cannot search (no select command,
   * a replay) or is not online, and while it is already searching; never rejects.
   */
  search(
    deviceId: string,
    tags: readonly string[],
    options?: { readPowerDbm?: number },
  ): Promise<TagSearchResult>;
  /** Whether the device could ever search: its driver has a select and its port is a real one. */
  canSearch(deviceId: string): boolean;
}

/** Where MQTT actuators' commands go: the broker in a run, a record in a replay. */
export interface MessageOut {
  readonly connected: boolean;
  /** Called after every connection (a device may have missed what was sent meanwhile). */
  onConnect(listener: () => void): () => void;
  /** Publishes `payload` to `topic` under the gateway's base, now; rejects when it cannot. */
  send(topic: string, payload: string): Promise<void>;
}

/**
 * The output devices' I/O: the ports of relay boards and serial displays, and the broker for MQTT
 * actuators. In a replay they are records that take every write, so that the replay shows what
 * each device would have been sent and no feature has to know it is a replay.
 */
export interface DeviceIo {
  open(device: { id: string; port: string; baudRate: number }): ByteTransport;
  /** The port of a reader or sensor whose bytes a replay hands in; what is written to it is kept or dropped. */
  fed(deviceId: string): ByteTransport;
  /** Absent when there is no broker. */
  readonly messages: MessageOut | undefined;
}

declare module '../shared/feature.js' {
  interface Services {
    tags: TagQuery;
    presence: Presence;
    devices: DeviceControl;
    deviceIo: DeviceIo;
  }
}
