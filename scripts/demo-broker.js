// The demo's MQTT broker: the MQTT examples publish to a broker on the examples' port. If something already listens
// there (the user's own Mosquitto, say), the demo uses it; otherwise it runs aedes (a devDependency, a small MQTT
// broker in JavaScript) in the demo's own process, so the examples connect instead of logging a failure every 15 s.

const net = require("node:net");

/** Whether a TCP connection to host:port is accepted. */
function accepts(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Makes sure an MQTT broker listens on host:port. Resolves with `{ embedded, close }`: `embedded` says whether the
 * demo started one, `close()` stops it (and its clients' connections); for a broker that was there already it does
 * nothing.
 */
async function ensureBroker(host, port) {
  if (await accepts(host, port)) return { embedded: false, close: async () => {} };
  // aedes is an ES module: import() works from CommonJS on every supported Node version.
  const { Aedes } = await import("aedes");
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const close = async () => {
    await new Promise((resolve) => broker.close(resolve));
    await new Promise((resolve) => server.close(resolve));
  };
  return { embedded: true, close };
}

module.exports = { ensureBroker };
