import { isIP } from 'node:net';
import type { IClientOptions } from 'mqtt';
import { Backoff, type ReconnectPolicy } from '../shared/backoff.js';
import type { EpochMs } from '../shared/clock.js';
import { redactUrl } from './errors.js';

/**
 * `mqtt.url` as a list of broker nodes (a cluster's, or a primary and a standby) and the policy
 * that moves between them: start with the first, try the next (wrapping) after a failed attempt or
 * a lost connection, stay on a node while it holds.
 */

export const MAX_BROKER_NODES = 16;

export interface BrokerNode {
  /** Position in `mqtt.url`, from 0. */
  readonly index: number;
  /** As configured (credentials included, if any). */
  readonly url: string;
  /** Without credentials: for logs, the status and the metrics. */
  readonly redacted: string;
}

export function brokerNodes(url: string | readonly string[]): BrokerNode[] {
  const list = typeof url === 'string' ? [url] : [...url];
  if (list.length === 0) throw new RangeError('mqtt.url: the list of broker nodes is empty');
  if (list.length > MAX_BROKER_NODES)
    throw new RangeError(`mqtt.url: at most ${MAX_BROKER_NODES} broker nodes, got ${list.length}`);
  return list.map((node, index) => ({ index, url: node, redacted: redactUrl(node) }));
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  mqtt: 1883,
  tcp: 1883,
  mqtts: 8883,
  tls: 8883,
  ssl: 8883,
  ws: 80,
  wss: 443,
};
/** What MQTT.js's `connect` makes of a plain scheme when a client certificate is given. */
const SECURED: Readonly<Record<string, string>> = { mqtt: 'mqtts', ws: 'wss' };

/**
 * Points the options MQTT.js builds each connection's stream from (`client.options`, which its
 * stream builders read and write back) at `node`. Every field a builder reads or fills in is set,
 * so nothing of the previous node survives: a TLS builder only sets `servername` when it is unset,
 * a TCP one keeps a port it once defaulted.
 */
export function pointAt(
  options: IClientOptions,
  node: BrokerNode,
  base: { username?: string; password?: string },
): void {
  const parsed = new URL(node.url);
  let protocol = parsed.protocol.replace(/:$/, '');
  if (options.cert !== undefined && options.key !== undefined) protocol = SECURED[protocol] ?? protocol;
  // WHATWG URL keeps the brackets of an IPv6 literal; sockets and SNI want the bare address.
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  options.protocol = protocol as IClientOptions['protocol'];
  options.host = hostname;
  options.hostname = hostname;
  options.port = parsed.port === '' ? (DEFAULT_PORTS[protocol] ?? 1883) : Number(parsed.port);
  // SNI names a host, never an address (Node warns, and a broker behind a proxy would route by it).
  if (isIP(hostname) === 0) options.servername = hostname;
  else delete options.servername;
  if (protocol === 'ws' || protocol === 'wss') options.path = `${parsed.pathname}${parsed.search}`;
  else delete options.path;
  const username = decodeURIComponent(parsed.username);
  if (username !== '') {
    options.username = username;
    options.password = decodeURIComponent(parsed.password);
  } else {
    if (base.username === undefined) delete options.username;
    else options.username = base.username;
    if (base.password === undefined) delete options.password;
    else options.password = base.password;
  }
}

export interface NextAttempt {
  /** How long to wait before the attempt. */
  delayMs: number;
  from: BrokerNode;
  to: BrokerNode;
  /** Nodes that failed (attempts refused, or the connection lost) since the last connection. */
  failedInRow: number;
}

/**
 * Which node to try next and when. With one node this is the plain backoff. With several, the first
 * move after a loss is quick (the backoff's first delay) and the backoff grows only once every node
 * has failed in a row, so a dead node costs one short wait, not a growing one.
 */
export class BrokerRotation {
  private readonly backoff: Backoff;
  private position = 0;
  private failures = 0;
  private lastConnected: number | undefined;
  private moveCount = 0;

  constructor(
    readonly nodes: readonly BrokerNode[],
    private readonly policy: Readonly<ReconnectPolicy>,
    private readonly random: () => number = Math.random,
  ) {
    if (nodes.length === 0) throw new RangeError('no broker nodes');
    this.backoff = new Backoff(policy, random);
  }

  get current(): BrokerNode {
    return this.nodes[this.position] as BrokerNode;
  }

  /** Connections made to another node than the previous connection's. */
  get moves(): number {
    return this.moveCount;
  }

  /** Failed attempts since the last stable connection (the backoff's count). */
  get attempt(): number {
    return this.backoff.attempt;
  }

  connected(now: EpochMs): void {
    this.backoff.connected(now);
    this.failures = 0;
    if (this.lastConnected !== undefined && this.lastConnected !== this.position) this.moveCount++;
    this.lastConnected = this.position;
  }

  /** A connection that was up ended; call `next` afterwards. */
  disconnected(now: EpochMs): void {
    this.backoff.disconnected(now);
  }

  /** The current node failed (an attempt, or its connection): moves on and says when to try. */
  next(): NextAttempt {
    const from = this.current;
    this.failures++;
    this.position = (this.position + 1) % this.nodes.length;
    const delayMs =
      this.failures < this.nodes.length
        ? new Backoff(this.policy, this.random).nextDelay()
        : this.backoff.nextDelay();
    return { delayMs, from, to: this.current, failedInRow: this.failures };
  }
}
