/**
 * The phone app: a second central on a controller of its own (noble with its HCI bindings, unchanged, over the
 * userland socket), which connects to one battery and holds it until told to let go. Started by phoneAppHolding().
 */
import type { EventEmitter } from "node:events";
import type { PhoneAppMessage } from "./phone-app-process";

interface Peripheral extends EventEmitter {
  address: string;
  connect(callback: (error?: Error) => void): void;
  disconnect(callback: () => void): void;
}
interface Noble extends EventEmitter {
  startScanning(uuids: string[], allowDuplicates: boolean): void;
  stopScanning(): void;
}

const address = (process.argv[2] ?? "").toLowerCase();
const HciBindings = require("@abandonware/noble/lib/hci-socket/bindings") as new (options: object) => unknown;
const noble = require("@abandonware/noble/with-bindings")(new HciBindings({})) as Noble;
const send = (message: PhoneAppMessage) => process.send?.(message);

let holding = false;
noble.on("stateChange", (state: string) => {
  if (state === "poweredOn") noble.startScanning(["ff00", "fff0"], false);
  // Before it holds the battery, any other state means its controller is gone: it never will.
  else if (!holding) send({ kind: "failed", message: `the controller reports ${state}` });
});
noble.on("discover", (peripheral: Peripheral) => {
  if (peripheral.address.toLowerCase() !== address) return;
  noble.stopScanning();
  peripheral.connect((error) => {
    if (error) {
      send({ kind: "failed", message: error.message });
      return;
    }
    holding = true;
    send({ kind: "holding" });
    process.once("message", () => peripheral.disconnect(() => send({ kind: "let-go" })));
  });
});
process.on("disconnect", () => process.exit(0));
