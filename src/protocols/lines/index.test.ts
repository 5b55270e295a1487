import { describe, expect, it } from 'vitest';
import type { ReaderMessage } from '../../shared/decoding.js';
import { linesDriver } from './index.js';

describe('linesDriver', () => {
  it('describes a sensor device at 115200 baud with nothing to send', () => {
    expect(linesDriver.name).toBe('lines');
    expect(linesDriver.kind).toBe('sensor');
    expect(linesDriver.defaultBaudRate).toBe(115200);
    expect(linesDriver.startup({})).toEqual([]);
    expect(linesDriver.shutdown({})).toEqual([]);
  });

  it('creates decoders that report sensor messages', () => {
    const messages: ReaderMessage[] = [];
    const decoder = linesDriver.createDecoder({
      tagRead: () => {},
      message: (message) => messages.push(message),
      decodeError: () => {},
    });
    decoder.push(new TextEncoder().encode('door=open\n'));
    expect(messages).toEqual([{ kind: 'sensor', channel: 'door', value: 'open' }]);
  });

  it('simulates a silent device', () => {
    const simulator = linesDriver.createSimulator();
    expect(simulator.answer(new TextEncoder().encode('lock=open\n'))).toEqual([]);
    expect(simulator.tagFrame(Uint8Array.of(1, 2, 3), 1, -40)).toBeUndefined();
  });
});
