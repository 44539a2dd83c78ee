import { readFileSync } from "node:fs";
import path from "node:path";

/** One entry of test/fixtures/public-frames.json (see test/fixtures/README.md). */
export interface PublicFrame {
  source: string;
  kind: string;
  hex: string;
  notifications?: string[];
  checksum_ok: boolean;
  decoded?: Record<string, unknown>;
}

// Compiled to dist/test/protocol; the fixture stays in the source tree.
const fixturePath = path.join(__dirname, "..", "..", "..", "test", "fixtures", "public-frames.json");

export const publicFrames: PublicFrame[] = JSON.parse(readFileSync(fixturePath, "utf8"));
