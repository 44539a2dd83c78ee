import type { Frame } from "./frame";
import { checkStatus, expectRegister } from "./frame-checks";
import { Register } from "./registers";

/**
 * Decodes a 0x05 response: the model string in raw ASCII with no length prefix (PROTOCOL 4.2), cut at the first NUL
 * and trimmed. Throws BAD_FRAME for another register, BMS_REJECTED when the BMS does not support 0x05 (status 0x80).
 */
export function decodeHardwareVersion(frame: Frame): string {
  expectRegister(frame, Register.HardwareVersion, "hardware version");
  checkStatus(frame);
  const nul = frame.data.indexOf(0);
  const text = nul < 0 ? frame.data : frame.data.subarray(0, nul);
  return String.fromCharCode(...text).trim();
}
