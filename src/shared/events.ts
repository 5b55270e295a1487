/** EPC Tag Data Standard decoding of a tag identifier, present only when it decodes. */
export interface EpcInfo {
  scheme: string;
  uri: string;
  gtin?: string;
  serial?: string;
}

export type Direction = 'exit' | 'entry' | null;

/** Fields of an event before the envelope (id, seq, ts, gateway) is put around it. */
export type EventBody =
  | {
      type: 'tag.arrived';
      zone: string;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      epc?: EpcInfo;
    }
  | {
      type: 'tag.departed';
      zone: string;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      dwellMs: number;
      epc?: EpcInfo;
    }
  | {
      type: 'tag.present';
      zone: string;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      dwellMs: number;
      epc?: EpcInfo;
    }
  | {
      type: 'tag.moved';
      zone: string;
      from: string;
      to: string;
      direction: Direction;
      reader: string;
      antenna: number;
      rssi: number | null;
      tag: string;
      reads: number;
      epc?: EpcInfo;
    }
  | { type: 'sensor.changed'; sensor: string; channel: string; value: string | number; zone: string }
  | {
      type: 'reader.status';
      reader: string;
      state: 'online' | 'offline' | 'error';
      reason?: string;
      detail?: Record<string, string | number | boolean>;
    }
  | { type: 'core.overflow'; dropped: number; capacity: number }
  /** An output was set (or pulsed: it returns to its safe state by itself after `pulseMs`). */
  | {
      type: 'actuator.changed';
      actuator: string;
      value: string;
      pulseMs?: number;
      reason: string;
    }
  /** An output could not be driven (after its retry): the device is unplugged or not answering. */
  | { type: 'actuator.status'; actuator: string; state: 'fault' | 'ok'; reason: string }
  /** The full outbox dropped its oldest low-value events (counts by type, this time). */
  | { type: 'outbox.dropped'; dropped: number };

export type EventType = EventBody['type'];

export type GatewayEvent = EventBody & {
  id: string;
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  ts: string;
  gateway: string;
};

/** Where events go: stdout now, the MQTT outbox next. */
export interface EventSink {
  write(event: GatewayEvent): void;
  /** Resolves when everything written so far is durable or delivered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
