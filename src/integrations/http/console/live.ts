import type { ServerResponse } from 'node:http';
import type { GatewayConfig } from '../../../config/schema.js';
import { cardReaderIds } from '../../../config/zones.js';
import type { PurchaseEnd } from '../../../domain/purchases/extension.js';
import type { GatewayEvent } from '../../../shared/events.js';
import type { Bus } from '../../../shared/extension.js';
import { cardFields } from '../../../shared/redaction.js';

/** Events kept for a page that reconnects (`Last-Event-ID`) or opens: the last few minutes of a busy store. */
export const KEPT_EVENTS = 500;
/**
 * Open alarms on Now, newest first (the Alarms page has them all); without an alarm book, the ones
 * kept in memory (older ones drop off: they are in the event history and on MQTT).
 */
const KEPT_ALARMS = 50;
/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const KEEP_ALIVE_MS = 25_000;
/** Pages open at once (a few phones and the Pi's screen); one more is answered 503. */
export const MAX_STREAMS = 32;
/**
 * How far a page may fall behind beyond what it was sent on connecting, waiting in the gateway's
 * buffers: a phone that locked with the page open stops reading, and would otherwise have the
 * gateway keep every event for it. Past this its stream is cut; the browser reconnects when it
 * wakes, with the last id it saw, and catches up from the kept events.
 */
export const MAX_BEHIND_BYTES = 256 * 1024;

/** A card id on a shared screen: its last 4 hex digits only. */
export function maskCard(card: string): string {
  return `••••${card.slice(-4)}`;
}

export interface CabinetNow {
  id: string;
  zone: string;
  door: string | undefined;
  lock: string | undefined;
  session:
    | {
        session: string;
        customer: string;
        /** The customer's display name, when they consented (looked up as /api/now is asked). */
        name?: string;
        since: string;
        state: 'authorised' | 'open' | 'settling';
      }
    | undefined;
  last:
    | { type: string; ts: string; total?: number; currency?: string; items: number; reason?: string }
    | undefined;
}

export interface AlarmNow {
  /** The `security.alarm` event's id (what `alarms/ack` takes). */
  id?: string;
  seq: number;
  ts: string;
  kind: string;
  cabinet?: string;
  door?: string;
  product?: string;
  detail?: string;
}

/** Where the open alarms are kept across restarts (domain/alarms' AlarmBook). */
export interface OpenAlarms {
  open(limit: number): Array<AlarmNow & { id: string }>;
  openCount(): number;
}

/**
 * What the console shows live, kept from the bus from the gateway's first event: each cabinet's
 * door, lock and session, the open alarms, and the last `KEPT_EVENTS` events for pages that open or
 * reconnect. Bounded whatever runs for how long; the streams to open pages cost nothing when none is.
 */
export class ConsoleLive {
  private readonly events: GatewayEvent[] = [];
  private readonly cabinets = new Map<string, CabinetNow>();
  /** Cabinets whose stored last sale was looked up (a store failure is not retried per request). */
  private readonly lookedUp = new Set<string>();
  private readonly alarms: AlarmNow[] = [];
  /** Each open stream with how many bytes it may have waiting before it is cut. */
  private readonly streams = new Map<ServerResponse, number>();
  private readonly cardReaders: ReadonlySet<string>;
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  /**
   * With `book`, the open alarms are the book's (they survive a restart and leave when acknowledged);
   * without it, the last `KEPT_ALARMS` raised since the start.
   */
  constructor(
    private readonly config: GatewayConfig,
    bus: Bus,
    private readonly book?: OpenAlarms,
    /** A consenting customer's display name (never kept here: consent may be withdrawn mid-session). */
    private readonly nameOf?: (customer: string) => string | undefined,
    /** A cabinet's latest ended sale as stored: the last sale is shown after a restart too. */
    private readonly lastEnded?: (cabinet: string) => { body: PurchaseEnd; atMs: number } | undefined,
  ) {
    this.cardReaders = cardReaderIds(config);
    for (const cabinet of config.cabinets) {
      this.cabinets.set(cabinet.id, {
        id: cabinet.id,
        zone: cabinet.zone,
        door: undefined,
        lock: undefined,
        session: undefined,
        last: undefined,
      });
    }
    this.unsubscribe = bus.on('console', '*', (event) => this.onEvent(event as GatewayEvent));
  }

  now(): { cabinets: CabinetNow[]; alarms: AlarmNow[]; openAlarms: number; lastSeq: number } {
    const alarms = this.book ? this.book.open(KEPT_ALARMS).map(alarmNow) : [...this.alarms];
    return {
      cabinets: [...this.cabinets.values()].map((cabinet) => this.named(this.withStoredLast(cabinet))),
      alarms,
      openAlarms: this.book ? this.book.openCount() : alarms.length,
      lastSeq: this.events.at(-1)?.seq ?? 0,
    };
  }

  /**
   * A cabinet with no sale since the start shows the latest one stored, looked up once: the
   * events replace it from the next sale on.
   */
  private withStoredLast(cabinet: CabinetNow): CabinetNow {
    if (cabinet.last !== undefined || this.lookedUp.has(cabinet.id)) return cabinet;
    this.lookedUp.add(cabinet.id);
    const stored = this.lastEnded?.(cabinet.id);
    if (stored) cabinet.last = lastSale(stored.body, new Date(stored.atMs).toISOString());
    return cabinet;
  }

  private named(cabinet: CabinetNow): CabinetNow {
    const name = cabinet.session && this.nameOf?.(cabinet.session.customer);
    return name && cabinet.session ? { ...cabinet, session: { ...cabinet.session, name } } : cabinet;
  }

