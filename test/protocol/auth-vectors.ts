import { encodeAuthPassword, encodeAuthRoot } from "../../src/protocol";

/** One row of the PROTOCOL 5.2 b table: the encrypted bytes and the checksum that closes the whole frame. */
export interface AuthVector {
  mac: string;
  /** A 6-character user password, or "root" for the 0x1D frame. */
  password: string;
  random: number;
  encrypted: string;
  checksum: string;
  /** What the module answered in the capture, where the source says. */
  outcome?: "ACK" | "NACK";
}

/** The ten test vectors of PROTOCOL 5.2 b (esphome-jbd-bms docs/ffaa-auth-flow, #94, PR #148). */
export const AUTH_VECTORS: readonly AuthVector[] = [
  { mac: "a4:c1:37:04:2d:be", password: "123123", random: 0x37, encrypted: "cc2a3b6c56c4", checksum: "d5" },
  {
    mac: "a4:c1:37:04:2d:be",
    password: "123412",
    random: 0x61,
    encrypted: "f65465917ded",
    checksum: "c8",
    outcome: "ACK",
  },
  {
    mac: "a4:c1:37:04:2d:be",
    password: "000000",
    random: 0x62,
    encrypted: "f65369967ff0",
    checksum: "d5",
    outcome: "NACK",
  },
  {
    mac: "a4:c1:37:04:2d:be",
    password: "111111",
    random: 0x21,
    encrypted: "b61127563db0",
    checksum: "4f",
    outcome: "NACK",
  },
  {
    mac: "a4:c1:37:04:2d:be",
    password: "root",
    random: 0x37,
    encrypted: "25baaa9d9005ae9b58775a6967696a",
    checksum: "fc",
  },
  {
    mac: "a4:c1:37:04:2d:be",
    password: "root",
    random: 0x61,
    encrypted: "4fe4d4c7ba2fd8c582a18493919394",
    checksum: "72",
  },
  { mac: "10:a5:62:32:75:36", password: "123456", random: 0x24, encrypted: "45bb752a6424", checksum: "45" },
  {
    mac: "10:a5:62:32:75:36",
    password: "root",
    random: 0xc9,
    encrypted: "23b0ef19ca0f402dea09ecfbf9fbfc",
    checksum: "17",
  },
  { mac: "10:a5:62:32:75:36", password: "123456", random: 0x45, encrypted: "66dc964b8545", checksum: "0b" },
  {
    mac: "10:a5:62:32:75:36",
    password: "root",
    random: 0xf3,
    encrypted: "4dda1943f4396a5714331625232526",
    checksum: "8d",
  },
];

/** The whole frame of a vector: `FF AA cmd len encrypted cs`. */
export function vectorFrame(vector: AuthVector): string {
  const command = vector.password === "root" ? "1d" : "18";
  const length = (vector.encrypted.length / 2).toString(16).padStart(2, "0");
  return `ffaa${command}${length}${vector.encrypted}${vector.checksum}`;
}

/** Our encoder for a vector's row. */
export function encodeVector(vector: AuthVector, mac = vector.mac): Uint8Array {
  return vector.password === "root"
    ? encodeAuthRoot(mac, vector.random)
    : encodeAuthPassword(mac, vector.password, vector.random);
}
