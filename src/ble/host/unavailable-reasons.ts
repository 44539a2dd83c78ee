/**
 * Turns the ways a raw HCI adapter can be out of reach into one ADAPTER_UNAVAILABLE message each, saying which HCI
 * socket module was tried and what to do about it (README "Real hardware" repeats the fixes). The errors come from
 * loading the socket modules (not installed, not built, built for another Node.js, no prebuild for this platform),
 * from opening the socket (EAFNOSUPPORT without kernel Bluetooth), from binding it to hciN (ENODEV, EPERM, EBUSY),
 * or from the bindings' own stateChange later on.
 */
import { errorMessage } from "../../errors";
import {
  type HciSocketAttempt,
  type HciSocketChoice,
  NoHciSocketError,
  PREBUILT_HCI_SOCKET,
} from "./hci-socket-choice";

export interface Unavailability {
  /** The noble state that goes with it: no permission is "unauthorized", everything else "unsupported". */
  state: "unsupported" | "unauthorized";
  message: string;
}

/** What building a socket module from source needs (README "Installing the native binding"). */
const BUILD_PACKAGES = "build-essential, python3";
const PERMISSION_FIX =
  "no permission for raw Bluetooth: run `sudo setcap cap_net_raw+eip $(eval readlink -f $(which node))` " +
  "or set AmbientCapabilities=CAP_NET_RAW in the Node-RED systemd unit";

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Why a socket module did not load, in a few words. */
function loadFailure({ module, error }: HciSocketAttempt): string {
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code === "MODULE_NOT_FOUND" && message.includes(`Cannot find module '${module}'`)) return "is not installed";
  // Before "not built": a binary that does not load names its file, which is what a missing build says too.
  if (code === "ERR_DLOPEN_FAILED" || /NODE_MODULE_VERSION|invalid ELF header|wrong ELF class/.test(message)) {
    return "was built for another Node.js or CPU";
  }
  if (code === "MODULE_NOT_FOUND" || /bluetooth_hci_socket\.node/.test(message)) return "is not built";
  if (/No native build was found/.test(message)) {
    return `has no prebuilt binary for ${process.platform}-${process.arch}`;
  }
  return `does not load (${message.split("\n")[0]})`;
}

/** How to get a socket module that loads: the prebuilt one is installed, noble's own is built. */
function loadFix(attempt: HciSocketAttempt): string {
  if (attempt.module === PREBUILT_HCI_SOCKET && loadFailure(attempt) === "is not installed") {
    return `\`npm install ${PREBUILT_HCI_SOCKET}\` in the Node-RED user directory (prebuilt, no compiler)`;
  }
  return `\`npm rebuild ${attempt.module}\` in the Node-RED user directory (needs ${BUILD_PACKAGES})`;
}

/** "over <module>", with why the modules tried before it did not load: for the messages and the host's log. */
export function describeHciSocket(choice: HciSocketChoice): string {
  const skipped = choice.skipped.map((attempt) => `${attempt.module} ${loadFailure(attempt)}`);
  return `over ${choice.module}${skipped.length > 0 ? ` (${skipped.join("; ")})` : ""}`;
}

function prefixFor(hciDevice: number, choice: HciSocketChoice | undefined): string {
  const head = `Bluetooth adapter hci${hciDevice} unavailable`;
  return choice === undefined ? head : `${head} ${describeHciSocket(choice)}`;
}

/**
 * Explains why hci<device> cannot be opened: `choice` is the socket module in use, undefined when none was chosen
 * (then `error` says why, a NoHciSocketError listing every module tried).
 */
export function classifyHciFailure(error: unknown, hciDevice: number, choice?: HciSocketChoice): Unavailability {
  const hci = `hci${hciDevice}`;
  const code = errorCode(error);
  const message = errorMessage(error);
  const prefix = prefixFor(hciDevice, choice);

  if (error instanceof NoHciSocketError) {
    const tried = error.attempts.map((attempt) => `${attempt.module} ${loadFailure(attempt)}`);
    const fixes = error.attempts.map(loadFix);
    return {
      state: "unsupported",
      message:
        `${prefix}: no Bluetooth HCI socket module loads: ${tried.join("; ")}. ` +
        `Fix: ${fixes.join(", or ")}; the adapter is retried by itself`,
    };
  }
  if (code === "EPERM" || code === "EACCES" || /operation not permitted|permission denied/i.test(message)) {
    return { state: "unauthorized", message: `${prefix}: ${PERMISSION_FIX}` };
  }
  if (code === "EAFNOSUPPORT" || /address family not supported/i.test(message)) {
    return {
      state: "unsupported",
      message:
        `${prefix}: this machine/kernel has no Bluetooth HCI support (no bluetooth kernel module, or a container ` +
        "without the host network); use a Linux host with a Bluetooth adapter, or the simulator transport",
    };
  }
  if (code === "ENODEV" || /no such device/i.test(message)) {
    return {
      state: "unsupported",
      message:
        `${prefix}: ${hci} not found: check \`hciconfig\` or \`btmgmt info\` for the adapter index, ` +
        `and \`rfkill unblock bluetooth\` / \`sudo hciconfig ${hci} up\` if it is blocked or down`,
    };
  }
  if (code === "EBUSY" || /resource busy/i.test(message)) {
    return {
      state: "unsupported",
      message:
        `${prefix}: ${hci} is busy (bluetoothd or another program holds it): ` +
        "stop bluetoothd (`sudo systemctl stop bluetooth`) or use a second adapter",
    };
  }
  if (/unsupported platform/i.test(message)) {
    return {
      state: "unsupported",
      message: `${prefix}: raw HCI Bluetooth is only supported on Linux (${process.platform} is not)`,
    };
  }
  return { state: "unsupported", message: `${prefix}: ${message}` };
}

/**
 * noble's HCI bindings report some conditions only as a state: "unauthorized" after an EPERM on the socket, and
 * "unsupported" when the controller has no LE support. Other states are ordinary (poweredOff means the adapter
 * is down, which the pool reports as ADAPTER_OFF), so they return undefined.
 */
export function classifyHciState(
  state: string,
  hciDevice: number,
  choice: HciSocketChoice | undefined,
): Unavailability | undefined {
  const prefix = prefixFor(hciDevice, choice);
  if (state === "unauthorized") return { state, message: `${prefix}: ${PERMISSION_FIX}` };
  if (state === "unsupported") {
    return {
      state,
      message:
        `${prefix}: hci${hciDevice} does not support Bluetooth Low Energy: ` +
        "choose another adapter (HCI device index) with BLE support",
    };
  }
  return undefined;
}
