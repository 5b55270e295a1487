import { close as closeFd, constants, open as openFd } from 'node:fs';
import type { OnReadOpts, SocketConstructorOpts } from 'node:net';
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
 * Bytes taken per read from the tty. The line discipline hands over what it holds, up to this: a
 * reader that fell behind catches up in a few reads.
 */
const TTY_READ_BYTES = 4096;

/**
 * A second descriptor on the already configured device (termios settings belong to the device, not
 * to the descriptor). The ReadStream owns and closes it; serialport keeps its own for writing.
 * O_NOCTTY: a service must never acquire the reader as its controlling terminal.
 *
 * Every read lands in one buffer of the connection (`onread`), handed to `deliver` as a view of the
 * bytes read: no Buffer, no stream queue and no 'data' event per read. Measured with the peer
 * harness's generator on a socat pty, that is 30-45 % less CPU per read than the 'data' stream (a
 * Node process doing nothing else: 55-65 instead of 78-118 µs at 200 reads/s, 22-25 instead of 32-50
 * at 1,000). The view is reused for the next
 * read of the same length, so the hot path allocates nothing once the usual lengths have been seen;
 * receivers copy what they keep (TransportHandlers.data).
 */
async function openTtyReader(path: string, deliver: (chunk: Uint8Array) => void): Promise<ReadStream> {
  const fd = await openFdAsync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    if (!isatty(fd)) throw new Error('not a terminal');
    const buffer = Buffer.allocUnsafe(TTY_READ_BYTES);
    const views: Buffer[] = [];
    const onread: OnReadOpts = {
      buffer,
      callback: (length) => {
        let view = views[length];
        if (view === undefined) {
          view = buffer.subarray(0, length);
          views[length] = view;
        }
        deliver(view);
        return true;
      },
    };
    // `onread` is a net.Socket option that tty.ReadStream passes on; @types/node leaves it out.
    const options: SocketConstructorOpts & { onread: OnReadOpts } = { onread };
    const reader = new ReadStream(fd, options);
    // Flowing, so that the end of the device (EIO on a vanished pty) is reported as 'end'.
    reader.resume();
    return reader;
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
        reader = await openTtyReader(path, events.data);
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
