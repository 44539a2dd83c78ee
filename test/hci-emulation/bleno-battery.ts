/**
 * A JBD battery as a real BLE peripheral: @abandonware/bleno, unchanged, on its own emulated controller (this is its
 * own process, so a test can SIGKILL it as a battery that vanishes). The answers come from the project's virtual
 * battery (src/sim: the same physics, responder and 0xE1 behaviour as the bindings simulator), sent as notifications
 * of at most 20 bytes; with a password its module is the simulator's too (src/sim/module-auth: nothing reaches the
 * BMS on a link before the FF AA handshake). Started by battery-process.ts with the socket hook preloaded; argv[2] is
 * a BlenoBatteryOptions.
 */
import type { EventEmitter } from "node:events";
import { hasAuthHeaderAt } from "../../src/protocol/auth";
import { JBD_GATT } from "../../src/protocol/gatt";
import { NOTIFICATION_SIZE, SimWorld } from "../../src/sim";
import { ModuleAuth } from "../../src/sim/module-auth";
import { SeededRandom } from "../../src/sim/random";
import type { BatteryMessage, BatteryRequest, BlenoBatteryOptions } from "./battery-process";

interface BlenoCharacteristic {
  RESULT_SUCCESS: number;
  new (options: Record<string, unknown>): unknown;
}
interface Bleno extends EventEmitter {
  address: string;
  Characteristic: BlenoCharacteristic;
  PrimaryService: new (options: { uuid: string; characteristics: unknown[] }) => unknown;
  startAdvertising(name: string, serviceUuids: string[]): void;
  setServices(services: unknown[], callback?: (error?: Error) => void): void;
}

const options = JSON.parse(process.argv[2] ?? "{}") as BlenoBatteryOptions;
const world = new SimWorld({ batteries: options.batteries, cells: options.cells, seed: options.seed });
const played = world.batteries[options.index - 1];
if (played === undefined) throw new Error(`no battery ${options.index} of ${options.batteries}`);
const battery = played;
const gatt = JBD_GATT[battery.spec.gatt];
const bleno = require("@abandonware/bleno") as Bleno;

function send(message: BatteryMessage): void {
  process.send?.(message);
}

let notifyValue: ((data: Buffer) => void) | undefined;
let requests = 0;
/** The module's FF AA state on the link now (a new one per link), or null without a password. */
let auth: ModuleAuth | null = null;
let handshakes = 0;
const random = new SeededRandom(options.seed + options.index);

/** What the module does with a frame from the central: answers FF AA itself, or relays to the BMS once open. */
function answer(request: Uint8Array): Uint8Array | null {
  if (auth === null) return battery.respond(request);
  if (hasAuthHeaderAt(request, 0)) {
    const wasOpen = auth.open;
    const reply = auth.respond(request);
    if (auth.open && !wasOpen) handshakes += 1;
    return reply;
  }
  return auth.open ? battery.respond(request) : null;
}

const notify = new bleno.Characteristic({
  uuid: gatt.notify,
  properties: ["notify"],
  onSubscribe: (_maxValueSize: number, updateValue: (data: Buffer) => void) => {
    notifyValue = updateValue;
  },
  onUnsubscribe: () => {
    notifyValue = undefined;
  },
});
const write = new bleno.Characteristic({
  uuid: gatt.write,
  properties: ["writeWithoutResponse", "write"],
  onWriteRequest: (data: Buffer, _offset: number, _withoutResponse: boolean, done: (result: number) => void) => {
    done(bleno.Characteristic.RESULT_SUCCESS);
    requests += 1;
    const reply = answer(new Uint8Array(data));
    if (reply === null || notifyValue === undefined) return;
    for (let at = 0; at < reply.length; at += NOTIFICATION_SIZE) {
      notifyValue(Buffer.from(reply.subarray(at, at + NOTIFICATION_SIZE)));
    }
  },
});

// bleno advertises again after every disconnect; the GATT table and the "ready" report happen once.
let servicesSet = false;
bleno.on("stateChange", (state: string) => {
  if (state === "poweredOn") bleno.startAdvertising(battery.spec.name, [gatt.service]);
  // Before it advertises, any other state means its controller is gone (or refused): it never will.
  else if (!servicesSet) send({ kind: "failed", reason: `the controller reports ${state}` });
});
bleno.on("advertisingStart", (error?: Error) => {
  if (error && servicesSet) throw error;
  if (error) {
    send({ kind: "failed", reason: `advertising refused: ${error.message}` });
    return;
  }
  if (servicesSet) return;
  servicesSet = true;
  bleno.setServices([new bleno.PrimaryService({ uuid: gatt.service, characteristics: [notify, write] })], () =>
    send({ kind: "ready", address: bleno.address.toUpperCase(), name: battery.spec.name }),
  );
});
bleno.on("accept", (address: string) => {
  const password = options.password;
  auth = password === undefined ? null : new ModuleAuth(bleno.address, password, () => random.index(256));
  send({ kind: "link", connected: true, central: address.toUpperCase() });
});
bleno.on("disconnect", (address: string) => send({ kind: "link", connected: false, central: address.toUpperCase() }));

process.on("message", (message: BatteryRequest) => {
  if (message.kind === "state") send({ kind: "state", state: battery.state(), requests, handshakes });
});
process.on("disconnect", () => process.exit(0));
