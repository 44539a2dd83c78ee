import type { BleLink } from "../ble/ble-link";
import { BmsError, toBmsError } from "../errors";
import {
  AuthCommand,
  type AuthReply,
  AuthReplyReader,
  AuthStatus,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeAuthRandomRequest,
  encodeAuthRoot,
  toHex,
} from "../protocol";

/**
 * The FF AA authentication of newer JBD Bluetooth modules over one link (PROTOCOL 5.2 b), for the pool's link setup:
 * the whole handshake when a password is configured for the battery, or the app key alone to learn whether a silent
 * module wants one. The frames come from ./protocol; this file only talks: one frame out, its reply awaited for the
 * command timeout, the next one after it.
 */

export interface HandshakeOptions {
  /** How long each reply may take (the adapter's reply timeout). */
  commandTimeoutMs: number;
  /** Ends the handshake with its reason: the connect was given up (a release, the pool closing, a node closing). */
  signal?: AbortSignal | undefined;
  /** trace: every FF AA frame in and out, in hex, except the encrypted password. */
  trace?: ((message: string) => void) | undefined;
}

/** How a handshake ended when it did not fail. */
export type HandshakeOutcome =
  /** The module took the password and the root password: it relays DD frames now. */
  | "authenticated"
  /** The module answered the app key with "no password": nothing more to do. */
  | "no password needed"
  /** No answer to the app key within the command timeout: a module without FF AA. */
  | "no answer";

/**
 * The whole handshake with `password`: app key, random byte, password, a fresh random byte, root password (the fresh
 * byte is what ESPHome and the 2025 capture do, and a module that does not need it still answers). A module that does
 * not answer the app key has no FF AA, which is no failure: polling starts as usual. Throws PASSWORD_REJECTED when
 * the module refuses a step, RESPONSE_TIMEOUT when it stops answering after it answered the app key, LINK_LOST, or
 * the signal's reason.
 */
export async function authenticate(
  link: BleLink,
  password: string,
  options: HandshakeOptions,
): Promise<HandshakeOutcome> {
  const talk = new AuthTalk(link, options);
  try {
    const appKey = await talk.ask(encodeAuthAppKey(), AuthCommand.AppKey, "app key");
    if (appKey === null) return "no answer";
    if (appKey.status === AuthStatus.NoPassword) return "no password needed";
    if (appKey.status !== AuthStatus.Accepted) throw refused(link.address, "the FF AA app key");
    const first = await talk.expect(encodeAuthRandomRequest(), AuthCommand.RandomRequest, "random byte");
    const passwordFrame = encodeAuthPassword(link.address, password, first.random as number);
    const taken = await talk.expect(passwordFrame, AuthCommand.Password, "password", { secret: true });
    if (taken.status !== AuthStatus.Accepted) {
      throw new BmsError(
        "PASSWORD_REJECTED",
        `the Bluetooth module of ${link.address} refused the password set in the BMS adapter's Module password ` +
          "field: correct it there",
      );
    }
    const fresh = await talk.expect(encodeAuthRandomRequest(), AuthCommand.RandomRequest, "random byte");
    const root = await talk.expect(encodeAuthRoot(link.address, fresh.random as number), AuthCommand.Root, "root");
    if (root.status !== AuthStatus.Accepted) throw refused(link.address, "the FF AA root password");
    return "authenticated";
  } finally {
    talk.dispose();
  }
}

/**
 * Sends the app key once, on a link with no password configured whose first request went unanswered twice: resolves
 * "no password needed" (status 02) or "no answer" (no FF AA either: the module or the BMS is silent for another
 * reason), and throws PASSWORD_REQUIRED when the module wants a password (any other status), or LINK_LOST or the
 * signal's reason.
 */
export async function askWhetherPasswordNeeded(
  link: BleLink,
  options: HandshakeOptions,
): Promise<Exclude<HandshakeOutcome, "authenticated">> {
  const talk = new AuthTalk(link, options);
  try {
    const appKey = await talk.ask(encodeAuthAppKey(), AuthCommand.AppKey, "app key");
    if (appKey === null) return "no answer";
    if (appKey.status === AuthStatus.NoPassword) return "no password needed";
    throw passwordRequired(link.address);
  } finally {
    talk.dispose();
  }
}

