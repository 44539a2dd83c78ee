/** JBD register and command codes used by this package (PROTOCOL.md sections 2, 5, 6). */
export const Register = {
  /** Enter factory mode (write 0x5678). */
  FactoryModeEnter: 0x00,
  /** Exit factory mode (write 0x0000 = without saving). */
  FactoryModeExit: 0x01,
  BasicInfo: 0x03,
  CellVoltages: 0x04,
  HardwareVersion: 0x05,
  MosControl: 0xe1,
} as const;

/** The registers whose replies this package waits for: the reads of a poll, the MOSFET write and the exit. */
export const REPLY_REGISTERS: readonly number[] = [
  Register.BasicInfo,
  Register.CellVoltages,
  Register.HardwareVersion,
  Register.MosControl,
  Register.FactoryModeExit,
];

/** Byte 1 of a request frame. */
export const Operation = {
  Read: 0xa5,
  Write: 0x5a,
} as const;

export const FRAME_START = 0xdd;
export const FRAME_END = 0x77;
/** Header (start, register, status, length) plus trailer (checksum high, checksum low, end). */
export const FRAME_OVERHEAD = 7;
