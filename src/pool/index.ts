import type { AdapterConfig } from "../ble/adapter-config";
import type { BmsPool, PoolOptions } from "./types";

export * from "./types";

/**
 * Creates the connection pool a bms-adapter config node owns. The noble instance behind it is shared per adapter
 * (see src/ble), so creating and closing pools on every redeploy is cheap and safe.
 */
export function createPool(_adapter: AdapterConfig, _options: PoolOptions): BmsPool {
  throw new Error("createPool: the pool lands with issue 4");
}
