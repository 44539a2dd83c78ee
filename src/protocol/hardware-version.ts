import type { Frame } from "./frame";
import { checkStatus, expectRegister } from "./frame-checks";
import { Register } from "./registers";

/** Printable ASCII, space to tilde: what a model string is made of. */
const FIRST_PRINTABLE = 0x20;
const LAST_PRINTABLE = 0x7e;

/**
 * Decodes a 0x05 response: the model string in raw ASCII with no length prefix (PROTOCOL 4.2), cut at the first NUL,
 * with only printable ASCII kept (control bytes and bytes above 0x7E would reach dashboards and MQTT as garbage), and
 * trimmed. Throws BAD_FRAME for another register, BMS_REJECTED when the BMS does not support 0x05 (status 0x80).
 */
export function decodeHardwareVersion(frame: Frame): string {
  expectRegister(frame, Register.HardwareVersion, "hardware version");
  checkStatus(frame);
  const nul = frame.data.indexOf(0);
  const text = nul < 0 ? frame.data : frame.data.subarray(0, nul);
  const printable = text.filter((byte) => byte >= FIRST_PRINTABLE && byte <= LAST_PRINTABLE);
  return String.fromCharCode(...printable).trim();
}
