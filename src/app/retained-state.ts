import type { RetainedState } from '../mqtt/service.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { EventSink, GatewayEvent } from '../shared/events.js';
import type { InventorySnapshot } from '../shared/payloads.js';
import type { TagQuery } from './reading-services.js';

/** How often a zone whose inventory changed is re-published at most. */
const INVENTORY_COALESCE_MS = 2000;

/**
 * Keeps the retained topics current: `readers/<id>` on every reader status, `inventory/<zone>` a
 * moment after its inventory changes (coalesced, so a busy door does not flood the broker).
 */
export class RetainedStateSink implements EventSink {
  private readonly dirtyZones = new Set<string>();
  private timer: TimerHandle | undefined;

  constructor(
    /** The zone's snapshot as the inventory keeps it (counts per product, capped tag list). */
    private readonly zoneSnapshot: (zone: string) => InventorySnapshot,
    private readonly tags: TagQuery,
    private readonly retained: RetainedState,
    private readonly clock: Clock,
  ) {}

  /** Publishes every reader and every zone once, at start. */
  publishAll(zones: readonly string[]): void {
    for (const device of this.tags.devices()) this.publishReader(device.id, undefined);
    for (const zone of zones) this.publishZone(zone);
  }

  write(event: GatewayEvent): void {
    switch (event.type) {
      case 'reader.status':
        this.publishReader(event.reader, event);
        return;
      case 'inventory.changed':
        this.markDirty(event.zone);
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
    this.retained.publish({ kind: 'inventory', zone }, this.zoneSnapshot(zone));
  }
  private publishReader(
    readerId: string,
    event: (GatewayEvent & { type: 'reader.status' }) | undefined,
  ): void {
    const device = this.tags.device(readerId);
    if (!device) return;
    this.retained.publish(
      { kind: 'reader', reader: readerId },
      {
        reader: readerId,
        state: event?.state ?? device.state,
        since: event?.ts ?? new Date(this.clock.now()).toISOString(),
        ...(event?.reason === undefined ? {} : { reason: event.reason }),
        counters: device.counters,
      },
    );
  }
}
