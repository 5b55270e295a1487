// Types only, and no imports: the console's browser bundle imports these (a type import, erased by
// esbuild) without pulling in the server's modules or their Node types.

export type AlarmState = 'open' | 'acknowledged';

/** An alarm as `alarms/get` and the console show it. */
export interface AlarmEntry {
  /** The `security.alarm` event's id. */
  id: string;
  seq: number;
  ts: string;
  kind: string;
  cabinet?: string;
  door?: string;
  zone?: string;
  tag?: string;
  /** The product's name (or its SKU when the catalog has no name). */
  product?: string;
  session?: string;
  detail?: string;
  state: AlarmState;
  /** `byVerified`: whether a signature vouches for `by` (absent for alarms acknowledged before it was kept). */
  acknowledged?: { at: string; by: string; byVerified?: boolean; note?: string };
}
