import type { GattVariant } from "../protocol/gatt";

/** The fixed identity of one virtual battery: what it advertises, which GATT variant and which 0x03 layout it has. */
export interface BatterySpec {
  /** Its Bluetooth address (`AA:BB:CC:00:00:NN` by default), upper case with colons. */
  address: string;
  /** Advertised local name. */
  name: string;
  /**
   * Whether its advertisement carries the JBD service UUID. Some modules leave it out: a service-filtered scan never
   * hears them, and only the address or the name can tell what they are.
   */
  advertisesService: boolean;
  /** 0x05 hardware version string. */
  model: string;
  cells: number;
  /** NTC sensors reported in 0x03. */
  ntcCount: number;
  /** Appends the V11 9-byte trailer (humidity, alarm, full-charge and remaining capacity, balance current). */
  v11Trailer: boolean;
  gatt: GattVariant;
  /** Old dongle: the write characteristic is "write" (with response), acknowledged by a `write` event. */
  writeWithResponse: boolean;
  nominalAh: number;
  /** 0x03 software version as decoded ("8.0" is the byte 0x80). */
  softwareVersion: string;
  /** "YYYY-MM-DD". */
  productionDate: string;
  /** Peak solar charge current and evening load, in A. */
  solarPeakA: number;
  baseLoadA: number;
  eveningLoadA: number;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * The default spec of battery n (1-based) in a world of `count` batteries. Four models rotate so a small world shows
 * the variety real installations have; battery 3 uses the fff0 variant when there are at least 3 batteries.
 */
export function defaultBatterySpec(n: number, count: number, cells: number): BatterySpec {
  const c = pad2(cells);
  const common = {
    address: simAddress(n),
    advertisesService: true,
    cells,
    gatt: "ff00" as GattVariant,
    writeWithResponse: false,
  };
  let spec: BatterySpec;
  switch ((n - 1) % 4) {
    case 0:
      spec = {
        ...common,
        name: "xiaoxiang BMS",
        model: `JBD-SP${c}S034-L${cells}S-200A-B-U`,
        ntcCount: 3,
        v11Trailer: false,
        nominalAh: 200,
        softwareVersion: "8.0",
        productionDate: "2023-05-14",
        solarPeakA: 24,
        baseLoadA: 3,
        eveningLoadA: 12,
      };
      break;
    case 1:
      spec = {
        ...common,
        name: `JBD-SP${c}S020-L${cells}S`,
        model: `JBD-SP${c}S020-L${cells}S-100A`,
        ntcCount: 2,
        v11Trailer: false,
        nominalAh: 100,
        softwareVersion: "2.2",
        productionDate: "2022-03-28",
        solarPeakA: 12,
        baseLoadA: 1.5,
        eveningLoadA: 6,
      };
      break;
    case 2:
      spec = {
        ...common,
        name: `DP${c}S007L${cells}S100A`,
        model: `DP${c}S007L${cells}S100A`,
        ntcCount: 1,
        v11Trailer: true,
        nominalAh: 100,
        softwareVersion: "4.4",
        productionDate: "2024-09-02",
        solarPeakA: 10,
        baseLoadA: 1,
        eveningLoadA: 5,
      };
      break;
    default:
      spec = {
        ...common,
        name: `SP${c}S005P${cells}S120A`,
        model: `SP${c}S005-P${cells}S-120A`,
        ntcCount: 4,
        v11Trailer: false,
        nominalAh: 280,
        softwareVersion: "2.9",
        productionDate: "2024-01-19",
        solarPeakA: 30,
        baseLoadA: 4,
        eveningLoadA: 15,
      };
  }
  if (n === 3 && count >= 3) spec.gatt = "fff0";
  return spec;
}

/** `AA:BB:CC:00:00:NN` for battery n (1-based), NN = n as two upper-case hex digits. */
export function simAddress(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 0xff) throw new RangeError(`battery number out of range: ${n}`);
  return `AA:BB:CC:00:00:${n.toString(16).toUpperCase().padStart(2, "0")}`;
}
