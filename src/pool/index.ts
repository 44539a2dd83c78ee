import type { AdapterConfig } from "../ble/adapter-config";
import { centralFor } from "../ble/central-registry";
import { ConnectionPool } from "./connection-pool";
import type { BmsPool, PoolOptions } from "./types";

export { ConnectionPool } from "./connection-pool";
export * from "./types";

/**
 * Creates the connection pool a bms-adapter config node owns. The noble instance behind it is shared per adapter
 * (see src/ble), so creating and closing pools on every redeploy is cheap and safe.
 */
export function createPool(adapter: AdapterConfig, options: PoolOptions): BmsPool {
  return new ConnectionPool(centralFor(adapter), options);
}
