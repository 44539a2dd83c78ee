import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { HostBindings } from "../../src/ble/host/host-bindings";
import { isBmsError } from "../../src/errors";
import { type AdapterConfig, adapterBindings, adapterRadio } from "../../src/nodes/adapter-radio";
import { type AdapterStateEvent, type BmsPool, createPool, DEFAULT_POOL_OPTIONS } from "../../src/pool";
import { simAddress } from "../../src/sim";
import { processExists, processRunning, withinSafetyTimeout } from "./host-test-helpers";

const SIM_IN_HOST: AdapterConfig = {
  transport: "simulator",
  simulator: { batteries: 2, cells: 4, faults: "none", latency: "instant", seed: 31 },
  inHost: true,
};
const HCI: AdapterConfig = { transport: "hci", hciDevice: 0 };
/** An adapter of its own (another seed is another adapter key), so its host's life is this test's alone. */
const SIM_IN_HOST_LIFECYCLE: AdapterConfig = {
  transport: "simulator",
  simulator: { batteries: 1, cells: 4, faults: "none", latency: "instant", seed: 32 },
  inHost: true,
};

const pools: BmsPool[] = [];
function openPool(config: AdapterConfig): BmsPool {
  const pool = createPool(adapterRadio(config), {
    ...DEFAULT_POOL_OPTIONS,
    connectTimeoutMs: 10_000,
    backoffInitialMs: 50,
  });
  pools.push(pool);
  return pool;
}

function hostOf(config: AdapterConfig): HostBindings {
  const bindings = adapterBindings(config);
  assert.ok(bindings instanceof HostBindings, "the adapter runs in the adapter host");
  return bindings;
}

function adapterPoweredOn(pool: BmsPool): Promise<void> {
  if (pool.adapterState() === "poweredOn") return Promise.resolve();
  return new Promise<void>((resolve) => {
    const listener = (event: AdapterStateEvent) => {
      if (event.state !== "poweredOn") return;
      pool.off("adapter", listener);
      resolve();
    };
    pool.on("adapter", listener);
  });
}

after(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  // The central registry keeps a real adapter's bindings for the life of the process; end the hosts left here.
  for (const config of [SIM_IN_HOST, HCI, SIM_IN_HOST_LIFECYCLE]) {
    const bindings = adapterBindings(config);
    if (bindings instanceof HostBindings) await bindings.dispose();
  }
});

describe("the connection pool over the adapter host", () => {
  it("polls a battery and switches its MOSFETs through the child process", async () => {
    const pool = openPool(SIM_IN_HOST);
    const address = simAddress(1);
    const polled = await withinSafetyTimeout(pool.poll(address), "poll");
    assert.equal(polled.address, address);
    assert.equal(polled.payload.cellCount, 4);
    assert.equal(polled.payload.cellVoltages.length, 4);
    assert.equal(polled.connection, "new");
    assert.ok(hostOf(SIM_IN_HOST).childPid !== undefined);

    const off = await withinSafetyTimeout(pool.setMos(address, { charge: false }), "setMos off");
    assert.deepEqual(off.state, { charge: false, discharge: polled.payload.mos.discharge });
    assert.equal(off.written, true);
    assert.equal(off.verified, true);
    const again = await withinSafetyTimeout(pool.poll(address), "poll after setMos");
    assert.equal(again.connection, "reused");
    assert.equal(again.payload.mos.charge, false);
    const on = await withinSafetyTimeout(pool.setMos(address, { charge: true }), "setMos on");
    assert.equal(on.state.charge, true);
  });

  it("a host killed mid-poll gives a clean typed error, and the next poll succeeds after the restart", async () => {
    const pool = openPool(SIM_IN_HOST);
    const host = hostOf(SIM_IN_HOST);
    await withinSafetyTimeout(adapterPoweredOn(pool), "adapter on");
    const pid = host.childPid ?? -1;

    const inFlight = pool.poll(simAddress(2));
    process.kill(pid, "SIGKILL");
    const failure = await withinSafetyTimeout(
      inFlight.then(
        () => assert.fail("the poll cannot succeed without its host"),
        (error: unknown) => error,
      ),
      "poll during the kill",
    );
    assert.ok(isBmsError(failure), `untyped failure: ${String(failure)}`);
    assert.ok(["ADAPTER_OFF", "LINK_LOST"].includes(failure.code), failure.code);

    await withinSafetyTimeout(adapterPoweredOn(pool), "adapter back on");
    assert.notEqual(host.childPid, pid);
    assert.equal(processExists(pid), false);
    const recovered = await withinSafetyTimeout(pool.poll(simAddress(2)), "poll after restart");
    assert.equal(recovered.payload.cellCount, 4);
  });

  it("stops the host process when the adapter's last pool closes, and starts a new one for the next pool", async () => {
    const options = { ...DEFAULT_POOL_OPTIONS, connectTimeoutMs: 10_000 };
    const first = createPool(adapterRadio(SIM_IN_HOST_LIFECYCLE), options);
    const second = createPool(adapterRadio(SIM_IN_HOST_LIFECYCLE), options);
    await withinSafetyTimeout(first.poll(simAddress(1)), "poll");
    const pid = hostOf(SIM_IN_HOST_LIFECYCLE).childPid;
    assert.ok(pid !== undefined && processRunning(pid));

    await second.close();
    assert.ok(processRunning(pid), "another pool still uses the adapter, so its host stays");
    await withinSafetyTimeout(first.close(), "close the last pool");
    assert.equal(processRunning(pid), false, "the last pool closed: no host process is left");
    assert.equal(adapterBindings(SIM_IN_HOST_LIFECYCLE), undefined, "a simulator's central goes with its last pool");

    // A redeploy creates the next pool: a fresh central and a fresh host process.
    const third = openPool(SIM_IN_HOST_LIFECYCLE);
    const polled = await withinSafetyTimeout(third.poll(simAddress(1)), "poll after the restart");
    assert.equal(polled.payload.cellCount, 4);
    const next = hostOf(SIM_IN_HOST_LIFECYCLE).childPid;
    assert.ok(next !== undefined && next !== pid && processRunning(next));
  });

  it("transport hci on this machine fails polls with ADAPTER_UNAVAILABLE and the fix, and this process stays up", async () => {
    const pool = openPool(HCI);
    const failure = await withinSafetyTimeout(
      pool.poll("A4:C1:38:00:00:01").then(
        () => assert.fail("no Bluetooth here"),
        (error: unknown) => error,
      ),
      "poll on hci",
    );
    assert.ok(isBmsError(failure));
    assert.equal(failure.code, "ADAPTER_UNAVAILABLE");
    assert.match(failure.message, /hci0/);
    assert.match(
      failure.message,
      /npm rebuild @abandonware\/bluetooth-hci-socket|no Bluetooth HCI support|setcap cap_net_raw|hci0 not found|stop bluetoothd/,
    );
    assert.ok(pool.adapterState() === "unsupported" || pool.adapterState() === "unauthorized");
  });
});
