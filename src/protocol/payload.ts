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
}

export type ProtectionName = keyof ProtectionFlags;

export interface MosState {
  charge: boolean;
  discharge: boolean;
}

/** The newer firmware trailer after the NTCs (PROTOCOL 3.3); present only when the frame carries it. */
export interface BasicInfoExtra {
  humidity: number;
  alarm: number;
  /** Names of set alarm bits (PROTOCOL 3.2 alarm table). */
  alarmActive: string[];
  fullChargeCapacity: number;
  remainingCapacity: number;
  /** Balance current in A. */
  balanceCurrent: number;
  /** Unknown bytes after the 9-byte trailer, as hex, kept rather than dropped. */
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
  protection: ProtectionFlags;
  protectionActive: ProtectionName[];
  softwareVersion: string;
  stateOfCharge: number;
  mos: MosState;
  cellCount: number;
  temperatures: number[];
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
  balancing: boolean[];
  temperatures: number[];
  mos: MosState;
  protection: ProtectionFlags;
  protectionActive: ProtectionName[];
  extra?: BasicInfoExtra;
}
