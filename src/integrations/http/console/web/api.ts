// A type import, erased in the bundle: alarm-entry.ts has no imports, so no server code comes in.
import type { AlarmEntry } from '../../../../domain/alarms/alarm-entry.js';
import type { LowStockReport } from '../../../../domain/inventory/low-stock.js';

/** An alarm as `alarms/get` answers it. */
export type { AlarmEntry, LowStockReport };

/** What the gateway's console API answers (src/integrations/http/console/routes.ts). */
export interface NowState {
  gateway: string;
  ts: string;
  timeZone?: string;
  health: { status: string; reasons: string[]; outbox?: { depth: number } | null };
  devices: Array<{ id: string; kind: 'reader' | 'sensor'; state: string }>;
  broker?: { connected: boolean };
  actuators: Array<{ id: string; safeState: string | null; values?: string[]; maxPulseMs: number }>;
  /** What each display shows now; an LCD's rows are its cells exactly. */
  displays?: Array<{
    id: string;
    driver: 'mqtt' | 'serial-lcd';
    lcd?: { columns: number; rows: number };
    template?: string;
    since?: string;
    lines: string[];
  }>;
  cabinets: Array<{
    id: string;
    zone: string;
    door?: string;
    lock?: string;
    /** `name`: the customer's display name, when they consented. */
    session?: { session: string; customer: string; name?: string; since: string; state: string };
    last?: { type: string; ts: string; total?: number; currency?: string; items: number; reason?: string };
  }>;
  /** The newest open alarms (the Alarms page has them all). */
  alarms: Array<
    Pick<AlarmEntry, 'seq' | 'ts' | 'kind' | 'cabinet' | 'door' | 'product' | 'detail'> & { id?: string }
  >;
  /** How many alarms are open (absent from a gateway older than the alarm book). */
  openAlarms?: number;
  lastSeq: number;
  /** The console asks for a token (not loopback): the page offers to sign out. */
  tokenRequired?: boolean;
}

export interface GatewayEvent {
  id: string;
  seq: number;
  ts: string;
  type: string;
  [field: string]: unknown;
}

export type Fetched<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

export async function fetchNow(): Promise<Fetched<NowState>> {
  const response = await fetch('/api/now', { credentials: 'same-origin' });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { ok: false, status: response.status, error: body.error ?? response.statusText };
  }
  return { ok: true, value: (await response.json()) as NowState };
}

/** Ends this browser's session (the cookie, and any copy of it); the sign-in page follows. */
export async function logout(): Promise<void> {
  await fetch('/api/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  }).catch(() => undefined);
}

export async function login(token: string): Promise<boolean> {
  const response = await fetch('/api/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return response.ok;
}

/**
 * The gateway's live events, one stream for the whole page. The browser reconnects by itself (and
 * sends the last id it saw, so the gateway sends what was missed); `onOpen` runs at each (re)connection.
 * An answer other than a stream (a 401 once the token is revoked) closes it for good: `onClosed`.
 */
export function openEvents(handlers: {
  onEvent: (event: GatewayEvent) => void;
  onOpen: () => void;
  onDown: () => void;
  onClosed: () => void;
}): () => void {
  const source = new EventSource('/api/events');
  source.onopen = handlers.onOpen;
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) handlers.onClosed();
    else handlers.onDown();
  };
  source.onmessage = (message: MessageEvent<string>) => {
    try {
      handlers.onEvent(JSON.parse(message.data) as GatewayEvent);
    } catch {
      // A line that is not an event is not shown.
    }
  };
  return () => source.close();
}

/** An MQTT request's answer (`{"status":"ok","data":…}` or `{"status":"error","error":"…"}`). */
export type Answer<T> =
  | { status: 'ok'; data: T }
  | {
      status: 'error';
      error: string;
      /** The error answer's other fields, when it has any (a CSV import's `problems`). */
      details?: Record<string, unknown>;
    };

/**
 * Runs a gateway request through its request router, as MQTT would carry it. Never rejects: a gateway
 * that cannot be reached (restarting, the network down) is an error answer the page shows like any other.
 */
export async function request<T>(command: string, body: Record<string, unknown> = {}): Promise<Answer<T>> {
  let response: Response;
  let answer: Partial<Answer<T>> & { error?: string };
  try {
    response = await fetch(`/api/request/${command}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return { status: 'error', error: `the gateway cannot be reached: ${messageOf(error)}` };
  }
  try {
    answer = (await response.json()) as Partial<Answer<T>> & { error?: string };
  } catch (error) {
    // A proxy's error page, or the connection cut in the middle of the answer.
    if (response.ok) return { status: 'error', error: `the gateway cannot be reached: ${messageOf(error)}` };
    answer = {};
  }
  if (answer.status === 'ok') return answer as Answer<T>;
  const { status: _status, error, transaction: _transaction, ...details } = answer as Record<string, unknown>;
  return {
    status: 'error',
    error: typeof error === 'string' ? error : `${response.status} ${response.statusText}`,
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface SessionRecord {
  id: string;
  cabinet: string;
  customer: string;
  via: string;
  state: string;
  startedAt: number;
  outcome: {
    type?: string;
    items?: Array<{ tag: string; name?: string; unitPrice?: number; currency?: string }>;
    total?: number;
    currency?: string;
    reason?: string;
    confidence?: string;
    reasons?: string[];
    undecided?: Array<{ tag: string; pUnread: number }>;
    evidence?: { weight?: { unexplainedG?: number; reason?: string } };
  } | null;
  /** An uncertain session's items a person may charge: inside when the door opened, taken, undecided. */
  candidates?: Array<{ tag: string; name?: string; sku?: string; unitPrice?: number; currency?: string }>;
  /** Present once a person decided an uncertain session (`purchases/resolve`). */
  resolution?: { at: number; resolvedBy: string; items: number; total: number; currency: string };
}

/** A zone's stock as `inventory/get` answers it (src/shared/payloads.ts InventorySnapshot). */
export interface ZoneStock {
  zone: string;
  ts: string;
  count: number;
  stale?: string;
  products: Array<{ sku?: string; gtin?: string; name?: string; count: number }>;
  tags: Array<{ tag: string; sku?: string; gtin?: string; since: string; lastSeen: string }>;
  truncated?: true;
}

export interface AlarmsAnswer {
  counts: { open: number; acknowledged: number };
  alarms: AlarmEntry[];
  more: boolean;
}

/** Picked up, put back, bought, and bought / picked up (null when nothing was picked up). */
export interface EngagementFigures {
  pickedUp: number;
  putBack: number;
  bought: number;
  conversion: number | null;
}

/** `engagement/get`'s answer (src/domain/engagement/request.ts): days without figures are left out. */
export interface EngagementAnswer {
  from: string;
  to: string;
  timeZone: string;
  sku?: string;
  days: Array<{ day: string; products: Array<EngagementFigures & ProductName>; totals: EngagementFigures }>;
  products: Array<EngagementFigures & ProductName>;
  totals: EngagementFigures;
}

interface ProductName {
  sku: string;
  gtin?: string;
  name?: string;
}
