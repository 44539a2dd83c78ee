import type { Frame } from "./frame";
import { toHex } from "./frame";
import {
  assertBytes,
  canStartFrame,
  checkFrameAt,
  declaredFrameLength,
  HEADER_LENGTH,
  MAX_FRAME_LENGTH,
} from "./parse-frame";
import { ProtocolError } from "./protocol-error";
import { FRAME_START, REPLY_REGISTERS } from "./registers";

export interface FrameAssemblerOptions {
  /**
   * Told about candidate frames thrown away (bad checksum or end marker once their length was in): the first of a bad
   * stretch, and the first of each awaited register within it (see FrameAssembler).
   */
  onReject?: (error: ProtocolError) => void;
}

/** 1 for each register a reply can be awaited for, so a bad stretch still reports a damaged one of those. */
const AWAITED = new Uint8Array(256);
for (const register of REPLY_REGISTERS) AWAITED[register] = 1;

/** Room for a waiting candidate (under one frame) plus the chunks that complete it, before bytes are moved. */
const ROOM = 4 * MAX_FRAME_LENGTH;

/**
 * Turns BLE notification chunks (20 bytes at ATT MTU 23) back into whole, checksum-verified frames.
 *
 * Frames are cut by their length byte, never by "ends with 0x77" (a data byte may be 0x77, PROTOCOL 1.3). Bytes that
 * cannot start a frame (junk, UP16S `02 51 … a1` telemetry, `FF AA` auth replies) are skipped up to the next 0xDD,
 * and so is a 0xDD whose header cannot begin a JBD frame (see canStartFrame): the remnant of a damaged reply often
 * holds one (a cell at 3.293 V is 0x0CDD), and taken as a header it would hold the next reply back for up to 262
 * bytes.
 * A candidate (a 0xDD and its header) is decided only when all the bytes its own length byte announces are in: a
 * good checksum and end marker make it a frame, even when its data happens to hold something that looks like a
 * frame; otherwise it is reported and the scan resumes at the byte after its 0xDD. That is how a good frame inside a
 * bogus candidate's window survives, and how a frame cut off by the next frame's header (PROTOCOL 7) is recovered:
 * once the cut-off frame's declared length has arrived (the link carries on), it fails and the frames inside it are
 * found. A candidate that starts inside the window of one already rejected (since the last good frame) belongs to
 * the same bad stretch and is not reported again, unless it is the first of a register whose reply the session may be
 * waiting for (REPLY_REGISTERS): a flood costs one report, while a damaged reply inside another bad candidate's window
 * is still reported, so the request waiting for it fails at once instead of at its timeout.
 *
 * Linear in the input: while a candidate waits for its bytes a push only appends, every position is decided at most
 * once, and a checksum costs one subtraction of running sums whatever the frame's length. Memory is bounded: after
 * every push at most one incomplete frame (< 262 bytes) is kept.
 */
export class FrameAssembler {
  /** Bytes held are `#bytes[#begin, #end)`, beginning with the candidate that waits for the rest of its bytes. */
  #bytes = new Uint8Array(ROOM);
  /** `#sums[i]` = the sum of `#bytes[0, i)` (modulo 2^32): the checksum of any window is one subtraction. */
  #sums = new Int32Array(ROOM + 1);
  #begin = 0;
  #end = 0;
  /**
   * End of the bad stretch: the windows of rejected candidates since the last good frame. A candidate starting inside
   * it is part of the same garbage (a flood of 0xDD bytes, junk after a damaged frame) and is reported only as the
   * first of an awaited register in the stretch, so a broken peripheral costs a few reports, not one per byte.
   */
  #reportedUntil = 0;
  /** The current bad stretch's number, and per register the stretch in which it was last reported. */
  #stretch = 0;
  readonly #reportedIn = new Uint32Array(256);
  readonly #onReject: ((error: ProtocolError) => void) | undefined;

  constructor(options: FrameAssemblerOptions = {}) {
    this.#onReject = options.onReject;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.#end - this.#begin;
  }

  /** Forgets any partial frame, e.g. after a reconnect or before a new request. */
  reset(): void {
    this.#begin = 0;
    this.#end = 0;
    this.#reportedUntil = 0;
  }

