import type { BleLink } from "../ble/ble-link";
import { BmsError, toBmsError } from "../errors";
import {
  type BmsPayload,
  buildPayload,
  checkStatus,
  decodeBasicInfo,
  decodeCellVoltages,
  decodeHardwareVersion,
  encodeExitFactoryRequest,
  encodeMosRequest,
  encodeReadRequest,
  type Frame,
  FrameAssembler,
  isRequestEcho,
  type MosState,
  needsPairingError,
  type ProtocolError,
  Register,
  toHex,
} from "../protocol";

export interface SessionOptions {
  commandTimeoutMs: number;
  /** trace: every frame in and out, in hex; absent when trace logging is off, so no hex text is built. */
  trace?: ((message: string) => void) | undefined;
  /**
   * Asked once, when the link's first request went unanswered twice (the step of link setup the pool keeps for a
   * module that may want the FF AA password, PROTOCOL 5.2 b): "ask again" sends the request again as usual, "give up"
   * lets its RESPONSE_TIMEOUT stand, and a throw ends the request with that error instead.
   */
  onSilentStart?: ((signal?: AbortSignal) => Promise<"ask again" | "give up">) | undefined;
}

export interface MosChange {
  /** FET state read back after the write (or the unchanged state when nothing was written). */
  state: MosState;
  /** FET state read before. */
  previous: MosState;
  /** The software-lock state asked of the BMS (desired ON states), to remember for the next command. */
  requested: MosState;
  written: boolean;
}

interface PendingRequest {
  register: number;
  request: Uint8Array;
  resolve(frame: Frame): void;
  reject(error: BmsError): void;
}

/**
 * A conversation with one BMS over one link. The BMS does not tag its replies, so exactly one request is in
 * flight and a reply is taken only if its register byte equals the request's; anything else (a duplicate, a late
 * reply, a stray frame) is discarded, never decoded as the answer to another request.
 *
 * One request in flight is the pool's lease's doing, not this class's: the pool runs one operation per link at a
 * time, and each operation awaits every request before the next. A second request while one is pending is a bug
 * above, so it is refused loudly rather than queued (see sendAndAwait).
 */
export class BmsSession {
  private readonly link: BleLink;
  private readonly commandTimeoutMs: number;
  private readonly trace: ((message: string) => void) | undefined;
  private readonly assembler: FrameAssembler;
  private readonly removeHandlers: Array<() => void>;
  private pending: PendingRequest | null = null;
  /** What the assembler threw away while taking the current chunk; weighed after that chunk's whole frames. */
  private rejectedInChunk: ProtocolError[] = [];
  /** 0x05 is read once per connection; undefined = not read yet, null = the BMS has none. */
  private hardwareVersion: string | null | undefined;
  private ended: BmsError | null = null;
  /** Until the link's first request has been made: what to do when it goes unanswered (SessionOptions). */
  private onSilentStart: SessionOptions["onSilentStart"];

  constructor(link: BleLink, options: SessionOptions) {
    this.link = link;
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.trace = options.trace;
    this.onSilentStart = options.onSilentStart;
    this.assembler = new FrameAssembler({ onReject: (error) => this.rejectedInChunk.push(error) });
    this.removeHandlers = [link.onData((chunk) => this.onChunk(chunk)), link.onClose((reason) => this.end(reason))];
  }

  get address(): string {
    return this.link.address;
  }

  /**
   * Reads 0x03 and 0x04 (and 0x05 once per connection) and builds the bms-poll payload. A pair whose cell counts
   * disagree (BAD_FRAME from buildPayload) is read again once, as a damaged reply is (see request()).
   */
  async poll(): Promise<BmsPayload> {
    for (let attempt = 1; ; attempt++) {
      const basic = decodeBasicInfo(await this.request(encodeReadRequest(Register.BasicInfo), Register.BasicInfo));
      const cells = decodeCellVoltages(
        await this.request(encodeReadRequest(Register.CellVoltages), Register.CellVoltages),
      );
      try {
        return buildPayload(basic, cells, await this.readHardwareVersion());
      } catch (error) {
        if (!(error instanceof BmsError) || error.code !== "BAD_FRAME" || attempt >= ATTEMPTS_PER_REQUEST) throw error;
        this.trace?.(`${this.address}: ${error.message}; reading both again`);
      }
    }
  }

