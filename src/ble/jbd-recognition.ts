import { shortUuid } from "../bindings/noble-ids";
import { JBD_SERVICE_UUIDS } from "../protocol/gatt";

// How an advertisement is taken for a JBD battery (PROTOCOL 1.4): the one rule the address picker's scan applies.
// Names vary a lot and packs get renamed, so the name is the weakest evidence; the service UUID is the strongest.

/** One reason to take a device for a JBD battery. */
export type JbdEvidence =
  /** It advertises a JBD service (ff00, or fff0 of the JBD-DH04SC02). */
  | { by: "service"; service: string }
  /** Its address starts with the OUI of a Bluetooth module JBD packs are known to use. */
  | { by: "address"; prefix: string }
  /** Its name matches a pattern seen on JBD packs; `pattern` says which, for people. */
  | { by: "name"; pattern: string }
  /** This adapter holds a link to it, and link setup found the JBD service (it does not advertise meanwhile). */
  | { by: "link" };

/** The OUIs aiobmsble matches for JBD modules (PROTOCOL 1.4), upper case with colons. */
export const JBD_ADDRESS_PREFIXES: readonly string[] = [
  "A4:C1:37",
  "A4:C1:38",
  "A5:C2:37",
  "A5:C2:39",
  "A5:C2:3A",
  "AA:C2:37",
  "70:3E:97",
  "10:A5:62",
];

/**
 * The name patterns seen on JBD packs (PROTOCOL 1.4: the ESPHome scanner's "xiaoxiang" prefix, aiobmsble's matcher
 * and test data), each with how it is shown. Plain serial numbers, which some packs advertise, match nothing here.
 */
export const JBD_NAME_PATTERNS: readonly { pattern: string; test: RegExp }[] = [
  { pattern: "xiaoxiang…", test: /^xiaoxiang/i },
  { pattern: "JBD-…", test: /^JBD-/i },
  // Bare model codes: DP04S007L4S100A, SP17S005P17S120A, SP08S025L8S200A, AP21S002-L21S.
  { pattern: "SP04S005… (model code)", test: /^[A-Z]{2}\d{2}S\d{3}/i },
  { pattern: "DWF…", test: /^DWF/i },
  { pattern: "LSG-…", test: /^LSG-/i },
  { pattern: "N-…BL…", test: /^N-.{5}BL/i },
  { pattern: "SX1… / SX60… (Supervolt)", test: /^SX(1|60)/i },
  { pattern: "SBL-…", test: /^SBL-/i },
  { pattern: "OGR-…", test: /^OGR-/i },
  { pattern: "TZ-H…", test: /^TZ-H/i },
  { pattern: "GJ-…", test: /^GJ-/i },
  { pattern: "LT40AH", test: /^LT40AH/i },
];

/** What the rule reads of one advertisement, as noble reports it. */
export interface Advertised {
  address: string;
  name: string | null | undefined;
  serviceUuids: readonly string[];
}

/**
 * Every reason to take the advertiser for a JBD battery, strongest first (service, address, name); empty when
 * there is none. Pure: the scan applies it to each advertisement it sees.
 */
export function recogniseJbd(advertised: Advertised): JbdEvidence[] {
  const evidence: JbdEvidence[] = [];
  const service = advertised.serviceUuids.map(shortUuid).find((uuid) => JBD_SERVICE_UUIDS.includes(uuid));
  if (service !== undefined) evidence.push({ by: "service", service });
  const address = advertised.address.toUpperCase().replace(/-/g, ":");
  const prefix = JBD_ADDRESS_PREFIXES.find((oui) => address.startsWith(oui));
  if (prefix !== undefined) evidence.push({ by: "address", prefix });
  const name = advertised.name?.trim() ?? "";
  const named = JBD_NAME_PATTERNS.find(({ test }) => test.test(name));
  if (named !== undefined) evidence.push({ by: "name", pattern: named.pattern });
  return evidence;
}
