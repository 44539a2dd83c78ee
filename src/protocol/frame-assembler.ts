import type { Frame } from "./frame";
import { toHex } from "./frame";
import { assertBytes, checkFrameAt, declaredFrameLength, HEADER_LENGTH } from "./parse-frame";
import { ProtocolError } from "./protocol-error";
import { FRAME_START } from "./registers";

export interface FrameAssemblerOptions {
  /** Told about every candidate frame that was thrown away (bad checksum, bad end marker, cut off). */
  onReject?: (error: ProtocolError) => void;
}

/**
 * Turns BLE notification chunks (20 bytes at ATT MTU 23) back into whole, checksum-verified frames.
 *
 * Frames are cut by their length byte, never by "ends with 0x77" (a data byte may be 0x77, PROTOCOL 1.3). Bytes that
 * cannot start a frame (junk, UP16S `02 51 … a1` telemetry, `FF AA` auth replies) are skipped up to the next 0xDD.
 * A candidate whose checksum or end marker is wrong is reported and the scan resumes at the byte after its 0xDD, so a
 * good frame hiding inside a bogus candidate's window is still found. A candidate that is still incomplete is given
 * up as "truncated" as soon as a later 0xDD begins a whole, valid frame: real links deliver frames cut off by the
 * next frame's header (PROTOCOL 7), and waiting for the missing bytes would hold the next reply hostage.
 *
 * Memory is bounded: after every push at most one incomplete frame (< 262 bytes) is kept.
 */
const NOTHING = new Uint8Array(0);

export class FrameAssembler {
  #pending: Uint8Array = NOTHING;
  readonly #onReject: ((error: ProtocolError) => void) | undefined;

  constructor(options: FrameAssemblerOptions = {}) {
    this.#onReject = options.onReject;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** Forgets any partial frame, e.g. after a reconnect or before a new request. */
  reset(): void {
    this.#pending = NOTHING;
  }

  /**
   * Adds one chunk and returns every frame it completes, in stream order. Never throws on any bytes; an argument
   * that is not a Uint8Array or Buffer is a TypeError, and the assembler keeps what it held.
   */
  push(chunk: Uint8Array): Frame[] {
    assertBytes(chunk, "FrameAssembler.push()");
    // A fresh copy: the caller's chunk (often a Buffer from a reused pool) is never aliased.
    const bytes = new Uint8Array(this.#pending.length + chunk.length);
    bytes.set(this.#pending, 0);
    bytes.set(chunk, this.#pending.length);

    const frames: Frame[] = [];
    const rejected: ProtocolError[] = [];
    let position = 0;
    for (;;) {
      const start = bytes.indexOf(FRAME_START, position);
      if (start < 0) {
        position = bytes.length;
        break;
      }
      position = start;
      if (bytes.length - start < HEADER_LENGTH) break;
      const end = start + declaredFrameLength(bytes, start);
      if (end <= bytes.length) {
        const result = checkFrameAt(bytes, start);
        if (typeof result === "string") {
          rejected.push(badFrame(result, bytes.subarray(start, end)));
          position = start + 1;
        } else {
          frames.push(result);
          position = end;
        }
        continue;
      }
      const next = firstWholeFrameAfter(bytes, start);
      if (next === undefined) break;
      rejected.push(truncatedFrame(bytes.subarray(start, next), end - start));
      position = next;
    }
    // A copy of the remainder only, so a large chunk is not kept alive by a small view into it.
    this.#pending = position >= bytes.length ? NOTHING : bytes.slice(position);

    // Reported only once the state is consistent, so a throwing callback cannot corrupt the assembler.
    if (this.#onReject !== undefined) for (const error of rejected) this.#onReject(error);
    return frames;
  }
}

/** Start of the first whole, valid frame after `start`, if the buffered bytes already hold one. */
function firstWholeFrameAfter(bytes: Uint8Array, start: number): number | undefined {
  for (let candidate = bytes.indexOf(FRAME_START, start + 1); candidate >= 0; ) {
    if (bytes.length - candidate < HEADER_LENGTH) return undefined;
    const end = candidate + declaredFrameLength(bytes, candidate);
    if (end <= bytes.length && typeof checkFrameAt(bytes, candidate) !== "string") return candidate;
    candidate = bytes.indexOf(FRAME_START, candidate + 1);
  }
  return undefined;
}

function badFrame(reason: "tail" | "checksum", candidate: Uint8Array): ProtocolError {
  const hex = toHex(candidate);
  const why = reason === "tail" ? "no 0x77 end marker where the length byte puts it" : "checksum mismatch";
  return new ProtocolError("BAD_FRAME", reason, `discarded a bad frame (${why}): ${hex}`, { details: { frame: hex } });
}

function truncatedFrame(fragment: Uint8Array, declaredLength: number): ProtocolError {
  const hex = toHex(fragment);
  return new ProtocolError(
    "BAD_FRAME",
    "truncated",
    `discarded a frame cut off after ${fragment.length} of ${declaredLength} bytes by the next frame: ${hex}`,
    { details: { frame: hex } },
  );
}
