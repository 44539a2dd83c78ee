/**
 * Adapter host: the child process that owns one adapter's noble bindings (DESIGN 7). HostBindings starts it with
 * child_process.fork and the adapter configuration as argv[2]. It forwards bindings method calls arriving over IPC
 * and sends every bindings event back, so noble itself runs in the Node-RED process while the HCI socket, noble's
 * SIGINT/exit hooks, its never-ending 1 Hz poll timer and the blocking native connect all stay in here.
 *
 * Lifetime: the parent decides. The child exits when the IPC channel closes (the parent exited or was killed,
 * even with SIGKILL), on SIGTERM (turned into a normal exit so noble's exit hook can still drop its links), and
 * after reporting that the adapter is unavailable.
 */
// This child is an entry point of its own, so it is the one file under src/ble that may load the simulator (for
// simInHost); the rest of src/ble knows nothing of src/sim (test/layers checks both).

import {
  BINDINGS_EVENTS,
  BINDINGS_METHODS,
  BINDINGS_UNAVAILABLE_EVENT,
  type NobleBindings,
} from "../../bindings/noble-bindings";
import { errorMessage } from "../../errors";
import { SimulatedBindings, type SimulatorOptions } from "../../sim";
import { chooseHciSocket, type HciSocketChoice, routeNobleToHciSocket } from "./hci-socket-choice";
import {
  type ChildToParent,
  decodeHostArgument,
  decodeValue,
  EXIT_UNAVAILABLE,
  encodeValue,
  isParentToChild,
} from "./ipc-protocol";
import { classifyHciFailure, classifyHciState, describeHciSocket, type Unavailability } from "./unavailable-reasons";
import { WriteCommandEchoes } from "./write-command-echoes";

const FORWARDED_METHODS: ReadonlySet<string> = new Set(BINDINGS_METHODS);

function send(message: ChildToParent, then?: () => void): void {
  if (!process.connected || process.send === undefined) return;
  process.send(message, undefined, undefined, () => then?.());
}

let exiting = false;
function reportUnavailableAndExit(reason: Unavailability): void {
  if (exiting) return;
  exiting = true;
  send({ kind: "unavailable", state: reason.state, message: reason.message }, () => process.exit(EXIT_UNAVAILABLE));
  // Without a channel there is nobody to wait for.
  if (!process.connected) process.exit(EXIT_UNAVAILABLE);
}

/** The HCI socket module noble runs on in this process, once chosen (the unavailable messages name it). */
let hciSocket: HciSocketChoice | undefined;

/**
 * noble's HCI bindings, loaded here and only here, over the first HCI socket module that loads (hci-socket-choice):
 * loading the module loads its native addon, and init() opens the socket, either of which throws on a machine
 * without a usable adapter.
 */
function openHciBindings(hciDevice: number): NobleBindings {
  hciSocket = chooseHciSocket();
  routeNobleToHciSocket(hciSocket);
  const HciBindings = require("@abandonware/noble/lib/hci-socket/bindings") as new (options: {
    deviceId: number;
  }) => NobleBindings;
  return new HciBindings({ deviceId: hciDevice });
}

/**
 * Peripheral ids this process has seen advertise. noble's HCI bindings look the address up when connecting; for an
 * id they never discovered they throw after marking the connection pending, and every later connect queues behind
 * it for ever (NOBLE-NOTES 2, pitfall 2). After a restart noble in the parent still knows the old peripherals, so
 * such a connect is refused here instead.
 */
const discovered = new Set<string>();

/**
 * noble's HCI GATT layer reports every notification twice: as `read` (which noble turns into the characteristic's
 * "data", what the links listen to) and as `handleNotify` (raw handle-level, which nothing above the bindings uses).
 * Sending the second copy over IPC doubled the messages of every reply; it stays in the child.
 */
const NOT_FORWARDED: ReadonlySet<string> = new Set(["handleNotify"]);

/** The "write" events of write commands, which the parent emits itself (see write-command-echoes.ts). */
const commandEchoes = new WriteCommandEchoes();

function forwardEvents(bindings: NobleBindings, hciDevice: number | undefined): void {
  for (const name of [...BINDINGS_EVENTS, BINDINGS_UNAVAILABLE_EVENT].filter((event) => !NOT_FORWARDED.has(event))) {
    bindings.on(name, (...args: unknown[]) => {
      if (name === "discover" && typeof args[0] === "string") discovered.add(args[0]);
      if ((name === "connect" || name === "disconnect") && typeof args[0] === "string") commandEchoes.forget(args[0]);
      if (name === "write" && commandEchoes.swallow(String(args[0]), String(args[1]), String(args[2]))) return;
      if (name === "stateChange" && hciDevice !== undefined) {
        const reason = classifyHciState(String(args[0]), hciDevice, hciSocket);
        if (reason !== undefined) {
          reportUnavailableAndExit(reason);
          return;
        }
      }
      send({ kind: "event", name, args: args.map(encodeValue) });
    });
  }
}

function dispatchCall(bindings: NobleBindings, method: string, rawArgs: unknown[]): void {
  // init() is ours to call (below); the parent's init() is what started this process.
  if (!FORWARDED_METHODS.has(method) || method === "init") return;
  const fn = (bindings as unknown as Record<string, unknown>)[method];
  if (typeof fn !== "function") return; // e.g. start()/stop(), which only @stoprocent/noble's bindings have
  const args = rawArgs.map(decodeValue);
  if (method === "connect" && !discovered.has(String(args[0]))) {
    const refused = new Error("not seen advertising by this adapter host yet: scan for it first");
    send({ kind: "event", name: "connect", args: [args[0], encodeValue(refused)] });
    return;
  }
  const writeCommand = method === "write" && Boolean(args[4]);
  if (writeCommand) commandEchoes.expect(String(args[0]), String(args[1]), String(args[2]));
  try {
    fn.apply(bindings, args);
  } catch (error) {
    if (writeCommand) commandEchoes.withdraw(String(args[0]), String(args[1]), String(args[2]));
    // noble waits for a connect event; without one the peripheral would stay "connecting" for ever.
    if (method === "connect") {
      send({ kind: "event", name: "connect", args: [args[0], encodeValue(error)] });
      return;
    }
    process.stderr.write(`adapter host: ${method}() failed: ${errorMessage(error)}\n`);
  }
}

function main(): void {
  if (process.send === undefined) {
    process.stderr.write("adapter host: start me with child_process.fork (I talk to my parent over IPC)\n");
    process.exitCode = 2;
    return;
  }
  const config = decodeHostArgument(process.argv[2]);
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0));

  let bindings: NobleBindings;
  try {
    if (config.transport === "hci") {
      bindings = openHciBindings(config.hciDevice);
      forwardEvents(bindings, config.hciDevice);
    } else {
      const simulated = new SimulatedBindings(config.simulator as SimulatorOptions);
      process.on("exit", () => simulated.dispose());
      bindings = simulated;
      forwardEvents(bindings, undefined);
    }
    process.on("message", (message: unknown) => {
      if (isParentToChild(message)) dispatchCall(bindings, message.method, message.args);
    });
    bindings.init();
    if (config.transport === "hci" && hciSocket !== undefined) {
      process.stderr.write(`adapter host: hci${config.hciDevice} bound ${describeHciSocket(hciSocket)}\n`);
    }
  } catch (error) {
    if (config.transport !== "hci") throw error;
    reportUnavailableAndExit(classifyHciFailure(error, config.hciDevice, hciSocket));
  }
}

main();
