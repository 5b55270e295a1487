import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logFormat } from './logger.js';
import { TextLogStream } from './text-logs.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** Pino's JSON lines in (as `createLogger` writes them), the terminal's lines out. */
function terminal(options: { columns?: number } = {}) {
  let out = '';
  const stream = new TextLogStream({ write: (text: string) => (out += text) }, options);
  const log = (atMs: number, level: number, msg: string, fields: Record<string, unknown> = {}) =>
    stream.write(
      `${JSON.stringify({ level, time: new Date(T0 + atMs).toISOString(), service: 'rfid-gateway', ...fields, msg })}\n`,
    );
  const lines = () => out.split('\n').filter((line) => line !== '');
  return { stream, log, lines };
}

describe('text logs for a terminal', () => {
  it('writes one short line per log line: time, level, whose, message, the fields', () => {
    const { log, lines } = terminal();
    log(1250, 40, 'decode error', {
      device: 'fridge',
      reader: 'fridge',
      port: 'replay:/work/rfid-gateway/hardware/captures/fridge-demo.jsonl#fridge',
      reason: 'bad-crc',
      droppedBytes: 8,
    });
    log(2000, 30, 'catalog file imported', { component: 'catalog', file: 'demo catalog.csv', added: 5 });
    expect(lines()).toEqual([
      '10:00:01.250 WARN  [fridge] decode error port=…/fridge-demo.jsonl#fridge reason=bad-crc droppedBytes=8',
      '10:00:02.000 INFO  [catalog] catalog file imported file="demo catalog.csv" added=5',
    ]);
  });

  it('shows an error with its stack, and cuts other lines to the terminal width', () => {
    const { log, lines } = terminal({ columns: 60 });
    log(0, 50, 'status handler threw', {
      err: { message: 'boom', stack: 'Error: boom\n    at x (y.js:1:1)' },
    });
    log(0, 30, 'transport online', { target: 'tcp://ser2net.example.net:4001', attempt: 3, retryInMs: 1200 });
    expect(lines()).toEqual([
      '10:00:00.000 ERROR status handler threw err=boom',
      '    Error: boom',
      '    at x (y.js:1:1)',
      '10:00:00.000 INFO  transport online target=tcp://ser2net.e…',
    ]);
    // One column spare: a line as wide as the terminal wraps on some of them.
    expect(lines()[3]).toHaveLength(59);
  });

  it('shows a line that keeps coming back once, then how often it came back, once a minute', () => {
    const { stream, log, lines } = terminal();
    // A request line every second for 70 s; the counts and durations in it change, the rest does not.
    for (let second = 0; second < 70; second++) {
      log(second * 1000, 40, 'broker unreachable', {
        component: 'mqtt',
        reason: 'ECONNREFUSED',
        attempt: second + 1,
      });
    }
    stream.flush();
    expect(lines()).toEqual([
      '10:00:00.000 WARN  [mqtt] broker unreachable reason=ECONNREFUSED attempt=1',
      '10:01:00.000 WARN  [mqtt] broker unreachable reason=ECONNREFUSED attempt=1 … repeated 60 times in the last 60 s',
      '10:01:09.000 WARN  [mqtt] broker unreachable reason=ECONNREFUSED attempt=1 … repeated 9 times in the last 9 s',
    ]);
  });

  it('summarises a line that comes back once a loop of the demo (61 s) every ten times', () => {
    const { log, lines } = terminal();
    for (let pass = 0; pass < 12; pass++) {
      log(pass * 61_000 + 31_000, 40, 'decode error', {
        reader: 'fridge',
        reason: 'bad-crc',
        streamOffset: pass,
      });
      log(pass * 61_000 + 18_000, 30, 'actuator set', { actuator: 'lock', value: 'open' });
      log(pass * 61_000 + 24_000, 30, 'actuator set', { actuator: 'lock', value: 'closed' });
    }
    expect(lines().filter((line) => line.includes('decode error'))).toEqual([
      '10:00:31.000 WARN  [fridge] decode error reason=bad-crc streamOffset=0',
      '10:10:41.000 WARN  [fridge] decode error reason=bad-crc streamOffset=0 … repeated 10 times in the last 10 min',
    ]);
    // Different values are different lines: the lock opening is not folded into it closing.
    expect(
      lines()
        .filter((line) => line.includes('actuator set'))
        .slice(0, 2),
    ).toEqual([
      '10:00:18.000 INFO  [lock] actuator set value=open',
      '10:00:24.000 INFO  [lock] actuator set value=closed',
    ]);
  });

  it('prints a line whole again once it has been quiet for ten minutes, after its last count', () => {
    const { log, lines } = terminal();
    log(0, 40, 'device offline', { reader: 'io' });
    log(5_000, 40, 'device offline', { reader: 'io' });
    log(11 * 60_000, 40, 'device offline', { reader: 'io' });
    expect(lines()).toEqual([
      '10:00:00.000 WARN  [io] device offline',
      '10:00:05.000 WARN  [io] device offline … repeated once more in the last 5 s',
      '10:11:00.000 WARN  [io] device offline',
    ]);
  });

  it('is not written to at all for a level the logger filters out', () => {
    let writes = 0;
    const stream = new TextLogStream({ write: () => writes++ });
    const write = stream.write.bind(stream);
    let calls = 0;
    stream.write = (line: string) => {
      calls++;
      return write(line);
    };
    const logger = pino({ level: 'info' }, stream);
    for (let i = 0; i < 1000; i++) logger.debug({ reader: 'fridge', i }, 'MQTT request');
    expect([calls, writes]).toEqual([0, 0]);
    logger.info('shown');
    expect([calls, writes]).toEqual([1, 1]);
  });
});

describe('which format stderr gets', () => {
  it('is text at a terminal and JSON for pipes, files and the journal, unless said outright', () => {
    expect(logFormat({ isTTY: true }, {})).toBe('text');
    expect(logFormat({ isTTY: false }, {})).toBe('json');
    expect(logFormat({}, {})).toBe('json');
    expect(logFormat({ isTTY: true }, { RFID_GATEWAY_LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormat({ isTTY: false }, { RFID_GATEWAY_LOG_FORMAT: 'text' })).toBe('text');
    expect(logFormat({ isTTY: true }, { RFID_GATEWAY_LOG_FORMAT: 'yaml' })).toBe('text');
  });
});
