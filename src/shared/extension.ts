import type { z } from 'zod';
import type { EventBody, EventType, GatewayEvent } from './events.js';
import type { RequestCaller } from './request-caller.js';
import type { ScreenData, ScreenTemplateName } from './screen.js';

export type EventOf<T extends EventType> = Extract<GatewayEvent, { type: T }>;

/**
 * Commands carried by the bus between extensions (not published, no `seq`): a domain feature asks
 * for an output without knowing which device drives it.
 */
export interface BusCommands {
  /** Sets an actuator's channel; with `pulseMs` the device returns to its safe state by itself. */
  'actuator.set': { actuator: string; value: string; pulseMs?: number; reason: string };
  /**
   * Shows a screen on a display, in the display's language; templates other than idle, take,
   * settling, out_of_order and temperature go back to idle after `forMs` (default: the display's idleAfterMs).
   */
  'display.show': {
    display: string;
    template: ScreenTemplateName;
    session?: string;
    data?: ScreenData;
    forMs?: number;
  };
  /**
   * Publishes a message under the gateway's base topic now, not through the outbox (a rule's
   * message, worth nothing late); rejects when there is no broker or it does not take it.
   */
  'mqtt.publish': { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

export type BusCommand = keyof BusCommands;

export interface BusStats {
  emitted: number;
  /** Exceptions thrown by listeners, by listener name. */
  listenerErrors: Record<string, number>;
  journalErrors: number;
}

/** What an extension sees of the event bus. */
export interface Bus {
  /** What the bus counted (events, listener failures), for the metrics. */
  readonly stats: BusStats;
  on<T extends EventType>(
    name: string,
    types: T | readonly T[] | '*',
    handler: (event: EventOf<T>) => void,
  ): () => void;
  emit(body: EventBody, atMs?: number): void;
  /** A state change and the events it causes, committed together (see EventBus.transaction). */
  transaction<T>(fn: () => T): T;
  /** Registers the one handler of a command; returns the function that removes it. */
  handle<C extends BusCommand>(command: C, handler: (input: BusCommands[C]) => Promise<void>): () => void;
  /** Runs a command; rejects when nobody handles it or the handler fails. */
  command<C extends BusCommand>(command: C, input: BusCommands[C]): Promise<void>;
}

/** A feature: built from the config by the controller, started in order, stopped in reverse. */
export interface Extension {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/**
 * Where an extension adds the commands it answers (over MQTT `<base>/request/<command>`): a zod
 * shape for its fields and a handler. Validation, `transaction`, time-outs and answers are common.
 */
export interface CommandRegistry {
  register<S extends z.ZodRawShape>(
    command: string,
    fields: S,
    /** `caller`: who sent it, as its signature tells (a handler that books who decided needs it). */
    handler: (request: z.output<z.ZodObject<S, z.core.$strict>>, caller: RequestCaller) => unknown,
    /** `maxPayloadBytes`: requests to this command may be larger than the router's 64 KiB. */
    options: { owner: string; changesState?: boolean; sensitive?: boolean; maxPayloadBytes?: number },
  ): () => void;
}