  /**
   * Switches the MOSFETs (DESIGN 4.6): read 0x03 -> merge the fields left out -> nothing to do if unchanged ->
   * write 0xE1, expect the ack -> exit factory mode as the phone app does, expect its ack -> read 0x03 again and
   * compare. `remembered` is the software-lock state last asked of this battery: a port left out keeps *that*,
   * not the FET bit, because a FET that is off by protection must not get software-locked too (PROTOCOL 5.1).
   *
   * An aborted `signal` stops the command before anything is written: it is checked right before each request goes
   * to the link. Once the 0xE1 write is on the wire the switch may have happened, so its acknowledgement is awaited
   * and the state read back as usual, but nothing more is written: not the write's retry, not "exit factory mode".
   */
  async setMos(desired: Partial<MosState>, remembered?: MosState, signal?: AbortSignal): Promise<MosChange> {
    const before = decodeBasicInfo(
      await this.request(encodeReadRequest(Register.BasicInfo), Register.BasicInfo, signal),
    );
    const previous = before.mos;
    const keep = (port: keyof MosState): boolean => {
      if (remembered) return remembered[port];
      // Without a lock of ours on record, a port is software-locked only if the BMS says a lock is active.
      return before.protection.mosSoftwareLock ? previous[port] : true;
    };
    const requested: MosState = {
      charge: desired.charge ?? keep("charge"),
      discharge: desired.discharge ?? keep("discharge"),
    };
    const target: MosState = {
      charge: desired.charge ?? previous.charge,
      discharge: desired.discharge ?? previous.discharge,
    };
    if (target.charge === previous.charge && target.discharge === previous.discharge) {
      return { state: previous, previous, requested, written: false };
    }
    await this.request(encodeMosRequest(requested), Register.MosControl, signal);
    await this.request(encodeExitFactoryRequest(), Register.FactoryModeExit, signal).catch((error: unknown) => {
      // Cancelled after the switch was written: skip the courtesy write, still read back what the BMS did.
      if (!signal?.aborted || error !== signal.reason) throw error;
    });
    const after = decodeBasicInfo(await this.request(encodeReadRequest(Register.BasicInfo), Register.BasicInfo));
    const state = after.mos;
    if (state.charge !== target.charge || state.discharge !== target.discharge) {
      throw new BmsError(
        "MOS_NOT_CONFIRMED",
        `${this.address} acknowledged the switch but reads back charge ${onOff(state.charge)}, discharge ${onOff(state.discharge)}`,
        { details: { state, previous, requested: target } },
      );
    }
    return { state, previous, requested, written: true };
  }

  /** Fails the request in flight and detaches from the link (the link itself is the pool's to close). */
  dispose(reason: BmsError): void {
    this.end(reason);
  }

  private async readHardwareVersion(): Promise<string | null> {
    if (this.hardwareVersion !== undefined) return this.hardwareVersion;
    try {
      const frame = await this.request(encodeReadRequest(Register.HardwareVersion), Register.HardwareVersion);
      this.hardwareVersion = decodeHardwareVersion(frame);
    } catch (error) {
      // 0x05 is optional: clones answer it with an error status or not at all (PROTOCOL 4.2).
      if (!(error instanceof BmsError) || (error.code !== "BMS_REJECTED" && error.code !== "RESPONSE_TIMEOUT")) {
        throw error;
      }
      this.hardwareVersion = null;
    }
    return this.hardwareVersion;
  }

  /**
   * One request/reply exchange, sent a second time if the reply is lost or arrives mangled. Every request we send
   * is idempotent (reads, and writes of an absolute value), so asking again is safe, and it is what keeps a poll
   * alive through the odd lost notification instead of throwing a good link away: a sleeping BMS ignores the
   * first command that wakes it (PROTOCOL 7), and BLE replies do go missing now and then. A second failure in a
   * row fails the request; the pool then treats a timeout as a bad link. Once `signal` has aborted the request is
   * not sent again, and the first attempt's own error stands. The link's first request, unanswered both times, may
   * get two more attempts after the pool's silent-start step (SessionOptions.onSilentStart).
   */
  private request(bytes: Uint8Array, register: number, signal?: AbortSignal): Promise<Frame> {
    const onSilentStart = this.onSilentStart;
    // Every request after the link's first goes straight to its two attempts, with no extra async frame per request.
    if (onSilentStart === undefined) return this.requestTwice(bytes, register, signal);
    this.onSilentStart = undefined;
    return this.firstRequest(bytes, register, onSilentStart, signal);
  }

