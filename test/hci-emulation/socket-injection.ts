import * as path from "node:path";
import { HCI_SOCKET_ENV } from "../../src/ble/host/hci-socket-choice";

/**
 * The one place where the emulated tier chooses the HCI socket module. noble and bleno `require()` the names below;
 * the hook (hci-socket-hook.ts, loaded with `node -r`) resolves them to SOCKET_MODULE instead, so the native addon
 * is never loaded. To run the tier over another socket implementation, point SOCKET_MODULE elsewhere (it must
 * export the BluetoothHciSocket class shape: bindRaw/bindUser/bindControl, start, stop, write, setFilter, isDevUp,
 * getDeviceList, events "data" and "error").
 */
export const SOCKET_MODULE_NAMES: readonly string[] = [
  "@abandonware/bluetooth-hci-socket",
  "@stoprocent/bluetooth-hci-socket",
];
export const SOCKET_MODULE = path.join(__dirname, "userland-hci-socket.js");
export const SOCKET_HOOK = path.join(__dirname, "hci-socket-hook.js");

/** The unix socket of the controller a process's HCI socket reaches (a btvirt server, or a tap in front of one). */
export const EMULATION_SERVER_ENV = "HCI_EMULATION_SERVER";

/**
 * Environment for a process whose HCI sockets reach `server`. NODE_OPTIONS carries the hook into every Node process
 * started from it too (the adapter host child forked by HostBindings inherits this process's environment).
 */
export function emulatedHciEnv(server: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const options = [...optionsWithoutHook(base), `--require=${SOCKET_HOOK}`].join(" ");
  return { ...base, NODE_OPTIONS: options, [EMULATION_SERVER_ENV]: server };
}

function optionsWithoutHook(env: NodeJS.ProcessEnv): string[] {
  return (env.NODE_OPTIONS ?? "").split(" ").filter((option) => option !== "" && !option.includes(SOCKET_HOOK));
}

/**
 * Environment for an adapter host whose real socket module (`socketModule`, one of the adapter host's choices) runs
 * its own native code over `server`: the kernel's raw HCI socket is emulated by the `kernelHciSocket` preload
 * library instead of the module being replaced, and this file's hook is left out.
 */
export function nativeSocketEnv(
  server: string,
  kernelHciSocket: string,
  socketModule: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return {
    ...base,
    NODE_OPTIONS: optionsWithoutHook(base).join(" "),
    LD_PRELOAD: kernelHciSocket,
    [EMULATION_SERVER_ENV]: server,
    [HCI_SOCKET_ENV]: socketModule,
  };
}