  /**
   * Adds one chunk and returns every frame it completes, in stream order. Never throws on any bytes; an argument
   * that is not a Uint8Array or Buffer is a TypeError, and the assembler keeps what it held.
   */
  push(chunk: Uint8Array): Frame[] {
    assertBytes(chunk, "FrameAssembler.push()");
    this.#append(chunk);
    const bytes = this.#bytes;
    const length = this.#end;

    const frames: Frame[] = [];
    const rejected: ProtocolError[] = [];
    let position = this.#begin;
    for (;;) {
      const start = indexOfStart(bytes, position, length);
      if (start < 0) {
        position = length;
        break;
      }
      position = start;
      if (length - start < HEADER_LENGTH) break;
      if (!canStartFrame(bytes, start)) {
        position = start + 1;
        continue;
      }
      const end = start + declaredFrameLength(bytes, start);
      // Not all of its bytes are in: it waits, whatever the bytes inside it look like.
      if (end > length) break;
      const result = checkFrameAt(bytes, start, this.#sums);
      if (typeof result === "string") {
        const register = bytes[start + 1] as number;
        const fresh = start >= this.#reportedUntil;
        if (fresh) this.#stretch++;
        if (fresh || (AWAITED[register] === 1 && this.#reportedIn[register] !== this.#stretch)) {
          this.#reportedIn[register] = this.#stretch;
          rejected.push(badFrame(result, bytes.subarray(start, end)));
        }
        this.#reportedUntil = Math.max(this.#reportedUntil, end);
        position = start + 1;
      } else {
        frames.push(result);
        this.#reportedUntil = 0;
        position = end;
      }
    }
    // What was decided is dropped; the waiting candidate (if any) is what is held now.
    if (position === length) this.reset();
    else this.#begin = position;
    // Back to the usual room once a chunk longer than it has been taken apart.
    if (this.#bytes.length > ROOM) this.#moveToFront(ROOM);

    // Reported only once the state is consistent, so a throwing callback cannot corrupt the assembler.
    if (this.#onReject !== undefined) for (const error of rejected) this.#onReject(error);
    return frames;
  }

  /**
   * Appends a chunk behind the held bytes, first moving them to the front when the room behind is short. Held bytes
   * stay below one frame, so only a chunk longer than the room needs a larger buffer, and only until it is decided.
   */
  #append(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#bytes.length) {
      this.#moveToFront(Math.max(ROOM, this.#end - this.#begin + chunk.length));
    }
    const bytes = this.#bytes;
    const sums = this.#sums;
    const from = this.#end;
    bytes.set(chunk, from);
    let sum = sums[from] as number;
    for (let i = from; i < from + chunk.length; i++) {
      sum = (sum + (bytes[i] as number)) | 0;
      sums[i + 1] = sum;
    }
    this.#end = from + chunk.length;
  }

  /** Moves the held bytes (and their running sums) to the front of buffers of `size`, reused when it is the same. */
  #moveToFront(size: number): void {
    const same = size === this.#bytes.length;
    const bytes = same ? this.#bytes : new Uint8Array(size);
    const sums = same ? this.#sums : new Int32Array(size + 1);
    bytes.set(this.#bytes.subarray(this.#begin, this.#end));
    sums.set(this.#sums.subarray(this.#begin, this.#end + 1));
    this.#reportedUntil = Math.max(0, this.#reportedUntil - this.#begin);
    this.#bytes = bytes;
    this.#sums = sums;
    this.#end -= this.#begin;
    this.#begin = 0;
  }
}

/** The next 0xDD in `bytes[from, to)`, or -1: unlike indexOf it never looks past the bytes held. */
function indexOfStart(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (bytes[i] === FRAME_START) return i;
  return -1;
}

function badFrame(reason: "tail" | "checksum", candidate: Uint8Array): ProtocolError {
  const hex = toHex(candidate);
  const why = reason === "tail" ? "no 0x77 end marker where the length byte puts it" : "checksum mismatch";
  return new ProtocolError("BAD_FRAME", reason, `discarded a bad frame (${why}): ${hex}`, {
    details: { frame: hex },
    register: candidate[1] as number,
    declaredLength: candidate.length,
  });
}
