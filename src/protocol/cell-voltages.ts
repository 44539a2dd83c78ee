import { type Frame, toHex } from "./frame";
import { checkStatus, expectRegister } from "./frame-checks";
import { ProtocolError } from "./protocol-error";
import { Register } from "./registers";

/**
 * Decodes a 0x04 response: len/2 big-endian millivolt values, cell 1 first, in V (PROTOCOL 4.1). A 0 mV reading stays
 * 0 (it is what the BMS sent). Throws BAD_FRAME for another register or an odd length, BMS_REJECTED for a bad status.
 */
export function decodeCellVoltages(frame: Frame): number[] {
  expectRegister(frame, Register.CellVoltages, "cell voltages");
  checkStatus(frame);
  const data = frame.data;
  if (data.length % 2 !== 0) {
    const hex = toHex(frame.raw);
    throw new ProtocolError("BAD_FRAME", "length", `0x04 cell voltages with an odd length ${data.length}: ${hex}`, {
      details: { frame: hex },
    });
  }
  return Array.from(
    { length: data.length / 2 },
    (_, cell) => (((data[2 * cell] as number) << 8) | (data[2 * cell + 1] as number)) / 1000,
  );
}
