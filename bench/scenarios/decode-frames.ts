import { encodeBasicInfo, encodeFrame, Register } from "../../src/protocol";

/** BLE notifications carry at most 20 bytes at the MTU of 23 a JBD module keeps (PROTOCOL 1.3). */
export const NOTIFICATION_BYTES = 20;

const CELLS = 16;

function u16(view: DataView, offset: number, value: number): void {
  view.setUint16(offset, value & 0xffff, false);
}

/** A plausible 16-cell 0x03 frame (classic firmware, 3 NTCs). */
export function basicInfoFrame16(): Uint8Array {
  return encodeBasicInfo({
    voltage: 53.12,
    current: -12.34, // discharging: exercises the signed path
    residualCapacity: 85.23,
    nominalCapacity: 100,
    cycles: 42,
    productionDate: "2025-03-28",
    balancing: Array.from({ length: CELLS }, (_, i) => i === 2 || i === 5), // cells 3 and 6
    protectionWord: 0,
    softwareVersion: "8.0",
    stateOfCharge: 85,
    mos: { charge: true, discharge: true },
    cellCount: CELLS,
    temperatures: [25, 26, 27],
  });
}

/** The matching 0x04 frame: 16 cells around 3.32 V with a few millivolts of spread. */
export function cellVoltagesFrame16(): Uint8Array {
  const data = new Uint8Array(2 * CELLS);
  const view = new DataView(data.buffer);
  for (let i = 0; i < CELLS; i++) u16(view, 2 * i, 3320 + ((i * 7) % 11) - 5);
  return encodeFrame(Register.CellVoltages, 0, data);
}

/** Splits a frame the way the BMS sends it: consecutive notifications of up to 20 bytes. */
export function toNotifications(frame: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < frame.length; at += NOTIFICATION_BYTES) {
    chunks.push(frame.subarray(at, at + NOTIFICATION_BYTES));
  }
  return chunks;
}
