import type { PresenceEngine } from '../core/index.js';
import type { Topics } from '../mqtt/topics.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { EventSink, GatewayEvent } from '../shared/events.js';
import type { DevicePipeline } from './device-pipeline.js';

/** How often a zone whose tags changed is re-published at most. */
const INVENTORY_COALESCE_MS = 2000;
/**
 * A snapshot lists at most this many tags (`truncated` says when there were more; `count` is
 * always exact): a zone flooded by a pallet must not turn every snapshot into megabytes.
 */
export const INVENTORY_MAX_TAGS = 2000;

/**
 * Keeps the retained topics current: `readers/<id>` on every reader status, `inventory/<zone>` a
 * moment after its tags change (coalesced, so a busy door does not flood the broker).
 */
export class RetainedStateSink implements EventSink {
  private readonly dirtyZones = new Set<string>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly engine: PresenceEngine,
    private readonly devices: () => readonly DevicePipeline[],
    private readonly topics: Topics,
    private readonly retain: (topic: string, payload: object) => void,
    private readonly clock: Clock,
  ) {}

  /** Publishes every reader and every zone once, at start. */
  publishAll(zones: readonly string[]): void {
    for (const device of this.devices()) this.publishReader(device.id, undefined);
    for (const zone of zones) this.publishZone(zone);
  }

  write(event: GatewayEvent): void {
    switch (event.type) {
      case 'reader.status':
        this.publishReader(event.reader, event);
        return;
      case 'tag.arrived':
      case 'tag.departed':
        this.markDirty(event.zone);
        return;
      case 'tag.moved':
        this.markDirty(event.from);
        this.markDirty(event.to);
        return;
      default:
        return;
    }
  }

  async flush(): Promise<void> {
    this.publishDirty();
  }

  async close(): Promise<void> {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.publishDirty();
  }

  private markDirty(zone: string): void {
    this.dirtyZones.add(zone);
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      this.publishDirty();
    }, INVENTORY_COALESCE_MS);
  }

  private publishDirty(): void {
    for (const zone of this.dirtyZones) this.publishZone(zone);
    this.dirtyZones.clear();
  }

  private publishZone(zone: string): void {
    const present = this.engine.present(zone);
    const tags = present.slice(0, INVENTORY_MAX_TAGS).map((tag) => ({
      tag: tag.tag,
      since: new Date(tag.sinceMs).toISOString(),
      lastSeen: new Date(tag.lastSeenMs).toISOString(),
      reads: tag.reads,
    }));
    this.retain(this.topics.inventory(zone), {
      zone,
      ts: new Date(this.clock.now()).toISOString(),
      count: present.length,
      ...(present.length > tags.length ? { truncated: true } : {}),
      tags,
    });
  }

  private publishReader(
    readerId: string,
    event: (GatewayEvent & { type: 'reader.status' }) | undefined,
  ): void {
    const device = this.devices().find((candidate) => candidate.id === readerId);
    if (!device) return;
    this.retain(this.topics.reader(readerId), {
      reader: readerId,
      state: event?.state ?? device.connectionState,
      since: event?.ts ?? new Date(this.clock.now()).toISOString(),
      ...(event?.reason === undefined ? {} : { reason: event.reason }),
      counters: device.counters,
    });
  }
}
