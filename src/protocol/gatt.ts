/**
 * The GATT layouts a JBD BLE module exposes (PROTOCOL 1.1): the common ff00 service and the fff0 variant of the
 * JBD-DH04SC02, each with a notify characteristic (the BMS's replies) and a write characteristic (our requests).
 * UUIDs in their 16-bit short form, lower case, as noble reports them. The central looks for these, and the
 * simulator offers them.
 */
export type GattVariant = "ff00" | "fff0";

export interface JbdGattLayout {
  service: string;
  notify: string;
  write: string;
}

export const JBD_GATT: Readonly<Record<GattVariant, JbdGattLayout>> = {
  ff00: { service: "ff00", notify: "ff01", write: "ff02" },
  fff0: { service: "fff0", notify: "fff1", write: "fff2" },
};

/** Every layout, in the order a central tries them. */
export const JBD_GATT_LAYOUTS: readonly JbdGattLayout[] = [JBD_GATT.ff00, JBD_GATT.fff0];

export const JBD_SERVICE_UUIDS: readonly string[] = JBD_GATT_LAYOUTS.map((layout) => layout.service);
