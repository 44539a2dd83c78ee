/**
 * The JBD wire protocol, exported as `@bmskit/node-red-jbd-bms/protocol` for function nodes and tools.
 * Pure functions and small classes: no I/O, no timers, no Node-RED.
 */
export { jbdChecksum } from "./checksum";
export { encodeFrame, encodeResponse, type Frame, toHex } from "./frame";
export type { BasicInfo, BasicInfoExtra, BmsPayload, MosState, ProtectionFlags, ProtectionName } from "./payload";
export { FRAME_END, FRAME_OVERHEAD, FRAME_START, Operation, Register } from "./registers";
