/**
 * A stand-in for the Node-RED process in exit-hooks.test.ts: it starts one adapter host (simulator inside the host)
 * and reports the host's pid on stdout once the adapter is poweredOn. With "own-handler" it also has its own
 * SIGINT/SIGTERM handler, as Node-RED does, which finishes by exiting with code 0.
 */
import { HostBindings } from "../../src/ble/host/host-bindings";

const [mode] = process.argv.slice(2);

function report(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

if (mode === "own-handler") {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // Node-RED stops its flows asynchronously, then exits on its own terms.
      setImmediate(() => {
        report({ event: "handled", signal });
        process.exit(0);
      });
    });
  }
}

const host = new HostBindings(
  {
    transport: "simulator",
    simulator: { batteries: 1, cells: 4, faults: "none", latency: "instant" },
  },
  { restartInitialMs: 60_000 },
);
host.on("stateChange", (state: string) => {
  if (state === "poweredOn") report({ event: "ready", hostPid: host.childPid });
});
host.init();
// Something must keep this process alive, as Node-RED's HTTP server does; the host itself never does.
setInterval(() => undefined, 60_000);
