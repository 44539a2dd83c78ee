#!/usr/bin/env node
// npm's `prepare`: builds the package when its compiled output is missing. That is the case after
// `npm install <git URL>` (npm clones the repository into a temporary folder, installs its devDependencies, runs
// `prepare`, then installs what the `files` list packs) and in a fresh clone after `npm ci`. When the output is
// there it does nothing, because npm 11 also runs `prepare` for `npm pack` and `npm install <folder>` — even with
// --ignore-scripts when npm itself runs inside an npm script, as the end-to-end suites do under `npm test` — and a
// rebuild would replace dist/ underneath the suites running beside them. Changed sources are compiled by
// `npm test`, `npm start` and `npm run build`, which always build; `npm publish` builds in `prepublishOnly`.

const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const manifest = require(path.join(root, "package.json"));
// What the package's users load: the protocol entry (`main`) and the node files Node-RED loads.
const outputs = [manifest.main, ...Object.values(manifest["node-red"].nodes)];
const missing = outputs.filter((file) => !fs.existsSync(path.join(root, file)));
// Messages go to stderr: `npm pack --json` prints its report on stdout, with the output of `prepare` mixed in.
if (missing.length === 0) {
  console.error("prepare: the build output is present, nothing to build (npm run build rebuilds)");
} else {
  console.error(`prepare: building (${missing.join(", ")} missing)`);
  require("./build.js");
}