  /** The kept events after `seq` (all of them for 0), oldest first. */
  since(seq: number): GatewayEvent[] {
    return this.events.filter((event) => event.seq > seq);
  }

  /** The event streams open now. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** What a stream's answer starts with, for HEAD: no stream is opened. */
  head(response: ServerResponse): void {
    response.writeHead(200, STREAM_HEADERS);
    response.end();
  }

  /**
   * A page's event stream: what it missed since `lastSeq`, then every event as it comes; 503 when
   * `MAX_STREAMS` are open already.
   */
  stream(response: ServerResponse, lastSeq: number | undefined): void {
    if (this.streams.size >= MAX_STREAMS) {
      const text = `${JSON.stringify({ error: `${MAX_STREAMS} console pages are open already: close one` })}\n`;
      response.writeHead(503, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(text)),
        'Cache-Control': 'no-store',
      });
      response.end(text);
      return;
    }
    response.writeHead(200, STREAM_HEADERS);
    // A first line at once, so that the page knows it is connected even in a quiet store.
    response.write(`retry: 2000\n: connected\n\n`);
    if (lastSeq !== undefined) for (const event of this.since(lastSeq)) send(response, event);
    this.streams.set(response, response.writableLength + MAX_BEHIND_BYTES);
    response.on('close', () => this.drop(response));
    this.keepAlive ??= setInterval(() => {
      for (const stream of this.streams.keys()) this.write(stream, ': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
  }

  close(): void {
    this.unsubscribe();
    for (const stream of this.streams.keys()) stream.end();
    this.streams.clear();
    this.stopKeepAlive();
  }

  /** Writes to an open stream, and cuts it when its reader has fallen too far behind. */
  private write(stream: ServerResponse, text: string): void {
    stream.write(text);
    const limit = this.streams.get(stream);
    if (limit !== undefined && stream.writableLength > limit) {
      this.drop(stream);
      stream.destroy();
    }
  }

  private drop(stream: ServerResponse): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.stopKeepAlive();
  }

  /** The event as a shared screen may show it: card ids (and a card reader's tags) masked. */
  private shown(event: GatewayEvent): GatewayEvent {
    const fields = cardFields(event, this.cardReaders);
    if (fields.length === 0) return event;
    const copy: Record<string, unknown> = { ...event };
    for (const field of fields) copy[field] = maskCard(String(copy[field]));
    return copy as GatewayEvent;
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  private onEvent(original: GatewayEvent): void {
    const event = this.shown(original);
    this.events.push(event);
    if (this.events.length > KEPT_EVENTS) this.events.splice(0, this.events.length - KEPT_EVENTS);
    this.project(event);
    const text = frame(event);
    for (const stream of [...this.streams.keys()]) this.write(stream, text);
  }

  private project(event: GatewayEvent): void {
    switch (event.type) {
      case 'sensor.changed':
        for (const cabinet of this.config.cabinets) {
          if (cabinet.door.sensor === event.sensor && cabinet.door.channel === event.channel) {
            this.cabinet(cabinet.id, (now) => {
              now.door = String(event.value);
              // The door closed on a session: the cabinet is deciding what left until its outcome.
              if (now.session && now.door === cabinet.door.closedValue) now.session.state = 'settling';
              else if (now.session && now.door === cabinet.door.openValue) now.session.state = 'open';
            });
          }
        }
        return;
      case 'actuator.changed':
        for (const cabinet of this.config.cabinets) {
          if (cabinet.lock === event.actuator)
            this.cabinet(cabinet.id, (now) => {
              now.lock = event.value;
            });
        }
        return;
      case 'purchase.started':
        this.cabinet(event.cabinet, (now) => {
          now.session = {
            session: event.session,
            customer: event.customer,
            since: event.ts,
            state: 'authorised',
          };
        });
        return;
      case 'purchase.completed':
      case 'purchase.cancelled':
        this.cabinet(event.cabinet, (now) => {
          now.session = undefined;
          now.last = lastSale(event, event.ts);
        });
        return;
      case 'security.alarm': {
        if (this.book) return;
        const alarm: AlarmNow = { seq: event.seq, ts: event.ts, kind: event.kind };
        if (event.cabinet) alarm.cabinet = event.cabinet;
        if (event.door) alarm.door = event.door;
        if (event.detail) alarm.detail = event.detail;
        this.alarms.push(alarm);
        if (this.alarms.length > KEPT_ALARMS) this.alarms.shift();
        return;
      }
      default:
        return;
    }
  }

  private cabinet(id: string, change: (now: CabinetNow) => void): void {
    const now = this.cabinets.get(id);
    if (now) change(now);
  }
}

function alarmNow(entry: AlarmNow & { id: string }): AlarmNow {
  const alarm: AlarmNow = { id: entry.id, seq: entry.seq, ts: entry.ts, kind: entry.kind };
  if (entry.cabinet !== undefined) alarm.cabinet = entry.cabinet;
  if (entry.door !== undefined) alarm.door = entry.door;
  if (entry.product !== undefined) alarm.product = entry.product;
  if (entry.detail !== undefined) alarm.detail = entry.detail;
  return alarm;
}

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const;

function frame(event: GatewayEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

function send(stream: ServerResponse, event: GatewayEvent): void {
  stream.write(frame(event));
}

/** The Now page's last sale, from the sale's final event. */
function lastSale(end: PurchaseEnd, ts: string): NonNullable<CabinetNow['last']> {
  if (end.type === 'purchase.completed') {
    return { type: end.type, ts, total: end.total, currency: end.currency, items: end.items.length };
  }
  return {
    type: end.confidence === 'uncertain' ? 'purchase.uncertain' : end.type,
    ts,
    items: end.items?.length ?? 0,
    reason: end.reason,
  };
}
