/**
 * JBD checksum (PROTOCOL.md 2.3): 0x10000 minus the byte sum from index 2 up to the end of the data, masked to
 * 16 bits. Byte 1 (operation or register) is not summed. The mask matters: an empty ack sums to 0 and its
 * checksum is 0x0000, not 0x10000.
 */
export function jbdChecksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i] as number;
  return (0x10000 - sum) & 0xffff;
}
