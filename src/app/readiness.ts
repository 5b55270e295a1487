/**
 * When a device whose port has just opened may be called `online`. An open port proves only that
 * the adapter is there: a module powered with the Pi may still be booting, and a reader that is
 * called online has its held tags released, to depart `departAfterMs` later if it does not read
 * them. So a device with a start-up is ready once its start-up succeeded and, if its driver expects
 * traffic, once its first valid frame after that arrived; a device that expects traffic without a
 * start-up (a `lines` device with a heartbeat) once its first valid line arrived. One that needs
 * neither (an EM4100 reader) is ready when its port opens.
 */
export class Readiness {
  private awaiting: 'startup' | 'traffic' | undefined;

  constructor(
    private readonly needsStartup: boolean,
    private readonly expectsTraffic: boolean,
  ) {}

  /** The port opened; returns true when the device is ready at once. */
  opened(): boolean {
    this.awaiting = this.needsStartup ? 'startup' : this.expectsTraffic ? 'traffic' : undefined;
    return this.awaiting === undefined;
  }

  closed(): void {
    this.awaiting = undefined;
  }

  /** Its start-up succeeded; returns true when that made it ready. */
  startupSucceeded(): boolean {
    if (this.awaiting !== 'startup') return false;
    this.awaiting = this.expectsTraffic ? 'traffic' : undefined;
    return this.awaiting === undefined;
  }

  /** A valid frame; returns true when that made it ready (the answers to its start-up do not). */
  traffic(): boolean {
    if (this.awaiting !== 'traffic') return false;
    this.awaiting = undefined;
    return true;
  }

  /** Not ready yet since its port opened. */
  get pending(): boolean {
    return this.awaiting !== undefined;
  }

  /** Started, and waiting for the stream its driver promises: silence now is a stall. */
  get awaitingTraffic(): boolean {
    return this.awaiting === 'traffic';
  }
}
