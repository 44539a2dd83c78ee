import { afterEach, beforeEach } from "node:test";
import noblewithBindings from "@abandonware/noble/with-bindings";
import { peripheralIdOf } from "../../src/bindings/noble-ids";
import { SimulatedBindings, simAddress } from "../../src/sim";
import { type Clock, installVirtualClock, settleOn } from "../support/virtual-clock";

/** The real noble over simulated bindings. */
export type Noble = ReturnType<typeof noblewithBindings>;
export interface NoblePeripheral {
  id: string;
  address: string;
  rssi: number;
  state: string;
  advertisement: { localName?: string; serviceUuids?: string[] };
  connectAsync(): Promise<void>;
  cancelConnect(): void;
  disconnectAsync(): Promise<void>;
  once(event: string, fn: (...args: unknown[]) => void): unknown;
  discoverSomeServicesAndCharacteristicsAsync(
    services: string[],
    characteristics: string[],
  ): Promise<{ characteristics: NobleCharacteristic[] }>;
}
export interface NobleCharacteristic {
  uuid: string;
  properties: string[];
  on(event: "data", fn: (data: Buffer, isNotification: boolean) => void): unknown;
  subscribeAsync(): Promise<void>;
  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void>;
}

export type { Clock };

/** The virtual clock at a fixed UTC midnight (nextTick stays real: noble's init uses it). */
export function installClock(now = Date.UTC(2026, 5, 1)): Clock {
  return installVirtualClock({ now }).clock;
}

export function nobleOver(bindings: SimulatedBindings): Noble {
  return noblewithBindings(bindings);
}

/** Drives the virtual clock until the promise settles (or `limitMs` passes), then returns its value or throws. */
export async function settle<T>(clock: Clock, promise: Promise<T>, limitMs = 10_000): Promise<T> {
  const outcome = await settleOn(clock, promise, limitMs);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * A fake clock and simulated bindings for each test of a describe block: the clock is installed before each test; the
 * bindings made by `start(options)` (which returns the real noble over them, powered on) are disposed and the clock
 * uninstalled after it.
 */
export function simulatorPerTest() {
  let clock: Clock | undefined;
  let bindings: SimulatedBindings | undefined;
  beforeEach(() => {
    clock = installClock();
  });
  afterEach(() => {
    bindings?.dispose();
    bindings = undefined;
    clock?.uninstall();
  });
  return {
    get clock(): Clock {
      if (!clock) throw new Error("no clock outside a test");
      return clock;
    },
    get bindings(): SimulatedBindings {
      if (!bindings) throw new Error("call start() first");
      return bindings;
    },
    async start(options: ConstructorParameters<typeof SimulatedBindings>[0]): Promise<Noble> {
      bindings = new SimulatedBindings(options);
      const noble = nobleOver(bindings);
      await poweredOn(this.clock, noble);
      return noble;
    },
  };
}

export async function poweredOn(clock: Clock, noble: Noble): Promise<void> {
  await settle(
    clock,
    new Promise<void>((resolve) => {
      noble.on("stateChange", (state: string) => {
        if (state === "poweredOn") resolve();
      });
    }),
  );
}

/** Scans for `ms` of simulated time and returns every discover event (peripheral ids, in order). */
export async function scan(
  clock: Clock,
  noble: Noble,
  services: string[],
  ms = 1000,
  allowDuplicates = false,
): Promise<NoblePeripheral[]> {
  const seen: NoblePeripheral[] = [];
  const onDiscover = (p: NoblePeripheral) => seen.push(p);
  noble.on("discover", onDiscover as never);
  await settle(clock, noble.startScanningAsync(services, allowDuplicates));
  await clock.tickAsync(ms);
  await settle(clock, noble.stopScanningAsync());
  noble.removeListener("discover", onDiscover as never);
  return seen;
}

export interface JbdLink {
  peripheral: NoblePeripheral;
  rx: NobleCharacteristic;
  tx: NobleCharacteristic;
  /** Every notification received, in order. */
  chunks: Buffer[];
}

/** Scans for battery n, connects, discovers the JBD service and subscribes, as a central would. */
export async function openLink(clock: Clock, noble: Noble, n: number, service = "ff00"): Promise<JbdLink> {
  const id = peripheralIdOf(simAddress(n));
  const found = await scan(clock, noble, [service], 500);
  const peripheral = found.find((p) => p.id === id);
  if (!peripheral) throw new Error(`battery ${n} not found`);
  await settle(clock, peripheral.connectAsync());
  const { characteristics } = await settle(
    clock,
    peripheral.discoverSomeServicesAndCharacteristicsAsync([service], []),
  );
  const rx = characteristics.find((c) => c.properties.includes("notify"));
  const tx = characteristics.find((c) => c.properties.some((p) => p.startsWith("write")));
  if (!rx || !tx) throw new Error("JBD characteristics missing");
  const chunks: Buffer[] = [];
  rx.on("data", (data, isNotification) => {
    if (isNotification) chunks.push(data);
  });
  await settle(clock, rx.subscribeAsync());
  return { peripheral, rx, tx, chunks };
}

/** Writes a request and lets `waitMs` of simulated time pass; returns the notifications that arrived meanwhile. */
export async function exchange(clock: Clock, link: JbdLink, request: string, waitMs = 500): Promise<Buffer[]> {
  const before = link.chunks.length;
  const withoutResponse = link.tx.properties.includes("writeWithoutResponse");
  await settle(clock, link.tx.writeAsync(Buffer.from(request, "hex"), withoutResponse));
  await clock.tickAsync(waitMs);
  return link.chunks.slice(before);
}

/** Reassembles notifications into frames by the length byte (PROTOCOL 1.3), dropping bytes before a 0xDD. */
export function framesOf(chunks: Buffer[]): Buffer[] {
  let pending = Buffer.concat(chunks);
  const frames: Buffer[] = [];
  while (pending.length > 0) {
    const start = pending.indexOf(0xdd);
    if (start < 0 || pending.length < start + 4) break;
    const total = (pending[start + 3] as number) + 7;
    if (pending.length < start + total) break;
    frames.push(pending.subarray(start, start + total));
    pending = pending.subarray(start + total);
  }
  return frames;
}

/** True when the frame's checksum and end byte are right. */
export function frameIsValid(frame: Buffer): boolean {
  const len = frame[3] as number;
  if (frame.length !== len + 7 || frame[frame.length - 1] !== 0x77) return false;
  let sum = 0;
  for (let i = 2; i < 4 + len; i++) sum += frame[i] as number;
  return ((0x10000 - sum) & 0xffff) === frame.readUInt16BE(4 + len);
}

/** The few 0x03 fields the tests check (data offsets from PROTOCOL 3.1). */
export function basicInfoFields(frame: Buffer) {
  const data = frame.subarray(4, 4 + (frame[3] as number));
  const ntc = data[22] as number;
  return {
    voltage: data.readUInt16BE(0) / 100,
    current: data.readInt16BE(2) / 100,
    residualAh: data.readUInt16BE(4) / 100,
    protection: data.readUInt16BE(16),
    soc: data[19] as number,
    fet: data[20] as number,
    cells: data[21] as number,
    ntc,
    extraBytes: data.length - 23 - 2 * ntc,
  };
}

export const READ_BASIC = "dda50300fffd77";
export const READ_CELLS = "dda50400fffc77";
export const READ_VERSION = "dda50500fffb77";
export const MOS_CHARGE_OFF = "dd5ae1020001ff1c77";
export const MOS_RELEASE = "dd5ae1020000ff1d77";
export const EXIT_FACTORY = "dd5a01020000fffd77";
