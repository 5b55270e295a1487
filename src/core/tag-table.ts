import { BYTE_HEX } from './hex.js';

/*
 * The slot layout and the hash, exported for the engine's hot path, which probes the slots itself (see
 * `PresenceEngine.ingestCurrent`). A slot is SLOT_INTS ints: the entry word
 * `(key length << RECORD_BITS) | (record + 1)` (0 = empty), the hash, then the key's first INLINE_WORDS
 * little-endian words (all of a key up to 24 bytes), zero-padded.
 */
export const SLOT_INTS = 8;
export const SLOT_HASH = 1;
export const SLOT_KEY = 2;
export const INLINE_WORDS = SLOT_INTS - SLOT_KEY;
/** Low bits of the entry word: record + 1 (so capacity < 2^23). */
export const RECORD_BITS = 23;
export const RECORD_MASK = (1 << RECORD_BITS) - 1;
/**
 * The hash of a key of `length` bytes starts at `length`; per word `hash = rotl(imul(hash ^ word,
 * HASH_MULTIPLIER), HASH_ROTATION)` (cheap); then MurmurHash3's finalizer (FINAL_MULTIPLIER_1 and _2)
 * for the avalanche. A partial last word is zero-padded.
 */
export const HASH_MULTIPLIER = 0x9e3779b1;
export const HASH_ROTATION = 13;
export const FINAL_MULTIPLIER_1 = 0x85ebca6b;
export const FINAL_MULTIPLIER_2 = 0xc2b2ae35;

/**
 * Identifier bytes → record index, in preallocated typed arrays.
 *
 * Records (0..capacity-1) are dense, so callers keep per-tag state in parallel typed arrays indexed by
 * record. Freed records queue up and are reused oldest first, which leaves a freed key readable for as
 * long as possible (the read ring names tags by record + generation). The index is open addressing with
 * linear probing over a slot array at most half full, with backward-shift deletion (no tombstones, so
 * probes do not lengthen under churn). A slot holds the record, the key length, the hash and the first
 * 24 bytes of the key, so finding a UHF EPC or an EM4100/NFC id reads one cache line: with thousands of
 * tags read in random order each extra line is a cache miss. Keys are kept as 32-bit words:
 * hashing reads the words anyway, and comparing three words beats comparing twelve bytes. Nothing here
 * allocates after construction but a DataView when the caller passes a different buffer than last time.
 */
export class TagTable {
  readonly capacity: number;
  private readonly keyWords: Int32Array;
  private readonly wordsPerKey: number;
  private readonly keyLengths: Uint8Array;
  private readonly hashes: Int32Array;
  /** SLOT_INTS per slot (layout above); at most half the slots are in use. */
  readonly slots: Int32Array;
  readonly slotMask: number;
  /** Free records as a FIFO ring. */
  private readonly free: Int32Array;
  private freeHead = 0;
  private freeCount: number;
  /** The key of the last `find`, as little-endian words zero-padded to a whole word. */
  private readonly probeWords: Int32Array;
  /** Where the last missed `find` stopped, so `insert` does not hash and probe again. */
  private missSlot = -1;
  private missHash = 0;
  private missLength = 0;
  private viewBytes: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor(capacity: number, maxKeyBytes: number) {
    this.capacity = capacity;
    this.wordsPerKey = (maxKeyBytes + 3) >> 2;
    this.keyWords = new Int32Array(capacity * this.wordsPerKey);
    this.keyLengths = new Uint8Array(capacity);
    this.hashes = new Int32Array(capacity);
    let slotCount = 2;
    while (slotCount < capacity * 2) slotCount *= 2;
    this.slots = new Int32Array(slotCount * SLOT_INTS);
    this.slotMask = slotCount - 1;
    this.free = Int32Array.from({ length: capacity }, (_, index) => index);
    this.freeCount = capacity;
    this.probeWords = new Int32Array(this.wordsPerKey);
  }

  get size(): number {
    return this.capacity - this.freeCount;
  }

  get full(): boolean {
    return this.freeCount === 0;
  }

