/** A node set as GET /nodes lists it: one node file of a module, with the types it registered or its load error. */
export interface NodeSet {
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

/** Small client for Node-RED's admin HTTP API (no adminAuth in tests, so no token). */
export class AdminApi {
  constructor(private readonly baseUrl: string) {}

  async getJson<T = unknown>(pathName: string): Promise<T> {
    const response = await fetch(new URL(pathName, this.baseUrl), { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`GET ${pathName}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** The node sets Node-RED has loaded from `module`. */
  async nodeSetsOf(module: string): Promise<NodeSet[]> {
    return (await this.getJson<NodeSet[]>("nodes")).filter((set) => set.module === module);
  }

  async getStatus(pathName: string): Promise<{ status: number; contentType: string | null }> {
    const response = await fetch(new URL(pathName, this.baseUrl));
    await response.arrayBuffer();
    return { status: response.status, contentType: response.headers.get("content-type") };
  }

  /** POSTs a multipart form, as the editor's uploads do (jQuery with a FormData body); answers the JSON reply. */
  async postForm<T = unknown>(pathName: string, form: FormData): Promise<T> {
    const response = await fetch(new URL(pathName, this.baseUrl), { method: "POST", body: form });
    if (!response.ok) throw new Error(`POST ${pathName}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Deploys `flows` with the given deployment type ("full", "nodes" or "flows"), as the editor's Deploy menu does. */
  async deploy(flows: unknown[], type: "full" | "nodes" | "flows"): Promise<void> {
    const response = await fetch(new URL("flows", this.baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Node-RED-Deployment-Type": type },
      body: JSON.stringify(flows),
    });
    if (response.status !== 204 && response.status !== 200) {
      throw new Error(`deploy (${type}): HTTP ${response.status} ${await response.text()}`);
    }
  }
}
