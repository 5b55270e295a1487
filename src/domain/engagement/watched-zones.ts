import type { GatewayConfig } from '../../config/schema.js';
import { deviceZones } from '../../config/zones.js';
import { ZONE_DEFAULTS } from '../../core/index.js';

/** The zones the engagement watches, with the hold-off the core applies to each. */
export class WatchedZones {
  private readonly holdOff = new Map<string, number>();

  constructor(
    private readonly config: GatewayConfig,
    zones: readonly string[],
  ) {
    for (const zone of zones) {
      const listed = config.zones.find((candidate) => candidate.id === zone);
      this.holdOff.set(zone, listed?.departAfterMs ?? ZONE_DEFAULTS.departAfterMs);
    }
  }

  has(zone: string): boolean {
    return this.holdOff.has(zone);
  }

  /** The core reports a departure this long after the tag's last read in the zone. */
  departAfterMs(zone: string): number {
    return this.holdOff.get(zone) ?? ZONE_DEFAULTS.departAfterMs;
  }

  get longestDepartAfterMs(): number {
    return Math.max(...this.holdOff.values());
  }

  /** Watched zones no reader covers: a typo, or a reader removed from the config. */
  uncovered(): string[] {
    const covered = new Set(this.config.readers.flatMap((reader) => deviceZones(reader).all));
    return [...this.holdOff.keys()].filter((zone) => !covered.has(zone));
  }

  /** Zones whose departures are reported only once the put-back window is over. */
  reportedTooLate(windowMs: number): string[] {
    return [...this.holdOff].filter(([, holdOff]) => holdOff >= windowMs).map(([zone]) => zone);
  }
}
