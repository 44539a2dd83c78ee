/**
 * Preloaded with `node -r` (see socket-injection.ts) into every process of the emulated tier that opens an HCI
 * socket: noble's and bleno's `require` of the socket module resolves to the userland socket over btvirt.
 */
import Module = require("node:module");

import { SOCKET_MODULE, SOCKET_MODULE_NAMES } from "./socket-injection";

type Resolve = (request: string, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: Resolve };
const resolve = internals._resolveFilename;
internals._resolveFilename = function resolveToUserlandSocket(this: unknown, request: string, ...rest: unknown[]) {
  if (SOCKET_MODULE_NAMES.includes(request)) return SOCKET_MODULE;
  return resolve.call(this, request, ...rest);
};
