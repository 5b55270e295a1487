import { ReadPlan } from '../app/read-plan.js';
import { sensorScript } from '../app/sensor-script.js';
import { createLogger } from '../observability/logger.js';
import { driverNamed } from '../protocols/index.js';
import { systemClock } from '../shared/clock.js';
import { createTransport } from '../transport/index.js';
import { EXIT_OK, parseNumberOption, UsageError } from './usage.js';

const TICK_MS = 10;
/** A simulated customer holds a card to the reader this long, then takes it away for `CARD_AWAY_MS`. */
const CARD_HELD_MS = 3000;
const CARD_AWAY_MS = 2000;

/** The cards in a card reader's field over time: each card of the plan in turn, held and taken away. */
function cardSchedule(cards: readonly Uint8Array[]): (elapsedMs: number) => Array<{ tag: Uint8Array }> {
  return (elapsedMs) => {
    const period = CARD_HELD_MS + CARD_AWAY_MS;
    const card = cards[Math.floor(elapsedMs / period) % cards.length];
    return card && elapsedMs % period < CARD_HELD_MS ? [{ tag: card }] : [];
  };
}

/** Plays a device on a serial port or pty until --seconds pass or a signal arrives. */
export async function simulateCommand(options: Record<string, string | undefined>): Promise<number> {
  if (!options.driver) throw new UsageError('simulate needs --driver NAME');
  if (!options.port) throw new UsageError('simulate needs --port PATH');
  let driver: ReturnType<typeof driverNamed>;
  try {
    driver = driverNamed(options.driver);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const tags = parseNumberOption('tags', options.tags, 1, 100_000) ?? 20;
  const rate = parseNumberOption('rate', options.rate, 0, 100_000) ?? 50;
  const seconds = parseNumberOption('seconds', options.seconds, 0, 31_536_000);
  const baudRate = parseNumberOption('baud', options.baud, 300, 4_000_000) ?? driver.defaultBaudRate;
  const seed = parseNumberOption('seed', options.seed, 0, 2 ** 32 - 1) ?? 1;

  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  const simulator = driver.createSimulator();
  const plan = new ReadPlan({ tags, tagLength: simulator.tagLength, antennas: 4, seed });
  // What it streams is what a search for given tags finds, and what a polled reader's polls find.
  simulator.setField?.(plan.field.map((tag) => ({ tag })));
  // A polled reader with a field reports it when asked; a card reader sees one card at a time.
  const answersFromField = driver.pollPlan !== undefined && simulator.setField !== undefined;
  const cards = driver.readsCards && answersFromField ? cardSchedule(plan.field) : undefined;
  // A sensor whose simulator streams its own readings (a scale) plays them; a `lines` one the script.
  const sensorLines = driver.kind === 'sensor' && !simulator.heartbeatFrame ? sensorScript(seed) : undefined;
  const transport = createTransport(
    { port: options.port, baudRate, reconnect: { initialMs: 200, maxMs: 2000 } },
    { clock: systemClock, logger },
  );
  let online = false;
  let written = 0;
  const send = (frame: Uint8Array) => {
    transport.write(frame).then(
      () => {
        written += 1;
      },
      (error: unknown) => logger.debug({ err: error }, 'write failed'),
    );
  };

  transport.start({
    data: (chunk) => {
      for (const answer of simulator.answer(chunk)) send(answer);
    },
    status: (status) => {
      online = status.state === 'online';
      logger.info({ port: transport.target, ...status }, `simulated ${driver.name} ${status.state}`);
    },
  });

  const started = systemClock.now();
  let due = 0;
  let sent = 0;
  let heartbeats = 0;
  return new Promise<number>((resolve) => {
    const finish = () => {
      clearInterval(ticker);
      logger.info({ frames: written }, 'simulation finished');
      transport.stop().then(() => resolve(EXIT_OK));
    };
    const ticker = setInterval(() => {
      const elapsed = systemClock.now() - started;
      if (seconds !== undefined && elapsed >= seconds * 1000) {
        finish();
        return;
      }
      if (!online) return;
      if (sensorLines) {
        for (const line of sensorLines(elapsed)) send(line);
        return;
      }
      // A reading module streams its read-cycle heartbeat once a second, tags or not.
      if (driver.expectedTrafficMs !== undefined && elapsed >= heartbeats * driver.expectedTrafficMs) {
        heartbeats = Math.floor(elapsed / driver.expectedTrafficMs) + 1;
        const heartbeat = simulator.heartbeatFrame?.();
        if (heartbeat) send(heartbeat);
      }
      if (driver.kind === 'sensor') return;
      if (cards) simulator.setField?.(cards(elapsed));
      // Unless it pushes its reads by itself now (a Chafon in scan mode): then it plays the plan.
      if (answersFromField && !simulator.pushesReads?.()) return;
      due = Math.floor((elapsed / 1000) * rate);
      // After a stall (port offline), do not burst everything that was missed.
      if (due - sent > rate) sent = due - Math.ceil(rate / 10);
      for (; sent < due; sent++) {
        const read = plan.next();
        const frame = simulator.tagFrame(read.tag, read.antenna, read.rssi);
        if (frame) send(frame);
      }
    }, TICK_MS);
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
  });
}
