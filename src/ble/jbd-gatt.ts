/**
 * The GATT layouts a JBD BLE module may expose (PROTOCOL 1.1): the common ff00 service and the fff0 variant of
 * the JBD-DH04SC02. UUIDs are in noble's short lower-case form.
 */
export interface JbdGattLayout {
  service: string;
  notify: string;
  write: string;
}

export const JBD_GATT_LAYOUTS: readonly JbdGattLayout[] = [
  { service: "ff00", notify: "ff01", write: "ff02" },
  { service: "fff0", notify: "fff1", write: "fff2" },
];

export const JBD_SERVICE_UUIDS: readonly string[] = JBD_GATT_LAYOUTS.map((layout) => layout.service);

/** Noble reports 16-bit UUIDs short, but some stacks report the full 128-bit base form. */
export function shortUuid(uuid: string): string {
  const lower = uuid.toLowerCase().replace(/-/g, "");
  const base = /^0000([0-9a-f]{4})00001000800000805f9b34fb$/.exec(lower);
  return base ? (base[1] as string) : lower;
}

export function isJbdService(uuid: string): boolean {
  return JBD_SERVICE_UUIDS.includes(shortUuid(uuid));
}
