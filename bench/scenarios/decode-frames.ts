import { encodeResponse, Register } from "../../src/protocol";

/** BLE notifications carry at most 20 bytes at the MTU of 23 a JBD module keeps (PROTOCOL 1.3). */
export const NOTIFICATION_BYTES = 20;

const CELLS = 16;
const NTC_COUNT = 3;

function u16(view: DataView, offset: number, value: number): void {
  view.setUint16(offset, value & 0xffff, false);
}

/** A plausible 16-cell 0x03 frame (classic firmware, 3 NTCs), laid out per PROTOCOL 3.1. */
export function basicInfoFrame16(): Uint8Array {
  const data = new Uint8Array(23 + 2 * NTC_COUNT);
  const view = new DataView(data.buffer);
  u16(view, 0, 5312); // 53.12 V
  u16(view, 2, -1234); // -12.34 A: discharging, exercises the signed path
  u16(view, 4, 8523); // 85.23 Ah residual
  u16(view, 6, 10000); // 100.00 Ah nominal
  u16(view, 8, 42); // cycles
  u16(view, 10, ((25 << 9) | (3 << 5) | 28) & 0xffff); // 2025-03-28
  u16(view, 12, 0b0000_0000_0010_0100); // balancing cells 3 and 6
  u16(view, 14, 0);
  u16(view, 16, 0); // no protection
  data[18] = 0x80; // software 8.0
  data[19] = 85; // SOC %
  data[20] = 0x03; // both MOSFETs on
  data[21] = CELLS;
  data[22] = NTC_COUNT;
  for (let i = 0; i < NTC_COUNT; i++) u16(view, 23 + 2 * i, 2981 + 10 * i); // 25.0, 26.0, 27.0 °C
  return encodeResponse(Register.BasicInfo, 0, data);
}

/** The matching 0x04 frame: 16 cells around 3.32 V with a few millivolts of spread. */
export function cellVoltagesFrame16(): Uint8Array {
  const data = new Uint8Array(2 * CELLS);
  const view = new DataView(data.buffer);
  for (let i = 0; i < CELLS; i++) u16(view, 2 * i, 3320 + ((i * 7) % 11) - 5);
  return encodeResponse(Register.CellVoltages, 0, data);
}

/** Splits a frame the way the BMS sends it: consecutive notifications of up to 20 bytes. */
export function toNotifications(frame: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < frame.length; at += NOTIFICATION_BYTES) {
    chunks.push(frame.subarray(at, at + NOTIFICATION_BYTES));
  }
  return chunks;
}
