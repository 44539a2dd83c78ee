// Long file: it implements every method of the noble bindings interface (one-line forwards to the child process),
// which belong beside the child's life cycle they depend on (start, restart with backoff, suspend, dispose).
import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter } from "node:events";
import * as path from "node:path";
import {
  type AdapterState,
  type BINDINGS_METHODS,
  BINDINGS_UNAVAILABLE_EVENT,
  type NobleBindings,
  type RestartableBindings,
} from "../../bindings/noble-bindings";
import {
  type CallMessage,
  type ChildToParent,
  decodeValue,
  encodeHostArgument,
  encodeValue,
  type HostTarget,
  isChildToParent,
} from "./ipc-protocol";
import { registerHost, type StoppableHost, unregisterHost } from "./process-exit-hooks";

export interface HostBindingsOptions {
  /** First delay before restarting a child that died; doubles per consecutive death up to restartMaxMs. */
  restartInitialMs?: number;
  restartMaxMs?: number;
  /** How long dispose() waits after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /**
   * How long the child may report the adapter off before it is replaced: a raw HCI socket whose adapter went away
   * (a dongle unplugged and plugged back in) never binds again, so only a fresh process brings it back.
   */
  adapterOffRestartMs?: number;
}

export const DEFAULT_HOST_OPTIONS: Readonly<Required<HostBindingsOptions>> = {
  restartInitialMs: 1_000,
  restartMaxMs: 30_000,
  killGraceMs: 2_000,
  adapterOffRestartMs: 10_000,
};

/** Disconnect reason reported for links that died with the host (HCI 0x08, connection timeout). */
export const HOST_LOST_REASON = 0x08;

const HOST_SCRIPT = path.join(__dirname, "host-process.js");

/**
 * Extension events, not part of noble (which ignores them), for logs and tests: "hostStart" when a child is up,
 * "hostExit" when it has gone, with when (if ever) the next one starts.
 */
export const HOST_START_EVENT = "hostStart";
export const HOST_EXIT_EVENT = "hostExit";
/** "hostRestart": the child is being replaced because its HCI state can no longer be trusted (restartAdapter). */
export const HOST_RESTART_EVENT = "hostRestart";
export interface HostRestartEvent {
  pid: number | undefined;
  reason: string;
}
export interface HostStartEvent {
  pid: number | undefined;
}
export interface HostExitEvent {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Delay before the restart, or undefined when the host was disposed. */
  restartInMs: number | undefined;
}

/**
 * Noble bindings that live in a child process (DESIGN 7): what noble in the Node-RED process talks to when the
 * adapter is real HCI (or the simulator with `inHost`). Method calls go to the child over IPC; the child's
 * bindings events are re-emitted here.
 *
 * When the child dies, every link it held is gone: this object emits stateChange("poweredOff") and a disconnect
 * (or failed connect) for each peripheral it knows to be connected (or connecting), so noble's peripherals agree,
 * then restarts the child with backoff. The new child initialises its adapter and reports poweredOn again. A child
 * that reports the adapter unavailable is restarted on the same backoff (a fix such as setcap works in a fresh
 * process), never in a hot loop, and `unavailableMessage` keeps the reason until the adapter is poweredOn.
 */
export class HostBindings extends EventEmitter implements NobleBindings, RestartableBindings, StoppableHost {
  private readonly target: HostTarget;
  private readonly options: Required<HostBindingsOptions>;
  private child: ChildProcess | undefined;
  private started = false;
  /** Stopped by suspend() or dispose(): a child that ends is not restarted. */
  private stopped = false;
  /** Stopped for good by dispose(): resume() no longer starts a child. */
  private disposed = false;
  /** resume() came while the previous child was still exiting: start the next one as soon as it has gone. */
  private respawnOnExit = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** The child being replaced by restartAdapter(): after its links are reported lost, the adapter is "resetting". */
  private replacing: ChildProcess | undefined;
  /** Runs while the child reports the adapter off; replaces the child when the adapter stays off too long. */
  private offTimer: ReturnType<typeof setTimeout> | undefined;
  private nextRestartMs: number;
  private state: AdapterState = "unknown";
  private scanning = false;
  private readonly connected = new Set<string>();
  private readonly connecting = new Set<string>();
  private reason: string | undefined;
  private stopping: Promise<void> | undefined;

