import type { PendingPickUp } from './engagement-store.js';

export interface FunnelOptions {
  /** Back in the zone, or sold, at most this long after leaving: the funnel is still open. */
  windowMs: number;
  /** Open pick-ups kept at once; also the bound of remembered sales. */
  maxPending: number;
  /** How long a sale of a tag with no open pick-up is remembered: its departure may be reported later. */
  saleMemoryMs: number;
}

interface Sale {
  atMs: number;
  /** Already closed an open pick-up: a second report of the same sale must not count again. */
  counted: boolean;
}

/**
 * The open pick-ups and recent sales, in memory and bounded: no I/O and no timers, so that the
 * extension can change it only after the store has committed. Maps keep insertion order, which is
 * close to time order (departures are reported a zone's hold-off after the last sighting), so the
 * first entries are the ones to evict.
 */
export class Funnel {
  private readonly pending = new Map<string, PendingPickUp>();
  private readonly sales = new Map<string, Sale>();

  constructor(readonly options: FunnelOptions) {}

  get size(): number {
    return this.pending.size;
  }

  get(tag: string): PendingPickUp | undefined {
    return this.pending.get(tag);
  }

  /** Whether the pick-up's window still covers `atMs` (inclusive). */
  isOpen(pickUp: PendingPickUp, atMs: number): boolean {
    return atMs - pickUp.leftAtMs <= this.options.windowMs;
  }

  set(pickUp: PendingPickUp): void {
    // Re-inserted, so that a tag picked up again counts as the newest.
    this.pending.delete(pickUp.tag);
    this.pending.set(pickUp.tag, pickUp);
  }

  delete(tag: string): void {
    this.pending.delete(tag);
  }

  /** The pick-up to give up when full: the first inserted. */
  oldest(): PendingPickUp | undefined {
    for (const pickUp of this.pending.values()) return pickUp;
    return undefined;
  }

  /** Open pick-ups whose window ended before `nowMs`. */
  expired(nowMs: number): PendingPickUp[] {
    const over: PendingPickUp[] = [];
    for (const pickUp of this.pending.values()) if (!this.isOpen(pickUp, nowMs)) over.push(pickUp);
    return over;
  }

  /** When the earliest window ends; O(open pick-ups), so called after a sweep, not per event. */
  nextEnd(): number | undefined {
    let earliest = Number.POSITIVE_INFINITY;
    for (const pickUp of this.pending.values()) earliest = Math.min(earliest, pickUp.leftAtMs);
    return Number.isFinite(earliest) ? earliest + this.options.windowMs : undefined;
  }

  /** A sale of a tag with no open pick-up (or one whose pick-up it just closed: `counted`). */
  noteSale(tag: string, atMs: number, counted: boolean): void {
    const known = this.sales.get(tag);
    if (known?.counted && !counted) return;
    this.sales.delete(tag);
    this.sales.set(tag, { atMs, counted });
    this.forgetSales(atMs);
  }

  /**
   * Whether an uncounted sale of `tag` lies within the window before it left or at any time after:
   * scan-and-go pays while the item is still in the antenna's field, a smart fridge settles after the
   * door closed, and a kiosk may be quicker than the zone's hold-off. Consumes the sale.
   */
  takeSale(tag: string, leftAtMs: number): boolean {
    const sale = this.sales.get(tag);
    if (!sale || sale.counted || sale.atMs < leftAtMs - this.options.windowMs) return false;
    this.sales.set(tag, { atMs: sale.atMs, counted: true });
    return true;
  }

  private forgetSales(nowMs: number): void {
    const { saleMemoryMs, maxPending } = this.options;
    for (const [tag, sale] of this.sales) {
      if (this.sales.size <= maxPending && nowMs - sale.atMs <= saleMemoryMs) break;
      this.sales.delete(tag);
    }
  }
}
