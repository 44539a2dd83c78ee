import { describeInput } from "../describe-input";
import { BmsError } from "../errors";
import type { MosState } from "../protocol/payload";

/**
 * Parses a bms-mos `msg.payload` (DESIGN 4.6): `{ charge?, discharge? }` with booleans only and at least one of
 * them, `"on"`/`"off"` or `true`/`false` for both. Anything else is INVALID_INPUT, before anything is written.
 */
export function parseMosCommand(payload: unknown): Partial<MosState> {
  if (payload === true || payload === "on") return { charge: true, discharge: true };
  if (payload === false || payload === "off") return { charge: false, discharge: false };
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw invalid(
      `msg.payload must be "on", "off", true, false or { charge, discharge }, not ${describeInput(payload)}`,
    );
  }
  const command: Partial<MosState> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key !== "charge" && key !== "discharge") throw invalid(`unknown key ${describeInput(key)} in msg.payload`);
    if (typeof value !== "boolean")
      throw invalid(`msg.payload.${key} must be true or false, not ${describeInput(value)}`);
    command[key] = value;
  }
  if (command.charge === undefined && command.discharge === undefined) {
    throw invalid("msg.payload must set charge, discharge or both");
  }
  return command;
}

function invalid(message: string): BmsError {
  return new BmsError("INVALID_INPUT", message);
}
