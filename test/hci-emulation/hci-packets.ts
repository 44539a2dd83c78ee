import { H4_ACL, H4_COMMAND, H4_EVENT } from "./h4-framer";

/** Reading and building the few HCI packets the tier's fault injection looks at (Bluetooth Core Vol 4 Part E). */

export const OPCODE = {
  disconnect: 0x0406,
  readBdAddr: 0x1009,
  leCreateConnection: 0x200d,
  leCreateConnectionCancel: 0x200e,
} as const;
export const EVENT = {
  disconnectionComplete: 0x05,
  commandComplete: 0x0e,
  commandStatus: 0x0f,
  numberOfCompletedPackets: 0x13,
  leMeta: 0x3e,
} as const;
export const LE_CONNECTION_COMPLETE = 0x01;
export const STATUS = { commandDisallowed: 0x0c, connectionTimeout: 0x08, remoteUserTerminated: 0x13 } as const;
/** ATT opcodes (Vol 3 Part F 3.4). */
export const ATT = {
  findInformationRequest: 0x04,
  readByTypeRequest: 0x08,
  readByGroupTypeRequest: 0x10,
  writeRequest: 0x12,
  handleValueNotification: 0x1b,
  writeCommand: 0x52,
} as const;

export function commandOpcode(packet: Buffer): number | undefined {
  return packet[0] === H4_COMMAND && packet.length >= 3 ? packet.readUInt16LE(1) : undefined;
}

export function eventCode(packet: Buffer): number | undefined {
  return packet[0] === H4_EVENT ? packet[1] : undefined;
}

export function leSubevent(packet: Buffer): number | undefined {
  return eventCode(packet) === EVENT.leMeta ? packet[3] : undefined;
}

/** The opcode a Command Complete or Command Status answers. */
export function answeredOpcode(packet: Buffer): number | undefined {
  const code = eventCode(packet);
  if (code === EVENT.commandComplete) return packet.readUInt16LE(4);
  if (code === EVENT.commandStatus) return packet.readUInt16LE(5);
  return undefined;
}

export function aclHandle(packet: Buffer): number | undefined {
  return packet[0] === H4_ACL ? packet.readUInt16LE(1) & 0x0fff : undefined;
}

/** ATT opcode of an ACL packet that starts an L2CAP frame on the ATT channel (cid 4). */
export function attOpcode(packet: Buffer): number | undefined {
  if (packet[0] !== H4_ACL || packet.length < 10) return undefined;
  const boundary = (packet.readUInt16LE(1) >> 12) & 0x3;
  if (boundary === 0x1 || packet.readUInt16LE(7) !== 0x0004) return undefined;
  return packet[9];
}

/** Handle of the link an LE Connection Complete (status 0) announces, with the peer address as noble prints it. */
export function leConnectionComplete(packet: Buffer): { status: number; handle: number; peer: string } | undefined {
  if (leSubevent(packet) !== LE_CONNECTION_COMPLETE) return undefined;
  return { status: packet[4] as number, handle: packet.readUInt16LE(5), peer: bdaddr(packet, 9) };
}

export function disconnectionComplete(packet: Buffer): { status: number; handle: number; reason: number } | undefined {
  if (eventCode(packet) !== EVENT.disconnectionComplete) return undefined;
  return { status: packet[3] as number, handle: packet.readUInt16LE(4), reason: packet[6] as number };
}

/** The controller's own address, from the Command Complete of Read BD_ADDR. */
export function readBdAddrResult(packet: Buffer): string | undefined {
  if (answeredOpcode(packet) !== OPCODE.readBdAddr || eventCode(packet) !== EVENT.commandComplete) return undefined;
  return packet[6] === 0 ? bdaddr(packet, 7) : undefined;
}

export function buildDisconnectionComplete(handle: number, reason: number): Buffer {
  const packet = Buffer.from([H4_EVENT, EVENT.disconnectionComplete, 4, 0, 0, 0, reason]);
  packet.writeUInt16LE(handle, 4);
  return packet;
}

export function buildCommandStatus(opcode: number, status: number): Buffer {
  const packet = Buffer.from([H4_EVENT, EVENT.commandStatus, 4, status, 1, 0, 0]);
  packet.writeUInt16LE(opcode, 5);
  return packet;
}

export function buildCommandComplete(opcode: number, status: number): Buffer {
  const packet = Buffer.from([H4_EVENT, EVENT.commandComplete, 4, 1, 0, 0, status]);
  packet.writeUInt16LE(opcode, 4);
  return packet;
}

export function buildDisconnect(handle: number, reason: number): Buffer {
  const packet = Buffer.from([H4_COMMAND, 0, 0, 3, 0, 0, reason]);
  packet.writeUInt16LE(OPCODE.disconnect, 1);
  packet.writeUInt16LE(handle, 4);
  return packet;
}

function bdaddr(packet: Buffer, offset: number): string {
  const bytes: string[] = [];
  for (let i = 5; i >= 0; i--) bytes.push((packet[offset + i] as number).toString(16).padStart(2, "0"));
  return bytes.join(":").toUpperCase();
}
