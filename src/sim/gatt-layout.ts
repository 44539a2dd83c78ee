import { type GattVariant, JBD_GATT } from "../protocol/gatt";

/**
 * The GATT table of a JBD BLE module as the Android captures show it (PROTOCOL.md 1.1): generic access, generic
 * attribute, device information, the JBD service (its layout from src/protocol/gatt), and the Telink OTA service.
 * UUIDs in noble's form: 16-bit as 4 lower-case hex digits, 128-bit as 32 without dashes.
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

const TELINK_OTA_SERVICE = "000102030405060708090a0b0c0d1912";
const TELINK_OTA_CHARACTERISTIC = "000102030405060708090a0b0c0d2b12";

/** Builds a module's table. `writeWithResponse` models the old dongles whose write characteristic is "write". */
export function gattTable(variant: GattVariant, writeWithResponse: boolean): SimService[] {
  const jbd = JBD_GATT[variant];
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