  /** The link's first request: unanswered twice, it waits for the pool's silent-start step (SessionOptions). */
  private async firstRequest(
    bytes: Uint8Array,
    register: number,
    onSilentStart: NonNullable<SessionOptions["onSilentStart"]>,
    signal?: AbortSignal,
  ): Promise<Frame> {
    try {
      return await this.requestTwice(bytes, register, signal);
    } catch (error) {
      const unanswered = error instanceof BmsError && error.code === "RESPONSE_TIMEOUT";
      if (!unanswered || signal?.aborted) throw error;
      if ((await onSilentStart(signal)) === "give up") throw error;
      this.trace?.(`${this.address}: asking register 0x${hexByte(register)} again after the silent start`);
      return await this.requestTwice(bytes, register, signal);
    }
  }

  private async requestTwice(bytes: Uint8Array, register: number, signal?: AbortSignal): Promise<Frame> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendAndAwait(bytes, register, signal);
      } catch (error) {
        const retryable =
          error instanceof BmsError && (error.code === "RESPONSE_TIMEOUT" || error.code === "BAD_FRAME");
        if (!retryable || attempt >= ATTEMPTS_PER_REQUEST || signal?.aborted) throw error;
        this.trace?.(`${this.address}: ${error.code} for register 0x${hexByte(register)}; asking again`);
      }
    }
  }

  private sendAndAwait(bytes: Uint8Array, register: number, signal?: AbortSignal): Promise<Frame> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.pending) {
      return Promise.reject(
        new Error(`BmsSession: a request to ${this.address} while another is in flight (the lease allows one)`),
      );
    }
    // The last moment a cancelled command can be stopped: from here to link.write nothing waits.
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle();
        reject(
          new BmsError(
            "RESPONSE_TIMEOUT",
            `${this.address} did not answer register 0x${hexByte(register)} within ${this.commandTimeoutMs} ms`,
          ),
        );
      }, this.commandTimeoutMs);
      const settle = () => {
        clearTimeout(timer);
        if (this.pending === pending) this.pending = null;
      };
      const pending: PendingRequest = {
        register,
        request: bytes,
        resolve: (frame) => {
          settle();
          resolve(frame);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      this.pending = pending;
      // Whatever part of a frame is still buffered belongs to an exchange that is over (a reply cut short, a late
      // one): it must not be completed by, or reported against, the reply to this request.
      this.assembler.reset();
      this.trace?.(`${this.address} >> ${toHex(bytes)}`);
      this.link.write(bytes, this.commandTimeoutMs).catch((error: unknown) => {
        if (this.pending === pending) pending.reject(toBmsError(error, "LINK_LOST"));
      });
    });
  }

  private onChunk(chunk: Uint8Array): void {
    this.rejectedInChunk = [];
    const frames = this.assembler.push(chunk);
    // A whole reply in this chunk answers the request even when a damaged fragment before it was thrown away.
    for (const frame of frames) this.onFrame(frame);
    for (const reason of this.rejectedInChunk) this.onRejectedBytes(reason);
  }

  private onFrame(frame: Frame): void {
    this.trace?.(`${this.address} << ${toHex(frame.raw)}`);
    const pending = this.pending;
    if (!pending) {
      this.trace?.(`${this.address}: discarded a frame for register 0x${hexByte(frame.register)}: no request waiting`);
      return;
    }
    if (isRequestEcho(frame, pending.request)) {
      pending.reject(needsPairingError(pending.request, this.address));
      return;
    }
    if (frame.register !== pending.register) {
      this.trace?.(
        `${this.address}: discarded a frame for register 0x${hexByte(frame.register)} while waiting for 0x${hexByte(pending.register)}`,
      );
      return;
    }
    try {
      checkStatus(frame);
    } catch (error) {
      pending.reject(toBmsError(error, "BMS_REJECTED"));
      return;
    }
    pending.resolve(frame);
  }

  /**
   * Bytes the assembler threw away (bad checksum or end marker, e.g. a frame cut short) fail the request waiting, and
   * only that one, when they were its reply: their register byte is the one asked for. A damaged remnant of some
   * other frame (a late or repeated reply to an earlier request) says nothing about the reply still on its way.
   */
  private onRejectedBytes(error: ProtocolError): void {
    this.trace?.(`${this.address}: rejected bytes: ${error.message}`);
    const pending = this.pending;
    if (!pending) return;
    if (error.register !== undefined && error.register !== pending.register) return;
    pending.reject(error);
  }

  private end(reason: BmsError): void {
    if (this.ended) return;
    this.ended = reason;
    for (const remove of this.removeHandlers.splice(0)) remove();
    this.pending?.reject(reason);
  }
}

/** One retry per request: see request(). */
const ATTEMPTS_PER_REQUEST = 2;

function hexByte(value: number): string {
  return value.toString(16).padStart(2, "0");
}

function onOff(on: boolean): string {
  return on ? "on" : "off";
}