  /** Record holding this key, or -1. `length` must be 1..maxKeyBytes. */
  find(bytes: Uint8Array, offset: number, length: number): number {
    const words = this.probeWords;
    let hash = length;
    let word = 0;
    let at = offset;
    const view = this.viewOf(bytes);
    for (const end = offset + (length & ~3); at < end; at += 4) {
      const block = view.getInt32(at, true);
      words[word++] = block;
      hash = Math.imul(hash ^ block, HASH_MULTIPLIER);
      hash = (hash << HASH_ROTATION) | (hash >>> (32 - HASH_ROTATION));
    }
    if ((length & 3) !== 0) {
      let block = 0;
      for (let shift = 0; at < offset + length; at++, shift += 8) block |= (bytes[at] as number) << shift;
      words[word++] = block;
      hash = Math.imul(hash ^ block, HASH_MULTIPLIER);
      hash = (hash << HASH_ROTATION) | (hash >>> (32 - HASH_ROTATION));
    }
    const wordCount = word;
    hash = Math.imul(hash ^ (hash >>> 16), FINAL_MULTIPLIER_1);
    hash = Math.imul(hash ^ (hash >>> 13), FINAL_MULTIPLIER_2);
    hash ^= hash >>> 16;

    const keyWords = this.keyWords;
    const stride = this.wordsPerKey;
    const slots = this.slots;
    const inline = Math.min(wordCount, INLINE_WORDS);
    let slot = hash & this.slotMask;
    for (;;) {
      const at = slot * SLOT_INTS;
      const entry = slots[at] as number;
      if (entry === 0) {
        this.missSlot = slot;
        this.missHash = hash;
        this.missLength = length;
        return -1;
      }
      if (entry >>> RECORD_BITS === length && slots[at + SLOT_HASH] === hash) {
        let same = 0;
        while (same < inline && slots[at + SLOT_KEY + same] === words[same]) same++;
        const record = (entry & RECORD_MASK) - 1;
        const base = record * stride;
        if (same === inline) while (same < wordCount && keyWords[base + same] === words[same]) same++;
        if (same === wordCount) return record;
      }
      slot = (slot + 1) & this.slotMask;
    }
  }

  /**
   * A DataView reads a word in one load where assembling four bytes takes a dozen instructions. Made
   * again only when the caller's buffer changes; decoders reuse theirs.
   */
  private viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
    if (bytes !== this.viewBytes) {
      this.viewBytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.view;
  }

  /** Adds the key the immediately preceding `find` missed; returns its record, or -1 when full. */
  insert(): number {
    if (this.freeCount === 0 || this.missSlot < 0) return -1;
    const record = this.free[this.freeHead] as number;
    this.freeHead = (this.freeHead + 1) % this.capacity;
    this.freeCount--;
    const base = record * this.wordsPerKey;
    const wordCount = (this.missLength + 3) >> 2;
    for (let word = 0; word < wordCount; word++) this.keyWords[base + word] = this.probeWords[word] as number;
    this.keyLengths[record] = this.missLength;
    this.hashes[record] = this.missHash;
    const at = this.missSlot * SLOT_INTS;
    this.slots[at] = (this.missLength << RECORD_BITS) | (record + 1);
    this.slots[at + SLOT_HASH] = this.missHash;
    for (let word = 0; word < INLINE_WORDS; word++) {
      this.slots[at + SLOT_KEY + word] = word < wordCount ? (this.probeWords[word] as number) : 0;
    }
    this.missSlot = -1;
    return record;
  }

  /** Frees a record. Its key stays readable (`keyHex`) until the record is handed out again. */
  remove(record: number): void {
    const mask = this.slotMask;
    const slots = this.slots;
    let slot = (this.hashes[record] as number) & mask;
    while (((slots[slot * SLOT_INTS] as number) & RECORD_MASK) !== record + 1) slot = (slot + 1) & mask;
    // Backward shift: pull later entries of the probe run into the hole unless that would move one
    // before its home slot.
    let hole = slot;
    let next = (hole + 1) & mask;
    for (;;) {
      if (slots[next * SLOT_INTS] === 0) break;
      const home = (slots[next * SLOT_INTS + SLOT_HASH] as number) & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        slots.copyWithin(hole * SLOT_INTS, next * SLOT_INTS, (next + 1) * SLOT_INTS);
        hole = next;
      }
      next = (next + 1) & mask;
    }
    slots[hole * SLOT_INTS] = 0;
    this.free[(this.freeHead + this.freeCount) % this.capacity] = record;
    this.freeCount++;
    this.missSlot = -1;
  }

  /** The record's key as uppercase hex (its latest key, if the record has been freed). */
  keyHex(record: number): string {
    const base = record * this.wordsPerKey;
    let text = '';
    for (let byte = 0; byte < (this.keyLengths[record] as number); byte++) {
      const word = this.keyWords[base + (byte >> 2)] as number;
      text += BYTE_HEX[(word >>> ((byte & 3) * 8)) & 0xff];
    }
    return text;
  }

  /** Longest probe run, for tests and diagnostics. */
  longestProbe(): number {
    let longest = 0;
    for (let slot = 0; slot <= this.slotMask; slot++) {
      if (this.slots[slot * SLOT_INTS] === 0) continue;
      const home = (this.slots[slot * SLOT_INTS + SLOT_HASH] as number) & this.slotMask;
      const distance = (slot - home) & this.slotMask;
      longest = Math.max(longest, distance + 1);
    }
    return longest;
  }
}
