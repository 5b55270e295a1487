/**
 * A capture replayed through the whole controller by `replayCapture`, as the `replay` command does
 * (the exit monitor is one of the controller's features), with the events collected and the exit
 * monitor's counts read at the end.
 */
import type { Controller } from '../../src/app/controller.js';
import { replayCapture } from '../../src/app/replay.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import type { ExitMonitorStats } from '../../src/domain/exit-monitor/index.js';
import { RequestRouter } from '../../src/mqtt/requests.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { Clock } from '../../src/shared/clock.js';
import type { GatewayEvent } from '../../src/shared/events.js';
import type { Services } from '../../src/shared/feature.js';
import { tap } from '../helpers/features.js';

export interface DoorReplay {
  events: GatewayEvent[];
  stats: ExitMonitorStats | undefined;
  startedAt: number;
}

export interface Gateway {
  controller: Controller;
  clock: Clock;
  /** As `<base>/request/<command>` is answered: JSON in, the response document out. */
  request(command: string, payload: unknown): Promise<Record<string, unknown>>;
}

export function requester(controller: Controller, clock: Clock): Gateway['request'] {
  const router = new RequestRouter({ registry: controller.requests, clock, logger: silentLogger() });
  return async (command, payload) => {
    const response = await router.handle(command, new TextEncoder().encode(JSON.stringify(payload)));
    return JSON.parse(response.payload) as Record<string, unknown>;
  };
}

export async function replayDoorCapture(options: {
  file: string;
  config: GatewayConfig;
  dataDir?: string;
  /** Runs once the controller is started, before the first chunk (at the capture's start time). */
  prepare?: (gateway: Gateway) => Promise<void> | void;
}): Promise<DoorReplay> {
  const events: GatewayEvent[] = [];
  let monitor: Services['exitMonitor'] | undefined;
  const { header } = await replayCapture({
    file: options.file,
    config: options.config,
    speed: 0,
    logger: silentLogger(),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    extraFeatures: [tap('test-events', ({ bus }) => bus.on('test', '*', (event) => events.push(event)))],
    prepare: async (controller) => {
      monitor = controller.service('exitMonitor');
      const clock = controller.clock;
      await options.prepare?.({ controller, clock, request: requester(controller, clock) });
    },
  });
  return { events, stats: monitor?.stats, startedAt: Date.parse(header.startedAt) };
}