/** PASSWORD_REQUIRED for a battery, saying where the password is set. */
export function passwordRequired(address: string): BmsError {
  return new BmsError(
    "PASSWORD_REQUIRED",
    `the Bluetooth module of ${address} wants the FF AA password before it passes anything to the BMS: set it in ` +
      `the BMS adapter's Module password field (one password for every battery, or ${address}=<password>)`,
  );
}

function refused(address: string, what: string): BmsError {
  return new BmsError(
    "PASSWORD_REJECTED",
    `the Bluetooth module of ${address} refused ${what}, which the known modules accept: its handshake is not the one ` +
      "this package speaks",
  );
}

interface Waiting {
  command: number;
  answer(reply: AuthReply): void;
  fail(error: unknown): void;
}

/**
 * FF AA exchanges on one link, one at a time: its own AuthReplyReader on the link's notifications (the session's
 * FrameAssembler skips these bytes), a reply matched by its command byte, and every listener removed by dispose().
 */
class AuthTalk {
  private readonly reader: AuthReplyReader;
  private readonly removeHandlers: Array<() => void>;
  private waiting: Waiting | null = null;
  private closed: BmsError | null = null;

  constructor(
    private readonly link: BleLink,
    private readonly options: HandshakeOptions,
  ) {
    this.reader = new AuthReplyReader({ onReject: (error) => options.trace?.(`${link.address}: ${error.message}`) });
    this.removeHandlers = [link.onData((chunk) => this.onChunk(chunk)), link.onClose((reason) => this.onClose(reason))];
  }

  /**
   * Sends `frame` and resolves with the reply to `command`, or null when none came within the command timeout. A
   * `secret` frame (the encrypted password, which the address and the random byte in the log would give away) is
   * traced by its command only.
   */
  ask(frame: Uint8Array, command: number, step: string, { secret = false } = {}): Promise<AuthReply | null> {
    const { commandTimeoutMs, signal, trace } = this.options;
    if (this.closed) return Promise.reject(this.closed);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<AuthReply | null>((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (this.waiting === waiting) this.waiting = null;
        settle();
      };
      const waiting: Waiting = {
        command,
        answer: (reply) => finish(() => resolve(reply)),
        fail: (error) => finish(() => reject(error)),
      };
      const timer = setTimeout(() => finish(() => resolve(null)), commandTimeoutMs);
      const onAbort = () => waiting.fail(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting = waiting;
      trace?.(
        `${this.link.address} >> ${secret ? `${toHex(frame.subarray(0, 4))}… (FF AA ${step}, not logged)` : toHex(frame)}`,
      );
      this.link.write(frame, commandTimeoutMs).catch((error: unknown) => {
        if (this.waiting === waiting) waiting.fail(toBmsError(error, "LINK_LOST"));
      });
    });
  }

  /** As ask, but a missing reply is RESPONSE_TIMEOUT: the module answered the app key, so it speaks FF AA. */
  async expect(frame: Uint8Array, command: number, step: string, options?: { secret?: boolean }): Promise<AuthReply> {
    const reply = await this.ask(frame, command, step, options);
    if (reply !== null) return reply;
    throw new BmsError(
      "RESPONSE_TIMEOUT",
      `${this.link.address} did not answer the FF AA ${step} within ${this.options.commandTimeoutMs} ms`,
    );
  }

  dispose(): void {
    for (const remove of this.removeHandlers.splice(0)) remove();
  }

  private onChunk(chunk: Uint8Array): void {
    for (const reply of this.reader.push(chunk)) {
      this.options.trace?.(
        `${this.link.address} << FF AA reply to 0x${reply.command.toString(16)}: ${describe(reply)}`,
      );
      if (this.waiting?.command === reply.command) this.waiting.answer(reply);
    }
  }

  private onClose(reason: BmsError): void {
    this.closed = reason;
    this.waiting?.fail(reason);
  }
}

function describe(reply: AuthReply): string {
  return reply.random !== undefined ? `random 0x${reply.random.toString(16)}` : `status ${reply.status ?? "none"}`;
}
