import type { AdapterConfig } from "../ble/adapter-config";
import { acquireCentral } from "../ble/central-registry";
import { ConnectionPool } from "./connection-pool";
import type { BmsPool, PoolOptions } from "./types";

export { ConnectionPool } from "./connection-pool";
export * from "./types";

/**
 * Creates the connection pool a bms-adapter config node owns. The noble instance behind it is shared per adapter
 * (see src/ble), so creating and closing pools on every redeploy is cheap and safe; closing the last pool of an
 * adapter also stops its adapter host process.
 */
export function createPool(adapter: AdapterConfig, options: PoolOptions): BmsPool {
  const lease = acquireCentral(adapter);
  return new ConnectionPool(lease.central, options, lease.release);
}
