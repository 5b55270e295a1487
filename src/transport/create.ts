import { resolvePolicy } from '../shared/backoff.js';
import { ReconnectingTransport } from './reconnecting.js';
import { ReplayTransport } from './replay.js';
import { type SerialOptions, serialConnector } from './serial.js';
import { parseTcpUrl, tcpConnector } from './tcp.js';
import type { ByteTransport, TransportDeps, TransportSpec } from './types.js';

const REPLAY_PREFIX = 'replay:';

/**
 * Picks the transport from a reader's `port`: 'replay:<file>', 'tcp://host:port' (serial over TCP,
 * e.g. ser2net), else a serial device path. Bad settings throw here (config time); a missing device
 * does not: the transport reports offline and retries. A replay reads its capture's header here, so
 * an unreadable capture or an ambiguous port throws a `CaptureError`.
 */
export function createTransport(
  spec: TransportSpec,
  deps: TransportDeps,
  serial: Pick<SerialOptions, 'readPath' | 'openDevice'> = {},
): ByteTransport {
  const { clock, logger, random } = deps;
  if (spec.port.startsWith(REPLAY_PREFIX)) {
    return new ReplayTransport(
      { ...spec.replay, file: spec.port.slice(REPLAY_PREFIX.length) },
      clock,
      logger,
    );
  }
  const policy = resolvePolicy(spec.reconnect);
  if (spec.port.startsWith('tcp://')) {
    const address = parseTcpUrl(spec.port);
    return new ReconnectingTransport(spec.port, tcpConnector(address, clock), policy, clock, logger, random);
  }
  if (!(Number.isInteger(spec.baudRate) && spec.baudRate > 0)) {
    throw new RangeError(`port "${spec.port}": baudRate must be a positive integer (got ${spec.baudRate})`);
  }
  if (spec.port === '') throw new Error('port must not be empty');
  const connect = serialConnector({ ...serial, path: spec.port, baudRate: spec.baudRate }, logger);
  return new ReconnectingTransport(`${spec.port}@${spec.baudRate}`, connect, policy, clock, logger, random);
}
