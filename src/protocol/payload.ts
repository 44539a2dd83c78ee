/**
 * `msg.payload` of bms-poll (DESIGN 4.2). SI units only; current is positive while charging.
 * These field names are a public contract relied on by users' flows and the acceptance checks.
 */
export interface ProtectionFlags {
  cellOvervoltage: boolean;
  cellUndervoltage: boolean;
  packOvervoltage: boolean;
  packUndervoltage: boolean;
  chargeOvertemperature: boolean;
  chargeUndertemperature: boolean;
  dischargeOvertemperature: boolean;
  dischargeUndertemperature: boolean;
  chargeOvercurrent: boolean;
  dischargeOvercurrent: boolean;
  shortCircuit: boolean;
  frontEndError: boolean;
  mosSoftwareLock: boolean;
  /** Bit 13, named by one document only (PDF11 "charging MOS breakdown"); PDF4 calls it reserved. */
  chargeMosFault: boolean;
  /** Bit 14, named by one document only (PDF11 "discharge MOS breakdown"); PDF4 calls it reserved. */
  dischargeMosFault: boolean;
}

export type ProtectionName = keyof ProtectionFlags;

export interface MosState {
  charge: boolean;
  discharge: boolean;
}

/**
 * Bytes a 0x03 frame carries after its NTC temperatures (PROTOCOL 3.3). The V11 fields are present when at least
 * 9 such bytes came (the newer firmware trailer); a shorter, unknown tail (DWF/Daren packs) arrives only as
 * `unknownTail`, kept rather than dropped and never guessed at.
 */
export interface BasicInfoExtra {
  /** Humidity in %. */
  humidity?: number;
  /** Alarm word (PROTOCOL 3.2 alarm table), bits as sent, reserved bits included. */
  alarm?: number;
  /** Names of set alarm bits (PROTOCOL 3.2 alarm table). */
  alarmActive?: string[];
  /** Full-charge capacity in Ah. */
  fullChargeCapacity?: number;
  /** Remaining capacity in Ah as the trailer reports it. */
  remainingCapacity?: number;
  /** Balance current in A. */
  balanceCurrent?: number;
  /** Unknown bytes after the 9-byte trailer (or all of a shorter tail), as hex, kept rather than dropped. */
  unknownTail?: string;
}

/** Decoded 0x03 "basic info". */
export interface BasicInfo {
  voltage: number;
  current: number;
  residualCapacity: number;
  nominalCapacity: number;
  cycles: number;
  productionDate: string | null;
  balancing: boolean[];
  /** The protection word as sent, all 16 bits (bit 15 is reserved everywhere, bits 13-14 disputed). */
  protectionWord: number;
  protection: ProtectionFlags;
  protectionActive: ProtectionName[];
  softwareVersion: string;
  stateOfCharge: number;
  mos: MosState;
  cellCount: number;
  /** deg C per NTC; null for a sensor that reads raw 0 (0 K: absent or unplugged), so the count stays the NTC count. */
  temperatures: (number | null)[];
  extra?: BasicInfoExtra;
}

export interface BmsPayload {
  voltage: number;
  current: number;
  power: number;
  stateOfCharge: number;
  residualCapacity: number;
  nominalCapacity: number;
  energyStored: number;
  cycles: number;
  productionDate: string | null;
  softwareVersion: string;
  hardwareVersion: string | null;
  cellCount: number;
  cellVoltages: number[];
  cellMin: number;
  cellMax: number;
  cellAverage: number;
  cellDelta: number;
  /** Seconds to empty (discharging) or to full (charging) at the present current; null while resting. */
  timeRemainingS: number | null;
  balancing: boolean[];
  temperatures: (number | null)[];
  mos: MosState;
  protectionWord: number;
  protection: ProtectionFlags;
  protectionActive: ProtectionName[];
  extra?: BasicInfoExtra;
}
