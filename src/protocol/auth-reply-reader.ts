import {
  AUTH_HEADER_LENGTH,
  AUTH_OVERHEAD,
  AUTH_START,
  type AuthReply,
  checkAuthReplyAt,
  hasAuthHeaderAt,
  MAX_AUTH_REPLY_DATA,
} from "./auth";
import { toHex } from "./frame";
import { assertBytes } from "./parse-frame";
import { ProtocolError } from "./protocol-error";

export interface AuthReplyReaderOptions {
  /** Told about every FF AA candidate that was thrown away (bad checksum, a length no reply has). */
  onReject?: (error: ProtocolError) => void;
}

const NOTHING = new Uint8Array(0);

/**
 * Picks FF AA authentication replies out of the notification stream that also carries DD frames, so a session can
 * feed every notification to both this reader and its FrameAssembler while it authenticates: the assembler skips the
 * FF AA bytes, this reader skips everything but them. Replies may arrive split across notifications.
 *
 * A reply is at most 6 bytes (`FF AA cmd 01 byte cs`), so a header that announces more data is no reply and is
 * skipped at once: no false header can hold real replies back, and at most 5 bytes are kept between pushes. An FF AA
 * inside a DD frame's data is read as a reply only if its checksum happens to match; callers match replies by
 * command, as the session matches DD frames by register.
 */
export class AuthReplyReader {
  #pending: Uint8Array = NOTHING;
  readonly #onReject: ((error: ProtocolError) => void) | undefined;

  constructor(options: AuthReplyReaderOptions = {}) {
    this.#onReject = options.onReject;
  }

  /** Bytes held back waiting for the rest of a reply. */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** Forgets a partial reply, e.g. after a reconnect. */
  reset(): void {
    this.#pending = NOTHING;
  }

  /**
   * Adds one notification and returns every reply it completes, in stream order. Never throws on any bytes; an
   * argument that is not a Uint8Array or Buffer is a TypeError, as for FrameAssembler.push, and nothing held is lost.
   */
  push(chunk: Uint8Array): AuthReply[] {
    assertBytes(chunk, "AuthReplyReader.push()");
    const bytes = new Uint8Array(this.#pending.length + chunk.length);
    bytes.set(this.#pending, 0);
    bytes.set(chunk, this.#pending.length);

    const replies: AuthReply[] = [];
    const rejected: ProtocolError[] = [];
    let position = 0;
    for (;;) {
      const start = nextHeader(bytes, position);
      position = start;
      if (bytes.length - start < AUTH_HEADER_LENGTH) break;
      const dataLength = bytes[start + 3] as number;
      if (dataLength > MAX_AUTH_REPLY_DATA) {
        rejected.push(badReply("length", bytes.subarray(start, start + AUTH_HEADER_LENGTH)));
        position = start + 1;
        continue;
      }
      const end = start + dataLength + AUTH_OVERHEAD;
      if (end > bytes.length) break;
      const result = checkAuthReplyAt(bytes, start);
      if (typeof result === "string") {
        rejected.push(badReply(result, bytes.subarray(start, end)));
        position = start + 1;
      } else {
        replies.push(result);
        position = end;
      }
    }
    // A copy of the remainder only, so a large chunk is not kept alive by a view into it.
    this.#pending = position >= bytes.length ? NOTHING : bytes.slice(position);

    // Reported only once the state is consistent, so a throwing callback cannot corrupt the reader.
    if (this.#onReject !== undefined) for (const error of rejected) this.#onReject(error);
    return replies;
  }
}

/**
 * Index of the next FF AA header at or after `from`; a lone FF as the very last byte may begin one, so it counts;
 * with none, the end of the bytes.
 */
function nextHeader(bytes: Uint8Array, from: number): number {
  for (let at = bytes.indexOf(AUTH_START, from); at >= 0; at = bytes.indexOf(AUTH_START, at + 1)) {
    if (at === bytes.length - 1 || hasAuthHeaderAt(bytes, at)) return at;
  }
  return bytes.length;
}

function badReply(reason: "length" | "checksum", candidate: Uint8Array): ProtocolError {
  const hex = toHex(candidate);
  const why = reason === "length" ? "a length no reply has" : "checksum mismatch";
  return new ProtocolError("BAD_FRAME", reason, `discarded a bad FF AA reply (${why}): ${hex}`, {
    details: { frame: hex },
  });
}
