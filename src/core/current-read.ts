/**
 * Indexes into the engine's scratch Float64Array for the numbers that cross calls on the hot path: the
 * read's time and RSSI, and a computed deadline. V8 boxes a non-integer number passed to or returned
 * from a call it does not inline (a heap allocation each time), and whether it inlines depends on
 * budgets we do not control; numbers stored in a typed array are never boxed.
 */
export const AT_MS = 0;
export const RSSI = 1;
export const DUE = 2;
export const CURRENT_READ_FIELDS = 3;
