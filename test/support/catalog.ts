import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./repository";

const catalogs = new Map<string, unknown>();

/**
 * RED._ over the package's shipped English catalogs, as the runtime and the editor apply them: a key
 * `@bmskit/node-red-jbd-bms/<type>:dotted.path` and i18next-style `__name__` substitutions. Throws for a key the
 * catalog does not have, so a test cannot pass on a missing text.
 */
export function translate(key: string, substitutions: Record<string, unknown> = {}): string {
  const [namespace, dotted] = key.split(":") as [string, string];
  const type = namespace.replace("@bmskit/node-red-jbd-bms/", "");
  if (!catalogs.has(type)) {
    const file = path.join(REPO_ROOT, "nodes", "locales", "en-US", `${type}.json`);
    catalogs.set(type, JSON.parse(fs.readFileSync(file, "utf8")));
  }
  const text = dotted
    .split(".")
    .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], catalogs.get(type));
  if (typeof text !== "string") throw new Error(`no catalog text for ${key}`);
  return text.replace(/__(\w+)__/g, (_, name: string) => String(substitutions[name]));
}
