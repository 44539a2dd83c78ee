import { MANIFEST } from "./repository";

/**
 * The install routes of the README's Install section, one source for the tests that run them and for the test that
 * checks the README shows them. Each is `npm install <spec>` in the Node-RED user directory; the tests run it with
 * a local spec (a git URL of a snapshot of this repository, the `npm pack` tarball) where the README names the
 * published package or repository.
 */
export function installCommand(spec: string): string[] {
  return ["npm", "install", spec];
}

/** The specs the README shows, per route. */
export const README_INSTALL_SPECS = {
  npm: MANIFEST.name,
  git: "git+https://github.com/bmskit/node-red-jbd-bms.git",
  // The file `npm pack` writes: the scope's @ dropped and its / turned into -, then the version.
  tarball: `./${MANIFEST.name.replace(/^@/, "").replace("/", "-")}-${MANIFEST.version}.tgz`,
};

/**
 * npm settings for the tests' installs, as environment variables so the command stays the README's: packages come
 * from the npm cache when they are there (noble, Node-RED's own), and no audit or funding requests.
 */
export const NPM_TEST_ENV = { npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" };
