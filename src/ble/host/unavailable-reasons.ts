/**
 * Turns the ways a raw HCI adapter can be out of reach into one ADAPTER_UNAVAILABLE message each, saying what to do
 * about it (README "Real hardware" repeats the fixes). The errors come from requiring noble's HCI bindings (native
 * addon missing or built for another Node), from opening the socket (EAFNOSUPPORT without kernel Bluetooth), from
 * binding it to hciN (ENODEV, EPERM, EBUSY), or from the bindings' own stateChange later on.
 */

export interface Unavailability {
  /** The noble state that goes with it: no permission is "unauthorized", everything else "unsupported". */
  state: "unsupported" | "unauthorized";
  message: string;
}

const REBUILD_FIX =
  "run `npm rebuild @abandonware/bluetooth-hci-socket` in the Node-RED user directory " +
  "(needs build-essential, python3, libbluetooth-dev, libudev-dev); the adapter is retried by itself";
const PERMISSION_FIX =
  "no permission for raw Bluetooth: run `sudo setcap cap_net_raw+eip $(eval readlink -f $(which node))` " +
  "or set AmbientCapabilities=CAP_NET_RAW in the Node-RED systemd unit";

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Explains why hci<device> cannot be opened. */
export function classifyHciFailure(error: unknown, hciDevice: number): Unavailability {
  const hci = `hci${hciDevice}`;
  const code = errorCode(error);
  const message = errorMessage(error);
  const prefix = `Bluetooth adapter ${hci} unavailable`;

  if (
    (code === "MODULE_NOT_FOUND" && /bluetooth[-_]hci[-_]socket/.test(message)) ||
    /bluetooth_hci_socket\.node/.test(message)
  ) {
    return { state: "unsupported", message: `${prefix}: the Bluetooth HCI binding is not built: ${REBUILD_FIX}` };
  }
  if (code === "ERR_DLOPEN_FAILED" || /NODE_MODULE_VERSION|invalid ELF header|wrong ELF class/.test(message)) {
    return {
      state: "unsupported",
      message: `${prefix}: the Bluetooth HCI binding was built for another Node.js or CPU: ${REBUILD_FIX}`,
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
export function classifyHciState(state: string, hciDevice: number): Unavailability | undefined {
  const prefix = `Bluetooth adapter hci${hciDevice} unavailable`;
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
