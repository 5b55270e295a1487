import { closeSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { type CaptureChunk, CaptureError, type CaptureHeader, CaptureParser } from './capture.js';
import { errorText } from './reconnecting.js';

const BLOCK_BYTES = 64 * 1024;

/** Feeds one block read from the file (0 bytes = end of file) to the parser. */
function feed(parser: CaptureParser, decoder: StringDecoder, block: Buffer, out: CaptureChunk[]): void {
  if (block.length === 0) {
    parser.push(decoder.end(), out);
    parser.end(out);
  } else {
    parser.push(decoder.write(block), out);
  }
}

function unreadable(file: string, error: unknown): CaptureError {
  return error instanceof CaptureError
    ? error
    : new CaptureError(file, 0, `cannot read: ${errorText(error)}`);
}

/** A capture being read: its header, then its chunks by async iteration, which closes the file at the end. */
export interface OpenCapture extends AsyncIterable<CaptureChunk> {
  readonly header: CaptureHeader;
  /** For a capture that is not iterated to its end. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens a capture and validates its header; chunks are then read in 64 KiB blocks as they are
 * iterated, so memory stays flat for hour-long captures. Any problem is a `CaptureError` naming the
 * file and line, thrown by the iteration when it reaches that line (the chunks before it have been
 * yielded).
 */
export async function readCapture(file: string): Promise<OpenCapture> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
  const parser = new CaptureParser(file);
  const decoder = new StringDecoder('utf8');
  const block = Buffer.allocUnsafe(BLOCK_BYTES);
  let pending: CaptureChunk[] = [];
  let ended = false;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= handle.close();
    return closed;
  };
  // A bad line after the header is thrown only once the chunks before it have been yielded.
  let failure: CaptureError | undefined;
  const readBlock = async (): Promise<void> => {
    try {
      const { bytesRead } = await handle.read(block, 0, BLOCK_BYTES, null);
      ended = bytesRead === 0;
      feed(parser, decoder, block.subarray(0, bytesRead), pending);
    } catch (error) {
      await close();
      if (parser.header === undefined) throw unreadable(file, error);
      failure = unreadable(file, error);
      ended = true;
    }
  };
  while (parser.header === undefined && !ended) await readBlock();
  const header = parser.header as CaptureHeader;

  async function* chunks(): AsyncGenerator<CaptureChunk> {
    try {
      for (;;) {
        const ready = pending;
        pending = [];
        for (const chunk of ready) yield chunk;
        if (failure !== undefined) throw failure;
        if (ended) return;
        await readBlock();
      }
    } finally {
      await close();
    }
  }
  return { header, close, [Symbol.asyncIterator]: chunks };
}

/**
 * The same reading with blocking I/O, one chunk at a time. The replay uses it so that the next
 * chunk is always known, and its timer set, before the clock moves on: a replay on a virtual clock
 * then never depends on when file reads complete.
 */
export class CaptureCursor {
  readonly header: CaptureHeader;
  private readonly parser: CaptureParser;
  private readonly decoder = new StringDecoder('utf8');
  private readonly block = Buffer.allocUnsafe(BLOCK_BYTES);
  private fd: number | undefined;
  private pending: CaptureChunk[] = [];
  private index = 0;
  private ended = false;

  private failure: CaptureError | undefined;

  constructor(readonly file: string) {
    this.parser = new CaptureParser(file);
    try {
      this.fd = openSync(file, 'r');
    } catch (error) {
      throw unreadable(file, error);
    }
    while (this.parser.header === undefined && !this.ended) this.readBlock();
    this.header = this.parser.header as CaptureHeader;
  }

  /**
   * The next chunk, or undefined at the end of the capture. A bad line throws `CaptureError` once
   * the chunks before it have been returned.
   */
  next(): CaptureChunk | undefined {
    while (this.index >= this.pending.length) {
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return undefined;
      this.pending = [];
      this.index = 0;
      this.readBlock();
    }
    return this.pending[this.index++];
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readBlock(): void {
    try {
      const bytesRead = readSync(this.fd as number, this.block, 0, BLOCK_BYTES, null);
      this.ended = bytesRead === 0;
      feed(this.parser, this.decoder, this.block.subarray(0, bytesRead), this.pending);
    } catch (error) {
      this.ended = true;
      if (this.parser.header === undefined) {
        this.close();
        throw unreadable(this.file, error);
      }
      this.failure = unreadable(this.file, error);
    }
    if (this.ended) this.close();
  }
}
