import * as path from "node:path";
import { REPO_ROOT } from "./repository";

/** A node of a flow file, as Node-RED exports it. */
export type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

export interface Example {
  name: string;
  flow: FlowNode[];
}

interface ExampleFlows {
  readExampleFiles(packageDir: string): Example[];
  needsDashboard(flow: FlowNode[]): boolean;
  dashboardResolvable(userDir: string, repoRoot: string): boolean;
  mergeExamples(
    examples: Example[],
    adapterSettings: Record<string, unknown>,
    brokerSettings?: Record<string, unknown>,
  ): FlowNode[];
}

/** The demo's own merge (scripts/example-flows.js), so the tests run the flows the demo runs. */
export const exampleFlows = require(path.join(REPO_ROOT, "scripts", "example-flows.js")) as ExampleFlows;
