/**
 * How noble's HCI bindings name things, which every bindings implementation follows so that noble, the central and
 * the radios agree: a peripheral id is the address lower-cased without colons, a UUID is lower-case hex without
 * dashes, and a 16-bit UUID is written in its 4-digit short form.
 */

/** noble's peripheral id for an address: `AA:BB:CC:00:00:01` -> `aabbcc000001`. */
export function peripheralIdOf(address: string): string {
  return address.replace(/:/g, "").toLowerCase();
}

/**
 * A UUID in noble's form: `"FF00"`, `"0xff00"` and `"0000ff00-0000-1000-8000-00805f9b34fb"` all become `"ff00"` (noble
 * reports 16-bit UUIDs short, but some stacks report the full 128-bit base form).
 */
export function shortUuid(uuid: string): string {
  const bare = uuid.toLowerCase().replace(/^0x/, "").replace(/-/g, "");
  const base = /^0000([0-9a-f]{4})00001000800000805f9b34fb$/.exec(bare);
  return base ? (base[1] as string) : bare;
}
