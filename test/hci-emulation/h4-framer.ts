/**
 * H4 framing, as btvirt speaks it on its unix sockets in both directions: one packet-type byte, then the packet.
 * A stream read hands over arbitrary slices, so packets are cut by their own length fields.
 */

export const H4_COMMAND = 0x01;
export const H4_ACL = 0x02;
export const H4_SCO = 0x03;
export const H4_EVENT = 0x04;
export const H4_ISO = 0x05;

/** Length of the whole packet (type byte included) that starts at `offset`, or undefined while its header is short. */
function packetLength(bytes: Buffer, offset: number): number | undefined {
  const available = bytes.length - offset;
  switch (bytes[offset]) {
    case H4_COMMAND:
    case H4_SCO:
      return available < 4 ? undefined : 4 + (bytes[offset + 3] as number);
    case H4_ACL:
      return available < 5 ? undefined : 5 + bytes.readUInt16LE(offset + 3);
    case H4_ISO:
      return available < 5 ? undefined : 5 + (bytes.readUInt16LE(offset + 3) & 0x3fff);
    case H4_EVENT:
      return available < 3 ? undefined : 3 + (bytes[offset + 2] as number);
    default:
      throw new Error(`H4 stream out of step: packet type 0x${(bytes[offset] as number).toString(16)}`);
  }
}

export class H4Framer {
  private rest: Buffer | undefined;

  /** Whole packets in this chunk (with what an earlier chunk left over); keeps the unfinished tail. */
  push(chunk: Buffer): Buffer[] {
    const bytes = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = undefined;
    const packets: Buffer[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const length = packetLength(bytes, offset);
      if (length === undefined || offset + length > bytes.length) break;
      packets.push(bytes.subarray(offset, offset + length));
      offset += length;
    }
    if (offset < bytes.length) this.rest = Buffer.from(bytes.subarray(offset));
    return packets;
  }
}
