import type { Writable } from 'node:stream';
import type { GatewayConfig } from '../config/schema.js';
import type { RequestRegistry } from '../mqtt/request-registry.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Extension } from '../shared/extension.js';
import type { Store } from '../store/index.js';
import type { EventBus } from './event-bus.js';
import type { MqttLink } from './extensions/mqtt-link.js';
import type { Readers } from './readers.js';

/** Everything an extension may use; built once by the controller. */
export interface ExtensionContext {
  readonly config: GatewayConfig;
  /** `replay`: a capture on a virtual clock, nothing is written to devices. */
  readonly mode: 'run' | 'replay';
  readonly bus: EventBus;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly requests: RequestRegistry;
  /** The core and the device pipelines, to query (present tags, counters) and to write to devices. */
  readonly readers: Readers;
  /** Present when the config has an `mqtt` section (or replay --mqtt). */
  readonly mqtt: MqttLink | undefined;
  /** Where event lines go when stdout output is on. */
  readonly stdout: Writable | undefined;
}

/** Builds one extension from the context; `undefined` when the config does not ask for it. */
export type ExtensionFactory = (context: ExtensionContext) => Extension | undefined;
