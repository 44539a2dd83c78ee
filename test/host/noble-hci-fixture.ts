/**
 * Runs noble's real `lib/hci-socket/hci.js` over one HCI socket module on this machine and prints what happened as
 * one JSON line (hci-socket-choice.test.ts). argv[2] is the module; argv[3] "as-noble-gets-it" hands noble the
 * adapter host's NobleHciSocket over it, "unadapted" hands noble the module itself (what a plain swap of the module
 * would give). A process of its own, because noble's hci.js takes its socket class once, when it is first loaded.
 */
import Module = require("node:module");

import { chooseHciSocket, NOBLE_HCI_SOCKET, routeNobleToHciSocket } from "../../src/ble/host/hci-socket-choice";

export interface NobleHciOutcome {
  /** Functions an instance of the class noble constructs has (own prototype chain, EventEmitter's included). */
  methods: string[];
  /** What constructing noble's Hci or its init() threw; undefined if neither threw. */
  thrown?: { code?: string; message: string };
  /** noble's stateChange events up to the end of the tick that ran init() (hci.js polls isDevUp inside init). */
  states: string[];
  /** Codes of the "error" events a socket noble constructs emits when it is used without a successful bind. */
  unboundErrorCodes: Array<string | undefined>;
}

const [socketModule, mode] = process.argv.slice(2);
if (socketModule === undefined || (mode !== "as-noble-gets-it" && mode !== "unadapted")) {
  throw new Error("usage: noble-hci-fixture <socket module> as-noble-gets-it|unadapted");
}
if (mode === "as-noble-gets-it") {
  routeNobleToHciSocket(chooseHciSocket([socketModule]));
} else {
  type Resolve = (request: string, ...rest: unknown[]) => string;
  const internals = Module as unknown as { _resolveFilename: Resolve };
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function resolveToModule(this: unknown, request: string, ...rest: unknown[]) {
    return resolve.call(this, request === NOBLE_HCI_SOCKET ? socketModule : request, ...rest);
  };
}

type Socket = NodeJS.EventEmitter & { isDevUp(): boolean };
const SocketClass = require(NOBLE_HCI_SOCKET) as new () => Socket;
const methods = new Set<string>();
for (let proto = SocketClass.prototype; proto !== null && proto !== Object.prototype; ) {
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (typeof Object.getOwnPropertyDescriptor(proto, name)?.value === "function") methods.add(name);
  }
  proto = Object.getPrototypeOf(proto);
}

const outcome: NobleHciOutcome = { methods: [...methods].sort(), states: [], unboundErrorCodes: [] };
const Hci = require("@abandonware/noble/lib/hci-socket/hci") as new (options: {
  deviceId: number;
}) => NodeJS.EventEmitter & { init(): void };
try {
  const hci = new Hci({ deviceId: 0 });
  hci.on("stateChange", (state: string) => outcome.states.push(state));
  hci.init();
} catch (error) {
  const { code, message } = error as NodeJS.ErrnoException;
  outcome.thrown = code === undefined ? { message } : { code, message };
}
try {
  const socket = new SocketClass();
  socket.on("error", (error: NodeJS.ErrnoException) => outcome.unboundErrorCodes.push(error.code));
  socket.isDevUp();
} catch {
  // A module that opens its socket in the constructor already failed above, in noble's Hci.
}
setImmediate(() => {
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  // noble's 1 Hz isDevUp poll and the module's reader would keep this process alive.
  process.exit(0);
});
