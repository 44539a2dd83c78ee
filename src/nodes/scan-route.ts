import type { NodeAPI } from "node-red";
import { BmsError, toBmsError } from "../errors";
import { createPool } from "../pool";
import type { ScanResult } from "../pool/types";
import { normalizeAddress } from "../protocol/address";
import type { BmsAdapterNode } from "./adapter-node";
import { adapterKey, adapterRadio } from "./adapter-radio";
import { type AdapterSettingsInput, parseAdapterSettings } from "./adapter-settings";
import { pickerList } from "./scan-list";
import { readSettings, SCAN_SETTINGS } from "./settings-schema";

/**
 * Distinct scans running at once. The picker needs one scan per open dialog; each pre-deploy scan with its own
 * settings starts a radio (a simulator, or an adapter host for HCI), so a flood of requests must not start a flood
 * of radios. Requests for a scan already running share it and do not count.
 */
export const MAX_CONCURRENT_SCANS = 2;
const registeredOn = new WeakSet<object>();

/** One scan the route can run: what identifies it (so equal requests share it) and how to start it. */
interface ScanJob {
  key: string;
  start(): Promise<ScanResult[]>;
}

/**
 * `GET bms-adapter/scan` for the editor's address picker (DESIGN 4.9). With `id` of a deployed bms-adapter it scans
 * through that node's pool (so batteries it holds, which stop advertising, are listed as linked); otherwise the
 * settings come in the query and a temporary pool is closed after the scan, so it works before the first deploy.
 * `duration` (seconds, default 4, at most 10) bounds the scan. `configured` (addresses separated by commas) names
 * the batteries the flow's nodes use on this adapter: they are marked, and listed even when not heard (pickerList).
 * Requests for the same scan while it runs share it; beyond MAX_CONCURRENT_SCANS distinct scans the answer is 429
 * `{ code: "TOO_MANY_SCANS", message }`. `simInHost` is ignored: a pre-deploy scan of simulated batteries runs them
 * in this process, never in an adapter host.
 */
export function registerScanRoute(RED: NodeAPI): void {
  // The module function runs once per runtime, but test harnesses call it on every load of the same admin app.
  if (registeredOn.has(RED.httpAdmin)) return;
  registeredOn.add(RED.httpAdmin);
  const running = new Map<string, Promise<ScanResult[]>>();
  RED.httpAdmin.get("/bms-adapter/scan", RED.auth.needsPermission("bms-adapter.read"), (req, res) => {
    const fail = (err: unknown) => {
      const error = toBmsError(err, "ADAPTER_UNAVAILABLE");
      res.status(error.code === "INVALID_INPUT" ? 400 : 503).json({ code: error.code, message: error.message });
    };
    let job: ScanJob;
    let configured: string[];
    try {
      job = scanJob(RED, req.query as Record<string, unknown>);
      configured = configuredAddresses(req.query.configured);
    } catch (err) {
      fail(err);
      return;
    }
    let scan = running.get(job.key);
    if (!scan) {
      if (running.size >= MAX_CONCURRENT_SCANS) {
        res.status(429).json({
          code: "TOO_MANY_SCANS",
          message: `${MAX_CONCURRENT_SCANS} scans are already running; try again when one has finished`,
        });
        return;
      }
      scan = job.start().finally(() => running.delete(job.key));
      running.set(job.key, scan);
    }
    scan.then((results) => res.json(pickerList(results, configured)), fail);
  });
}

function scanJob(RED: NodeAPI, query: Record<string, unknown>): ScanJob {
  const durationMs = scanDurationMs(query.duration);
  const deployed = typeof query.id === "string" && query.id ? RED.nodes.getNode(query.id) : null;
  if (deployed && deployed.type === "bms-adapter") {
    return {
      key: `deployed:${deployed.id}:${durationMs}`,
      // async: pool() throws for an adapter deployed with invalid settings, and that must become a JSON answer.
      start: async () => (deployed as BmsAdapterNode).pool().scan(durationMs),
    };
  }
  const settings = parseAdapterSettings({ ...(query as AdapterSettingsInput), simInHost: undefined });
  return {
    key: `settings:${adapterKey(settings.adapter)}:${durationMs}`,
    start: async () => {
      const pool = createPool(adapterRadio(settings.adapter), settings.options);
      try {
        return await pool.scan(durationMs);
      } finally {
        await pool.close();
      }
    },
  };
}

function scanDurationMs(raw: unknown): number {
  const { values, problems } = readSettings(SCAN_SETTINGS, { duration: raw }, ["duration"]);
  if (problems.length > 0) throw new BmsError("INVALID_INPUT", problems.join("; "));
  return values.duration * 1000;
}

/** The query's `configured`: addresses separated by commas (or the parameter repeated), each as the pool keys it. */
function configuredAddresses(raw: unknown): string[] {
  if (raw === undefined || raw === "") return [];
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((part) =>
    typeof part === "string" ? part.split(",") : [part],
  );
  return [...new Set(list.map((address) => normalizeAddress(address, "a configured address")))];
}
