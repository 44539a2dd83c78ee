// Node-RED 4 loads a node file with require(); 5.x loads it with dynamic import() (@node-red/registry loader.js),
// and its function node loads the modules of Setup ▸ Modules with import() too, taking `default || namespace`.
// The package ships CommonJS: through import() each file must give exactly what require() gives.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { MANIFEST, PACKAGE_NAME, REPO_ROOT } from "../support/repository";

describe("CommonJS output under dynamic import()", () => {
  for (const [type, file] of Object.entries(MANIFEST["node-red"].nodes)) {
    it(`${file}: import() gives the ${type} registering function that require() gives`, async () => {
      const full = path.join(REPO_ROOT, file);
      const namespace = await import(pathToFileURL(full).href);
      const required = require(full);
      assert.equal(typeof required, "function");
      assert.equal(required.length, 1, "takes RED");
      // CommonJS arrives as the namespace's default; Node-RED 5 would unwrap a Babel-style __esModule default
      // further, which must not apply here.
      assert.equal(namespace.default, required);
      assert.equal((required as { __esModule?: boolean }).__esModule, undefined);
    });
  }

  it("the ./protocol export: import() by package name gives the same API as require()", async () => {
    const namespace = await import(`${PACKAGE_NAME}/protocol`);
    const required = require(`${PACKAGE_NAME}/protocol`);
    assert.equal(namespace.default, required);
    // Named exports too, for ES modules that import { … } from it.
    assert.equal(namespace.encodeReadRequest, required.encodeReadRequest);
    assert.equal(Buffer.from(namespace.default.encodeReadRequest(3)).toString("hex"), "dda50300fffd77");
  });
});
