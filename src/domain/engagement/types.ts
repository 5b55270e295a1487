/** What the engagement extension takes and reports, apart from its config section. */

export interface EngagementOptions {
  /** Open pick-ups kept at once; past it the oldest funnel ends (counted in `evicted`). Default 10 000. */
  maxPending?: number;
  /** `<base>/engagement` is re-published at most this often. Default 5 s. */
  publishEveryMs?: number;
}

/** Counters since start, for tests and operators. */
export interface EngagementStats {
  pickedUp: number;
  putBack: number;
  bought: number;
  /** Open pick-ups now. */
  pending: number;
  /** Tags that left a watched zone but are no product of the catalog: not counted. */
  unknownProduct: number;
  /** Restored at start-up and gone unread: left while the gateway was down, when is unknown. */
  leftWhileDown: number;
  /** Held while their reader was offline and gone unread at its return: when is unknown. */
  leftWhileOffline: number;
  /** Windows that ended with neither a return nor a sale. */
  ended: number;
  /** Open pick-ups given up because `maxPending` were open. */
  evicted: number;
  /** Changes lost because the store refused them (disk full, I/O error). */
  writeFailures: number;
}
