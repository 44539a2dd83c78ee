/**
 * The GATT table of a JBD BLE module as the Android captures show it (PROTOCOL.md 1.1): generic access, generic
 * attribute, device information, the JBD service, and the Telink OTA service. UUIDs in noble's form: 16-bit as 4
 * lower-case hex digits, 128-bit as 32 without dashes.
 */
export type CharacteristicProperty = "read" | "write" | "writeWithoutResponse" | "notify" | "indicate";

export interface SimCharacteristic {
  uuid: string;
  properties: CharacteristicProperty[];
  descriptors: string[];
}

export interface SimService {
  uuid: string;
  characteristics: SimCharacteristic[];
}

/** Which UUID set the module uses: the common ff00/ff01/ff02 or the DH04SC02-style fff0/fff1/fff2. */
export type GattVariant = "ff00" | "fff0";

/** The JBD service with its notify (replies) and write (requests) characteristics. */
export interface JbdService {
  service: string;
  notify: string;
  write: string;
}

export const JBD_SERVICES: Record<GattVariant, JbdService> = {
  ff00: { service: "ff00", notify: "ff01", write: "ff02" },
  fff0: { service: "fff0", notify: "fff1", write: "fff2" },
};

const TELINK_OTA_SERVICE = "000102030405060708090a0b0c0d1912";
const TELINK_OTA_CHARACTERISTIC = "000102030405060708090a0b0c0d2b12";

/** Builds a module's table. `writeWithResponse` models the old dongles whose write characteristic is "write". */
export function gattTable(variant: GattVariant, writeWithResponse: boolean): SimService[] {
  const jbd = JBD_SERVICES[variant];
  return [
    {
      uuid: "1800",
      characteristics: [
        { uuid: "2a00", properties: ["read"], descriptors: [] },
        { uuid: "2a01", properties: ["read"], descriptors: [] },
      ],
    },
    { uuid: "1801", characteristics: [{ uuid: "2a05", properties: ["indicate"], descriptors: ["2902"] }] },
    { uuid: "180a", characteristics: [{ uuid: "2a50", properties: ["read"], descriptors: [] }] },
    {
      uuid: jbd.service,
      characteristics: [
        { uuid: jbd.notify, properties: ["read", "notify"], descriptors: ["2902", "2901"] },
        {
          uuid: jbd.write,
          properties: ["read", writeWithResponse ? "write" : "writeWithoutResponse"],
          descriptors: ["2901"],
        },
      ],
    },
    {
      uuid: TELINK_OTA_SERVICE,
      characteristics: [
        { uuid: TELINK_OTA_CHARACTERISTIC, properties: ["read", "writeWithoutResponse"], descriptors: ["2901"] },
      ],
    },
  ];
}

/** Accepts "FF00", "0xff00", "0000ff00-0000-1000-8000-00805f9b34fb" and returns noble's short form "ff00". */
export function normalizeUuid(uuid: string): string {
  const bare = uuid.toLowerCase().replace(/^0x/, "").replace(/-/g, "");
  const base = /^0000([0-9a-f]{4})00001000800000805f9b34fb$/.exec(bare);
  return base ? (base[1] as string) : bare;
}