  constructor(target: HostTarget, options: HostBindingsOptions = {}) {
    super();
    this.target = target;
    this.options = { ...DEFAULT_HOST_OPTIONS, ...options };
    this.nextRestartMs = this.options.restartInitialMs;
  }

  /** Why the adapter cannot be used, until it reports poweredOn (ADAPTER_UNAVAILABLE text). */
  get unavailableMessage(): string | undefined {
    return this.reason;
  }

  /** Process id of the running child, for diagnostics and tests. */
  get childPid(): number | undefined {
    return this.child?.pid;
  }

  init(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    if (this.stopped) return; // suspended before noble first asked: resume() starts the child
    registerHost(this);
    this.spawnChild();
  }

  /** @stoprocent/noble's name for init(). */
  start(): void {
    this.init();
  }

  startScanning(serviceUuids: string[] | undefined, allowDuplicates: boolean): void {
    this.call("startScanning", [serviceUuids, allowDuplicates]);
  }
  stopScanning(): void {
    if (!this.call("stopScanning", [])) {
      // No child, no scan: noble's stopScanningAsync still waits for the event.
      process.nextTick(() => this.emit("scanStop"));
    }
  }
  setScanParameters(interval: number, window: number): void {
    this.call("setScanParameters", [interval, window]);
  }
  reset(): void {
    this.call("reset", []);
  }
  connect(peripheralUuid: string, parameters?: unknown): void {
    if (!this.call("connect", [peripheralUuid, parameters])) {
      process.nextTick(() => this.emit("connect", peripheralUuid, new Error("Bluetooth adapter host is not running")));
      return;
    }
    this.connecting.add(peripheralUuid);
  }
  cancelConnect(peripheralUuid: string, parameters?: unknown): void {
    this.connecting.delete(peripheralUuid);
    this.call("cancelConnect", [peripheralUuid, parameters]);
  }
  disconnect(peripheralUuid: string): void {
    if (!this.call("disconnect", [peripheralUuid])) {
      // The link died with the host; noble still waits for the event that ends its disconnect().
      process.nextTick(() => this.emit("disconnect", peripheralUuid, HOST_LOST_REASON));
    }
  }
  updateRssi(peripheralUuid: string): void {
    this.call("updateRssi", [peripheralUuid]);
  }
  discoverServices(peripheralUuid: string, uuids: string[]): void {
    this.call("discoverServices", [peripheralUuid, uuids]);
  }
  discoverIncludedServices(peripheralUuid: string, serviceUuid: string, serviceUuids: string[]): void {
    this.call("discoverIncludedServices", [peripheralUuid, serviceUuid, serviceUuids]);
  }
  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids: string[]): void {
    this.call("discoverCharacteristics", [peripheralUuid, serviceUuid, characteristicUuids]);
  }
  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    this.call("read", [peripheralUuid, serviceUuid, characteristicUuid]);
  }
  write(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    data: Buffer,
    withoutResponse: boolean,
  ): void {
    const handedOver = this.call("write", [peripheralUuid, serviceUuid, characteristicUuid, data, withoutResponse]);
    // A write command is done once queued, as noble's HCI bindings report it; the child keeps their copy of this
    // event to itself (write-command-echoes.ts), so it costs no IPC message.
    if (handedOver && withoutResponse) {
      process.nextTick(() => this.emit("write", peripheralUuid, serviceUuid, characteristicUuid));
    }
  }
  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, broadcast: boolean): void {
    this.call("broadcast", [peripheralUuid, serviceUuid, characteristicUuid, broadcast]);
  }
  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, notify: boolean): void {
    this.call("notify", [peripheralUuid, serviceUuid, characteristicUuid, notify]);
  }
  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    this.call("discoverDescriptors", [peripheralUuid, serviceUuid, characteristicUuid]);
  }
  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void {
    this.call("readValue", [peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid]);
  }
  writeValue(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    descriptorUuid: string,
    data: Buffer,
  ): void {
    this.call("writeValue", [peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid, data]);
  }
  readHandle(peripheralUuid: string, handle: number): void {
    this.call("readHandle", [peripheralUuid, handle]);
  }
  writeHandle(peripheralUuid: string, handle: number, data: Buffer, withoutResponse: boolean): void {
    this.call("writeHandle", [peripheralUuid, handle, data, withoutResponse]);
  }

  /**
   * Stops the child (SIGTERM, then SIGKILL after the grace period) until resume(): what happens when the last
   * bms-adapter config node using this adapter closes, so a redeploy or delete leaves no host process behind.
   * Resolves once the child has exited; no timer, child or process hook is left behind meanwhile. Links it held are
   * reported lost as on any other death.
   */
  suspend(): Promise<void> {
    this.stopped = true;
    this.respawnOnExit = false;
    this.clearRestartTimer();
    unregisterHost(this);
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      this.stopping = undefined;
      return Promise.resolve();
    }
    this.stopping ??= this.stopChild(child).then(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  /** SIGTERM (noble's exit hook then drops the controller's links), SIGKILL after the grace period. */
  private stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const killTimer = setTimeout(() => child.kill("SIGKILL"), this.options.killGraceMs);
      child.once("exit", () => {
        clearTimeout(killTimer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  /** Starts the child again after suspend() (only once noble has initialised these bindings). */
  resume(): void {
    if (!this.stopped || this.disposed) return;
    this.stopped = false;
    if (!this.started) return;
    registerHost(this);
    // "resetting", not the poweredOff the stop left behind: the adapter is on its way up, so work that arrives now
    // waits for poweredOn (within its connect timeout) instead of failing with ADAPTER_OFF.
    this.setState("resetting");
    if (this.child === undefined) this.spawnChild();
    else this.respawnOnExit = true;
  }

  /**
   * Stops the child for good: tests, and a simulator in the adapter host when its last pool closes (central-registry).
   * A real adapter's bindings stay for the process's life and are only suspended.
   */
  dispose(): Promise<void> {
    this.disposed = true;
    return this.suspend();
  }

  /**
   * noble's HCI state in the child can no longer be trusted (see RestartableBindings): replace the child. Its links
   * are reported lost when it has gone, and the next child starts on the usual restart backoff, so a radio that
   * keeps failing is retried at most every restartMaxMs.
   */
  restartAdapter(reason: string): void {
    const child = this.child;
    if (child === undefined || this.stopped) return;
    this.emit(HOST_RESTART_EVENT, { pid: child.pid, reason } satisfies HostRestartEvent);
    this.replacing = child;
    void this.stopChild(child);
  }

  /** Process-exit path: signal the child now, no waiting (see process-exit-hooks). */
  stopNow(): void {
    this.stopped = true;
    this.disposed = true;
    this.clearRestartTimer();
    unregisterHost(this);
    this.child?.kill("SIGTERM");
  }

  /** Sends a call to the child; false when there is no child to take it. */
  private call(method: (typeof BINDINGS_METHODS)[number], args: unknown[]): boolean {
    const child = this.child;
    if (child === undefined || !child.connected) return false;
    const message: CallMessage = { kind: "call", method, args: args.map(encodeValue) };
    // A send racing the child's death fails; the exit handling reports that, so the error is not news.
    child.send(message, () => undefined);
    return true;
  }

  private spawnChild(): void {
    this.restartTimer = undefined;
    const child = fork(HOST_SCRIPT, [encodeHostArgument(this.target)], {
      // noble prints its own warnings on stdout; ours arrive classified over IPC. Crashes still show on stderr.
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      // Its own process group, so a Ctrl-C in Node-RED's terminal reaches Node-RED only, which then stops us.
      detached: process.platform !== "win32",
      serialization: "json",
    });
    this.child = child;
    this.emit(HOST_START_EVENT, { pid: child.pid } satisfies HostStartEvent);
    // The host must never be what keeps this process alive: users, timers and servers decide that.
    child.unref();
    (child.channel as { unref?: () => void } | null | undefined)?.unref?.();
    child.on("message", (message: unknown) => {
      if (isChildToParent(message)) this.onChildMessage(message);
    });
    // A failed spawn emits "error" and never "exit"; either way this child ends exactly once.
    let ended = false;
    const onEnd = () => {
      if (ended) return;
      ended = true;
      child.removeAllListeners("message");
      this.onChildEnd(child);
    };
    child.once("exit", onEnd);
    child.on("error", (error) => {
      process.stderr.write(`adapter host: ${error.message}\n`);
      // Only a failed spawn ends the child here; a failed kill leaves it running and "exit" still follows.
      if (child.pid === undefined) onEnd();
    });
  }

  private onChildMessage(message: ChildToParent): void {
    if (message.kind === "unavailable") {
      // Each retry of a still-broken adapter says the same again: tell noble's users only about news.
      if (message.message !== this.reason) {
        this.reason = message.message;
        this.emit(BINDINGS_UNAVAILABLE_EVENT, { message: message.message });
      }
      this.setState(message.state);
      return;
    }
    const args = message.args.map(decodeValue);
    const id = typeof args[0] === "string" ? args[0] : "";
    switch (message.name) {
      case "stateChange":
        this.setState(args[0] as AdapterState);
        return;
      case "connect":
        this.connecting.delete(id);
        if (args[1] === null || args[1] === undefined) this.connected.add(id);
        break;
      case "disconnect":
        this.connecting.delete(id);
        this.connected.delete(id);
        break;
      case "scanStart":
        this.scanning = true;
        break;
      case "scanStop":
        this.scanning = false;
        break;
    }
    this.emit(message.name, ...args);
  }

  private setState(state: AdapterState): void {
    if (state === "poweredOn") {
      this.reason = undefined;
      this.nextRestartMs = this.options.restartInitialMs;
    }
    if (state === this.state) return;
    this.state = state;
    this.watchAdapterOff();
    this.emit("stateChange", state);
  }

  /** While a running child says the adapter is off, a bound on how long before a fresh child binds it again. */
  private watchAdapterOff(): void {
    const off = this.state === "poweredOff" && this.child !== undefined;
    if (!off) {
      this.clearOffTimer();
      return;
    }
    if (this.offTimer !== undefined) return;
    const child = this.child;
    this.offTimer = setTimeout(() => {
      this.offTimer = undefined;
      if (this.child === child && this.state === "poweredOff") {
        this.restartAdapter(`the adapter stayed off for ${this.options.adapterOffRestartMs} ms`);
      }
    }, this.options.adapterOffRestartMs);
    this.offTimer.unref();
  }

  private clearOffTimer(): void {
    if (this.offTimer !== undefined) clearTimeout(this.offTimer);
    this.offTimer = undefined;
  }

  private onChildEnd(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.clearOffTimer();
    this.reportLinksLost();
    if (this.replacing === child) {
      this.replacing = undefined;
      // A deliberate replacement: work that arrives meanwhile waits for the new child (within its own timeout)
      // instead of failing at once with ADAPTER_OFF.
      if (!this.stopped) this.setState("resetting");
    }
    const exit = { pid: child.pid, code: child.exitCode, signal: child.signalCode };
    if (this.respawnOnExit) {
      this.respawnOnExit = false;
      this.emit(HOST_EXIT_EVENT, { ...exit, restartInMs: 0 } satisfies HostExitEvent);
      this.spawnChild();
      return;
    }
    if (this.stopped) {
      this.emit(HOST_EXIT_EVENT, { ...exit, restartInMs: undefined } satisfies HostExitEvent);
      return;
    }
    const delay = this.nextRestartMs;
    this.nextRestartMs = Math.min(this.nextRestartMs * 2, this.options.restartMaxMs);
    this.restartTimer = setTimeout(() => this.spawnChild(), delay);
    this.restartTimer.unref();
    this.emit(HOST_EXIT_EVENT, { ...exit, restartInMs: delay } satisfies HostExitEvent);
  }

  /** Everything the child held is gone: tell noble, in the order a real power-off would. */
  private reportLinksLost(): void {
    if (this.state !== "unsupported" && this.state !== "unauthorized") this.setState("poweredOff");
    if (this.scanning) {
      this.scanning = false;
      this.emit("scanStop");
    }
    const connecting = [...this.connecting];
    const connected = [...this.connected];
    this.connecting.clear();
    this.connected.clear();
    for (const id of connecting) this.emit("connect", id, new Error("Bluetooth adapter host stopped"));
    for (const id of connected) this.emit("disconnect", id, HOST_LOST_REASON);
  }

  private clearRestartTimer(): void {
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }
}
