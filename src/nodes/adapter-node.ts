import type { Node } from "node-red";
import type { AdapterStateEvent, BmsPool, LinkStateEvent } from "../pool/types";
import type { AdapterCredentialsInput, AdapterSettings } from "./adapter-settings";

/** What a bms-poll or bms-mos node tells its bms-adapter when it registers (core MQTT's users pattern). */
export interface AdapterUser {
  readonly id: string;
  /** True when link events of this address belong on the user's badge. */
  watches(address: string): boolean;
  linkChanged(event: LinkStateEvent): void;
  adapterChanged(event: AdapterStateEvent): void;
}

/** The bms-adapter config node as its users see it (its credentials, the module passwords, stay with it). */
export interface BmsAdapterNode extends Node<AdapterCredentialsInput> {
  /** Parsed settings, or null when they are invalid (then `pool()` throws INVALID_INPUT). */
  readonly settings: AdapterSettings | null;
  /** The adapter's pool, created on first use; throws a BmsError when the settings are invalid. */
  pool(): BmsPool;
  register(user: AdapterUser): void;
  /** `removed`: the user was deleted or disabled (not merely restarted); the last removed user closes the pool. */
  deregister(user: AdapterUser, removed: boolean): Promise<void>;
}
