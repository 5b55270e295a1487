import { close as closeFd, constants, open as openFd } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import type { Logger } from '../observability/logger.js';
import { type Connect, errorText, type Link } from './reconnecting.js';

/** What the serial transport needs of a `serialport` stream; `SerialPortMock` fits too, for tests. */
export interface SerialDevice {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  write(chunk: Buffer, callback: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'close', listener: (error?: Error | null) => void): this;
}

export type SerialDeviceFactory = (options: { path: string; baudRate: number }) => SerialDevice;

/**
 * Where received bytes are read from:
 * - 'tty': Node's own `tty.ReadStream` on a second descriptor of the device: epoll on the main
 *   thread. Measured on a socat pty at 1,000 M6e frames/s (test/bench/transport.ts) it costs about a
 *   third of the CPU per frame of serialport's reads, which go through libuv's thread pool.
 * - 'stream': serialport's own 'data' stream; works wherever serialport does (and with its mocks).
 * 'auto' (the default) uses 'tty' when the device opens as a terminal and falls back to 'stream'.
 */
export type ReadPathChoice = 'auto' | 'stream';

export interface SerialOptions {
  path: string;
  baudRate: number;
  readPath?: ReadPathChoice;
  /** Opens the device; `serialport` (8N1, no flow control) unless a test injects a mock. */
  openDevice?: SerialDeviceFactory;
}

const openFdAsync = promisify(openFd);

function openSerialPort(options: { path: string; baudRate: number }): SerialDevice {
  return new SerialPort({
    path: options.path,
    baudRate: options.baudRate,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    rtscts: false,
    xon: false,
    xoff: false,
    autoOpen: false,
  });
}

/**
 * A second descriptor on the already configured device (termios settings belong to the device, not
 * to the descriptor). The ReadStream owns and closes it; serialport keeps its own for writing.
 * O_NOCTTY: a service must never acquire the reader as its controlling terminal.
 */
async function openTtyReader(path: string): Promise<ReadStream> {
  const fd = await openFdAsync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    if (!isatty(fd)) throw new Error('not a terminal');
    return new ReadStream(fd);
  } catch (error) {
    closeFd(fd, () => {});
    throw error;
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function serialConnector(options: SerialOptions, logger: Logger): Connect {
  const { path, baudRate } = options;
  const openDevice = options.openDevice ?? openSerialPort;
  return async (events) => {
    const device = openDevice({ path, baudRate });
    let closing = false;
    let ended = false;
    const lost = (reason: string): void => {
      if (closing || ended) return;
      ended = true;
      events.lost(reason);
    };
    device.on('error', (error) => lost(errorText(error)));
    device.on('close', (error) => lost(error ? errorText(error) : 'port closed'));
    await new Promise<void>((resolve, reject) => device.open((error) => (error ? reject(error) : resolve())));

    let reader: ReadStream | undefined;
    if (options.readPath !== 'stream') {
      try {
        reader = await openTtyReader(path);
      } catch (error) {
        logger.debug(
          { path, error: errorText(error) },
          'tty read path unavailable, reading through serialport',
        );
      }
    }
    if (reader === undefined) {
      device.on('data', events.data);
    } else {
      reader.on('data', events.data);
      // A vanished pty or an unplugged USB adapter reads as EIO, which the tty stream reports as its end.
      reader.on('end', () => lost('device closed'));
      reader.on('error', (error) => lost(errorText(error)));
      reader.on('close', () => lost('device closed'));
    }
    const ttyReader = reader;

    const link: Link = {
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          const fail = (error: Error): void => reject(new Error(`${path}: write failed: ${error.message}`));
          device.write(toBuffer(bytes), (writeError) => {
            if (writeError) fail(writeError);
            else device.drain((drainError) => (drainError ? fail(drainError) : resolve()));
          });
        }),
      close: async () => {
        closing = true;
        ttyReader?.destroy();
        if (device.isOpen) {
          await new Promise<void>((resolve, reject) =>
            device.close((error) => (error ? reject(error) : resolve())),
          );
        }
      },
    };
    return link;
  };
}
