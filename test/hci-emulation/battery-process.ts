import { type ChildProcess, fork } from "node:child_process";
import * as path from "node:path";
import type { BatteryState } from "../../src/sim";
import { emulatedHciEnv } from "./socket-injection";

/** Which battery of a SimWorld a bleno process plays (same seed, count and cells = the same pack as the simulator). */
export interface BlenoBatteryOptions {
  index: number;
  batteries: number;
  cells: number;
  seed: number;
  /** Its Bluetooth module wants the FF AA handshake with this password on every link (src/sim/module-auth). */
  password?: string;
}

export type BatteryMessage =
  | { kind: "ready"; address: string; name: string }
  /** The battery cannot advertise: its controller went away, or bleno refused to advertise. */
  | { kind: "failed"; reason: string }
  | { kind: "link"; connected: boolean; central: string }
  | { kind: "state"; state: BatteryState; requests: number; handshakes: number };
export type BatteryRequest = { kind: "state" };

const SCRIPT = path.join(__dirname, "bleno-battery.js");

/** A bleno battery in its own process on its own emulated controller, seen from the test. */
export class BatteryProcess {
  readonly address: string;
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcess, ready: { address: string; name: string }, exited: Promise<void>) {
    this.child = child;
    this.address = ready.address;
    this.name = ready.name;
    this.exited = exited;
  }

  /**
   * Starts the battery and resolves once it advertises, with the address its controller got; rejects as soon as it
   * cannot (the process ended, its controller went away, bleno refused to advertise). There is no time limit: the
   * start needs about 0.1 s of CPU, but how long that takes depends on the CPU share the whole test run gets on a
   * busy machine, and a limit in seconds failed there while the battery was merely waiting for a CPU.
   */
  static async start(server: string, options: BlenoBatteryOptions): Promise<BatteryProcess> {
    const child = fork(SCRIPT, [JSON.stringify(options)], {
      env: emulatedHciEnv(server),
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const ready = await new Promise<{ address: string; name: string }>((resolve, reject) => {
      const onMessage = (message: BatteryMessage) => {
        if (message.kind === "failed") {
          child.kill("SIGKILL");
          reject(new Error(`bleno battery ${options.index} cannot advertise: ${message.reason}`));
        }
        if (message.kind !== "ready") return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(message);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        reject(new Error(`bleno battery ${options.index} exited before advertising (${code ?? signal})`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
    return new BatteryProcess(child, ready, exited);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * The virtual battery's state (MOS lock, readings), how many requests it has answered and, with a module password,
   * on how many links the FF AA handshake succeeded.
   */
  state(): Promise<{ state: BatteryState; requests: number; handshakes: number }> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: BatteryMessage) => {
        if (message.kind !== "state") return;
        this.child.off("message", onMessage);
        this.child.off("exit", onExit);
        resolve(message);
      };
      const onExit = () => {
        this.child.off("message", onMessage);
        reject(new Error(`bleno battery ${this.address} ended before reporting its state`));
      };
      if (!this.running) {
        onExit();
        return;
      }
      this.child.on("message", onMessage);
      this.child.once("exit", onExit);
      this.child.send({ kind: "state" } satisfies BatteryRequest);
    });
  }

  /** The battery vanishes: its process and controller are gone at once, without a word on the air. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }
}
