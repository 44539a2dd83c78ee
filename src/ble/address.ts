/** noble's peripheral id for an address: lower case without colons (the HCI bindings' convention). */
export function peripheralIdOf(address: string): string {
  return address.replace(/:/g, "").toLowerCase();
}
