/**
 * The JBD wire protocol, exported as `@bmskit/node-red-jbd-bms/protocol` for function nodes and tools.
 * Pure functions and small classes: no I/O, no timers, no Node-RED.
 */

export {
  AuthCommand,
  type AuthReply,
  AuthStatus,
  decodeAuthReply,
  encodeAuthAppKey,
  encodeAuthPassword,
  encodeAuthRandomRequest,
  encodeAuthReply,
  encodeAuthRoot,
} from "./auth";
export { AuthReplyReader, type AuthReplyReaderOptions } from "./auth-reply-reader";
export { ALARM_BITS, decodeBasicInfo, PROTECTION_BITS } from "./basic-info";
export { buildPayload } from "./build-payload";
export { decodeCellVoltages } from "./cell-voltages";
export { jbdChecksum } from "./checksum";
export { type EncodableBasicInfo, encodeBasicInfo } from "./encode-basic-info";
export { encodeFrame, type Frame, toHex } from "./frame";
export { FrameAssembler, type FrameAssemblerOptions } from "./frame-assembler";
export { checkStatus, expectRegister, isAck, isRequestEcho, needsPairingError } from "./frame-checks";
export { decodeHardwareVersion } from "./hardware-version";
export { MAX_FRAME_LENGTH, parseFrame } from "./parse-frame";
export type { BasicInfo, BasicInfoExtra, BmsPayload, MosState, ProtectionFlags, ProtectionName } from "./payload";
export { isProtocolError, ProtocolError, type ProtocolErrorCode, type ProtocolErrorReason } from "./protocol-error";
export { FRAME_END, FRAME_OVERHEAD, FRAME_START, Operation, Register } from "./registers";
export {
  decodeMosRequest,
  decodeRequest,
  encodeExitFactoryRequest,
  encodeMosRequest,
  encodeReadRequest,
  encodeWriteRequest,
  type Request,
} from "./requests";
export { timeRemainingSeconds } from "./time-remaining";
