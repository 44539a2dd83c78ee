/**
 * Which HCI socket module the adapter host gives noble. noble 1.9.2-26's `lib/hci-socket/hci.js` requires
 * `@abandonware/bluetooth-hci-socket`, which npm builds from source (compiler, headers, and a rebuild after every
 * Node.js upgrade). `@stoprocent/bluetooth-hci-socket` is the same class with N-API prebuilds (one binary for every
 * Node.js), so it is tried first and noble's require is answered with whichever loads. Only the adapter host child
 * calls this: it is the one process that opens HCI sockets.
 *
 * The two differ in how they fail (README "Installing the native binding"): the prebuilt one opens its socket on the
 * first call instead of in the constructor, reports that failure (EAFNOSUPPORT without kernel Bluetooth) only as an
 * "error" event while bindRaw() returns nothing, and its errors carry `errno` but no `code`. noble's hci.js looks at
 * `code` (EPERM becomes the state "unauthorized") and expects a failed bind to throw, so noble is handed
 * NobleHciSocket below, which restores that contract over either module.
 */
import { EventEmitter } from "node:events";

import Module = require("node:module");

import * as path from "node:path";
import * as util from "node:util";

/** The name noble's hci.js requires, answered with the chosen module. */
export const NOBLE_HCI_SOCKET = "@abandonware/bluetooth-hci-socket";
export const PREBUILT_HCI_SOCKET = "@stoprocent/bluetooth-hci-socket";
/** Tried in this order: prebuilt first (no compiler), then noble's own, built from source. */
export const HCI_SOCKET_MODULES: readonly string[] = [PREBUILT_HCI_SOCKET, NOBLE_HCI_SOCKET];
/** Names one of HCI_SOCKET_MODULES to use only that one (e.g. to go back to the built one). */
export const HCI_SOCKET_ENV = "BMS_HCI_SOCKET";

/** The part of the socket class that noble's hci.js uses. */
interface HciSocket extends EventEmitter {
  bindRaw(devId?: number): number | undefined;
  bindUser(devId?: number): number | undefined;
  start(): void;
  isDevUp(): boolean;
  setFilter(filter: Buffer): void;
  write(data: Buffer): void;
}
type HciSocketClass = new () => HciSocket;

export interface HciSocketAttempt {
  module: string;
  error: unknown;
}

export interface HciSocketChoice {
  module: string;
  socketClass: HciSocketClass;
  /** Modules tried before it, and why each did not load. */
  skipped: HciSocketAttempt[];
}

/** No socket module loads: each attempt says why (classifyHciFailure turns them into fixes). */
export class NoHciSocketError extends Error {
  constructor(readonly attempts: HciSocketAttempt[]) {
    super(`no Bluetooth HCI socket module loads (${attempts.map((attempt) => attempt.module).join(", ")})`);
  }
}

function candidates(env: NodeJS.ProcessEnv): readonly string[] {
  const chosen = env[HCI_SOCKET_ENV];
  if (chosen === undefined || chosen === "") return HCI_SOCKET_MODULES;
  if (!HCI_SOCKET_MODULES.includes(chosen)) {
    throw new Error(`${HCI_SOCKET_ENV}=${chosen} is not one of ${HCI_SOCKET_MODULES.join(", ")}`);
  }
  return [chosen];
}

/**
 * Where a module is looked for: from this package (whose optional dependency the prebuilt one is) and from noble's
 * HCI code (npm may nest noble's optional dependency under noble instead of hoisting it).
 */
const SEARCH_FROM = [__dirname, path.dirname(require.resolve("@abandonware/noble/lib/hci-socket/hci"))];

/**
 * The first module of `modules` that loads. Loading runs the module's native loader (a missing build, a binary for
 * another Node.js or CPU, no prebuild for this platform all throw here); opening a socket is left to noble.
 */
export function chooseHciSocket(modules: readonly string[] = candidates(process.env)): HciSocketChoice {
  const skipped: HciSocketAttempt[] = [];
  for (const module of modules) {
    try {
      const socketClass = require(require.resolve(module, { paths: SEARCH_FROM })) as HciSocketClass;
      if (typeof socketClass !== "function") throw new TypeError(`${module} does not export a socket class`);
      return { module, socketClass, skipped };
    } catch (error) {
      skipped.push({ module, error });
    }
  }
  throw new NoHciSocketError(skipped);
}

/** Gives an errno-only error the `code` a Node.js system error has ("EAFNOSUPPORT", "EPERM" …). */
function withErrnoCode(error: unknown): unknown {
  const fields = error as { code?: unknown; errno?: unknown } | null;
  if (fields !== null && typeof fields === "object" && fields.code === undefined && typeof fields.errno === "number") {
    fields.code = util.getSystemErrorName(-Math.abs(fields.errno));
  }
  return error;
}

/**
 * What noble constructs in place of the socket class: forwards the calls hci.js makes to the chosen module's socket,
 * errors with a `code`, and a bind that reports failure without throwing (the socket could not be created) throws
 * that failure, as noble expects.
 */
function nobleSocketClass(choice: HciSocketChoice): HciSocketClass {
  return class NobleHciSocket extends EventEmitter implements HciSocket {
    private readonly socket = new choice.socketClass();
    /** Errors the socket emits while a bind runs: thrown if the bind fails, passed on if it succeeds. */
    private heldErrors: unknown[] | undefined;

    constructor() {
      super();
      this.socket.on("data", (data: Buffer) => this.emit("data", data));
      this.socket.on("error", (error: unknown) => {
        if (this.heldErrors !== undefined) this.heldErrors.push(withErrnoCode(error));
        else this.emit("error", withErrnoCode(error));
      });
    }

    bindRaw(devId?: number): number | undefined {
      return this.bind(() => this.socket.bindRaw(devId));
    }

    bindUser(devId?: number): number | undefined {
      return this.bind(() => this.socket.bindUser(devId));
    }

    start(): void {
      this.socket.start();
    }

    isDevUp(): boolean {
      return this.socket.isDevUp();
    }

    setFilter(filter: Buffer): void {
      this.socket.setFilter(filter);
    }

    write(data: Buffer): void {
      this.socket.write(data);
    }

    private bind(call: () => number | undefined): number | undefined {
      const held: unknown[] = [];
      this.heldErrors = held;
      let devId: number | undefined;
      try {
        devId = call();
      } finally {
        this.heldErrors = undefined;
      }
      if (typeof devId !== "number" && held.length > 0) throw held[0];
      for (const error of held) this.emit("error", error);
      return devId;
    }
  };
}

/**
 * From now on noble's `require("@abandonware/bluetooth-hci-socket")` in this process returns NobleHciSocket over the
 * chosen module. The answer is a module registered under a name of its own; every other request resolves as before
 * (in the emulated-HCI tier that is its hook, which stands in for the modules themselves).
 */
export function routeNobleToHciSocket(choice: HciSocketChoice): void {
  const id = `${__filename}#${choice.module}`;
  const entry = new Module(id);
  entry.filename = id;
  entry.loaded = true;
  entry.exports = nobleSocketClass(choice);
  require.cache[id] = entry;
  type Resolve = (request: string, ...rest: unknown[]) => string;
  const internals = Module as unknown as { _resolveFilename: Resolve };
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function resolveNobleHciSocket(this: unknown, request: string, ...rest: unknown[]) {
    if (request === NOBLE_HCI_SOCKET) return id;
    return resolve.call(this, request, ...rest);
  };
}
