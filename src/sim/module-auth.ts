import {
  AuthCommand,
  AuthStatus,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeAuthReply,
  encodeAuthRoot,
  isAuthPassword,
  parseAuthFrame,
} from "../protocol/auth";

/**
 * The FF AA side of a password-protected JBD Bluetooth module, for one link (PROTOCOL 5.2 b): it relays nothing to the
 * BMS until the central has sent the app key "000000", then the password and then the root password, each encrypted
 * with this module's address and the random byte of the module's last 0x17 reply. A wrong password or root password
 * gets a NACK (status 01) and the link stays closed to DD traffic; a new 0x17 draws a fresh random byte. The root
 * password may use the same random byte as the password (the 2024 capture does) or a fresh one (the 2025 capture).
 * The expected frames come from the package's own encoders, so the module and the central share one derivation, the
 * one the ten vectors of PROTOCOL 5.2 check. FF AA commands the simulator does not model (0x16 set password, 0x07
 * rename) get no reply.
 */
export class ModuleAuth {
  #random: number | null = null;
  #appKeyAccepted = false;
  #passwordAccepted = false;
  #open = false;

  /**
   * `address` is the module's public address, `password` its 6-character user password, `nextRandom` the source of
   * the random bytes (the simulator's seeded generator).
   */
  constructor(
    private readonly address: string,
    private readonly password: string,
    private readonly nextRandom: () => number,
  ) {
    if (!isAuthPassword(password)) {
      throw new TypeError("a simulated module password must be exactly 6 printable ASCII characters");
    }
  }

  /** True once the whole handshake has succeeded: the module relays DD frames to the BMS. */
  get open(): boolean {
    return this.#open;
  }

  /** The module's reply to one FF AA frame from the central, or null when it ignores the frame. */
  respond(request: Uint8Array): Uint8Array | null {
    const frame = parseAuthFrame(request);
    if (frame === null) return null;
    switch (frame.command) {
      case AuthCommand.AppKey:
        this.#appKeyAccepted = sameBytes(request, encodeAuthAppKey());
        return this.status(AuthCommand.AppKey, this.#appKeyAccepted);
      case AuthCommand.RandomRequest:
        this.#random = this.nextRandom() & 0xff;
        return encodeAuthReply(AuthCommand.RandomRequest, this.#random);
      case AuthCommand.Password:
        this.#passwordAccepted =
          this.#appKeyAccepted &&
          this.#random !== null &&
          sameBytes(request, encodeAuthPassword(this.address, this.password, this.#random));
        return this.status(AuthCommand.Password, this.#passwordAccepted);
      case AuthCommand.Root:
        this.#open =
          this.#passwordAccepted &&
          this.#random !== null &&
          sameBytes(request, encodeAuthRoot(this.address, this.#random));
        return this.status(AuthCommand.Root, this.#open);
      default:
        return null;
    }
  }

  private status(command: number, accepted: boolean): Uint8Array {
    return encodeAuthReply(command, accepted ? AuthStatus.Accepted : AuthStatus.Rejected);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
