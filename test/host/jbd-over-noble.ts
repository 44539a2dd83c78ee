import type { EventEmitter } from "node:events";
import type * as Noble from "@abandonware/noble";
import {
  decodeBasicInfo,
  decodeCellVoltages,
  encodeReadRequest,
  type Frame,
  FrameAssembler,
  Register,
} from "../../src/protocol";
import { nextEvent, withinSafetyTimeout } from "./host-test-helpers";

/**
 * The raw GATT steps the link layer performs, done directly on noble so the adapter host is tested on its own:
 * scan for ff00, connect, discover ff01/ff02, subscribe, write a JBD read request, gather the 20-byte notifications.
 */
type NobleInstance = typeof Noble;

export async function waitPoweredOn(noble: NobleInstance): Promise<void> {
  const emitter = noble as unknown as EventEmitter;
  const poweredOn = nextEvent<[string]>(emitter, "stateChange", (state) => state === "poweredOn");
  if (noble._state === "poweredOn") return;
  await poweredOn;
}

export async function findPeripheral(noble: NobleInstance, address: string): Promise<Noble.Peripheral> {
  const found = nextEvent<[Noble.Peripheral]>(
    noble as unknown as EventEmitter,
    "discover",
    (peripheral) => peripheral.address.toLowerCase() === address.toLowerCase(),
  );
  await withinSafetyTimeout(noble.startScanningAsync(["ff00"], false), "startScanning");
  const [peripheral] = await found;
  await withinSafetyTimeout(noble.stopScanningAsync(), "stopScanning");
  return peripheral;
}

export interface OpenLink {
  peripheral: Noble.Peripheral;
  /** The write characteristic (ff02). */
  tx: Noble.Characteristic;
  /** Sends a read request and resolves with the checked response frame and how many notifications carried it. */
  read(register: number): Promise<{ frame: Frame; chunks: number }>;
}

export async function openLink(peripheral: Noble.Peripheral): Promise<OpenLink> {
  await withinSafetyTimeout(peripheral.connectAsync(), "connect");
  const { characteristics } = await withinSafetyTimeout(
    peripheral.discoverSomeServicesAndCharacteristicsAsync(["ff00"], ["ff01", "ff02"]),
    "discover",
  );
  const rx = characteristics.find((c) => c.uuid === "ff01");
  const tx = characteristics.find((c) => c.uuid === "ff02");
  if (rx === undefined || tx === undefined) throw new Error("ff01/ff02 not found");
  await withinSafetyTimeout(rx.subscribeAsync(), "subscribe");
  return {
    peripheral,
    tx,
    read: (register) =>
      withinSafetyTimeout(
        new Promise<{ frame: Frame; chunks: number }>((resolve, reject) => {
          const assembler = new FrameAssembler();
          let chunks = 0;
          const onData = (data: Buffer) => {
            chunks += 1;
            const [frame] = assembler.push(data);
            if (frame === undefined) return;
            rx.off("data", onData);
            resolve({ frame, chunks });
          };
          rx.on("data", onData);
          tx.writeAsync(Buffer.from(encodeReadRequest(register)), true).catch((error: unknown) => {
            rx.off("data", onData);
            reject(error);
          });
        }),
        `read 0x${register.toString(16)}`,
      ),
  };
}

export { decodeBasicInfo, decodeCellVoltages, Register };
