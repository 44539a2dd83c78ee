import type { NodeAPI } from "node-red";
import { BmsError, toBmsError } from "../errors";
import { createPool } from "../pool";
import type { AdapterStateEvent, BmsPool, LinkStateEvent } from "../pool/types";
import type { AdapterUser, BmsAdapterNode } from "./adapter-node";
import { adapterRadio } from "./adapter-radio";
import {
  type AdapterCredentialsInput,
  type AdapterNodeDef,
  type AdapterSettings,
  parseAdapterSettings,
} from "./adapter-settings";
import { PoolListenerScope } from "./pool-listener-scope";
import { registerScanRoute } from "./scan-route";
import { ADAPTER_CREDENTIALS, ADAPTER_SETTINGS, forEditor } from "./settings-schema";
import { traceLoggingEnabled } from "./trace-logging";

/**
 * The bms-adapter config node: holds the radio settings and owns one connection pool, created on first use.
 * It tracks its users, fans pool events out to their badges, and closes the pool when it is itself closed
 * (redeploy, delete, shutdown) or when its last user is removed. A partial deploy that keeps this node keeps links.
 */
export = (RED: NodeAPI) => {
  type AdapterNode = BmsAdapterNode & { settings: AdapterSettings | null };
  function BmsAdapter(this: AdapterNode, def: AdapterNodeDef) {
    RED.nodes.createNode(this, def);
    const users = new Map<string, AdapterUser>();
    let current: { pool: BmsPool; listeners: PoolListenerScope } | null = null;
    let closed = false;
    let settingsError: BmsError | null = null;

    try {
      this.settings = parseAdapterSettings(def, this.credentials);
    } catch (err) {
      this.settings = null;
      settingsError = err as BmsError;
      this.error(settingsError);
    }

    const fanOutState = (event: LinkStateEvent) => {
      for (const user of users.values()) if (user.watches(event.address)) user.linkChanged(event);
    };
    const fanOutAdapter = (event: AdapterStateEvent) => {
      for (const user of users.values()) user.adapterChanged(event);
    };

    this.pool = (): BmsPool => {
      if (settingsError) throw settingsError;
      if (closed) throw new BmsError("POOL_CLOSED", "The bms-adapter configuration node has been closed");
      if (current) return current.pool;
      const settings = this.settings!;
      let pool: BmsPool;
      try {
        pool = createPool(adapterRadio(settings.adapter), {
          ...settings.options,
          log: traceLoggingEnabled(RED)
            ? { debug: (m) => this.debug(m), trace: (m) => this.trace(m) }
            : { debug: (m) => this.debug(m) },
        });
      } catch (err) {
        // Building the bindings failed (the adapter host could not be started, say): the adapter cannot be used.
        throw toBmsError(err, "ADAPTER_UNAVAILABLE");
      }
      const listeners = new PoolListenerScope(pool);
      listeners.onState(fanOutState);
      listeners.onAdapter(fanOutAdapter);
      current = { pool, listeners };
      this.debug(`pool opened (${settings.adapter.transport}, ${settings.passwords})`);
      return pool;
    };

    const closePool = async (): Promise<void> => {
      if (!current) return;
      const { pool, listeners } = current;
      current = null;
      listeners.dispose();
      try {
        await pool.close();
      } catch (err) {
        this.warn(`closing the connection pool failed: ${String(err)}`);
      }
      this.debug("pool closed");
    };

    this.register = (user: AdapterUser): void => {
      users.set(user.id, user);
    };

    this.deregister = async (user: AdapterUser, removed: boolean): Promise<void> => {
      users.delete(user.id);
      if (removed && users.size === 0) await closePool();
    };

    this.on("close", (_removed: boolean, done: () => void) => {
      closed = true;
      users.clear();
      closePool().then(done, done);
    });
  }

  // The settings schema goes to the editor as node settings (RED.settings.bmsAdapterSettings, and the rules of the
  // credentials as bmsAdapterCredentials): its validators and defaults are the runtime's. The module passwords are a
  // credential of type password: Node-RED keeps them out of the flows, stores them encrypted in the credentials file
  // and never sends them back to the editor.
  RED.nodes.registerType<AdapterNode, AdapterNodeDef, unknown, AdapterCredentialsInput>("bms-adapter", BmsAdapter, {
    credentials: { password: { type: "password" } },
    settings: {
      bmsAdapterSettings: { value: forEditor(ADAPTER_SETTINGS), exportable: true },
      bmsAdapterCredentials: { value: forEditor(ADAPTER_CREDENTIALS), exportable: true },
    },
  });
  registerScanRoute(RED);
};
