import { acquireCentral, type Radio } from "../ble/central-registry";
import { ConnectionPool } from "./connection-pool";
import type { BmsPool, PoolOptions } from "./types";

export { ConnectionPool } from "./connection-pool";
export * from "./types";

/**
 * Creates the connection pool a bms-adapter config node owns, over the radio its creator chose. The noble instance
 * behind it is shared per radio (see src/ble/central-registry), so creating and closing pools on every redeploy is
 * cheap and safe; closing the last pool of an adapter also stops its adapter host process.
 */
export function createPool(radio: Radio, options: PoolOptions = {}): BmsPool {
  const lease = acquireCentral(radio);
  return new ConnectionPool(lease.central, options, lease.release);
}
export { inspect, type LinkInfo, type PoolDiagnostics, type PoolInspection } from "./diagnostics";
