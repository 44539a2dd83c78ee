import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { BINDINGS_EVENTS } from "../../src/bindings/noble-bindings";
import { openCircuitVoltage, SimulatedBindings, simAddress } from "../../src/sim";
import {
  basicInfoFields,
  type Clock,
  exchange,
  framesOf,
  installClock,
  nobleOver,
  openLink,
  poweredOn,
  READ_BASIC,
  READ_CELLS,
  scan,
  settle,
} from "./sim-harness";

const MINUTE = 60_000;

describe("simulator: battery physics on simulated time", () => {
  let clock: Clock;
  beforeEach(() => {
    clock = installClock();
  });
  afterEach(() => {
    clock.uninstall();
  });

  it("the OCV curve rises with SOC, steep at both ends", () => {
    for (let soc = 1; soc <= 100; soc++) assert.ok(openCircuitVoltage(soc) > openCircuitVoltage(soc - 1));
    assert.ok(openCircuitVoltage(100) - openCircuitVoltage(95) > openCircuitVoltage(60) - openCircuitVoltage(40));
  });

  it("12 hours polled over the wire: SOC stays in 0..100, follows the current, cells follow SOC", async () => {
    const bindings = new SimulatedBindings({ batteries: 1, cells: 4, latency: "realistic", seed: 3 });
    const noble = nobleOver(bindings);
    await poweredOn(clock, noble);
    const battery = bindings.battery(simAddress(1));
    assert.ok(battery);
    battery.soc = 50;
    const link = await openLink(clock, noble, 1);
    const samples: { soc: number; residualAh: number; current: number; cellMean: number; temps: number[] }[] = [];
    for (let t = 0; t <= 12 * 60; t += 10) {
      const [basic] = framesOf(await exchange(clock, link, READ_BASIC));
      const [cells] = framesOf(await exchange(clock, link, READ_CELLS));
      assert.ok(basic && cells);
      const fields = basicInfoFields(basic);
      const mv = Array.from({ length: 4 }, (_, i) => cells.readUInt16BE(4 + 2 * i) / 1000);
      const state = battery.state();
      samples.push({
        soc: fields.soc,
        residualAh: fields.residualAh,
        current: fields.current,
        cellMean: mv.reduce((a, b) => a + b, 0) / 4,
        temps: state.temperatures,
      });
      await clock.tickAsync(10 * MINUTE - 1000);
    }
    for (const s of samples) {
      assert.ok(s.soc >= 0 && s.soc <= 100);
      for (const t of s.temps) assert.ok(t > 5 && t < 45, `temperature ${t}`);
    }
    const socs = samples.map((s) => s.soc);
    assert.ok(Math.max(...socs) - Math.min(...socs) >= 10, `SOC moves: ${Math.min(...socs)}..${Math.max(...socs)}`);
    let checked = 0;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!;
      const b = samples[i]!;
      const delta = b.residualAh - a.residualAh;
      if (Math.abs(delta) < 0.5) continue;
      checked += 1;
      assert.ok(Math.sign(a.current) === Math.sign(delta) || Math.sign(b.current) === Math.sign(delta), `step ${i}`);
    }
    assert.ok(checked > 20, `intervals with a clear SOC change: ${checked}`);
    const low = samples.reduce((x, y) => (y.soc < x.soc ? y : x));
    const high = samples.reduce((x, y) => (y.soc > x.soc ? y : x));
    assert.ok(
      high.cellMean > low.cellMean,
      `cells at ${high.soc}%: ${high.cellMean} V, at ${low.soc}%: ${low.cellMean} V`,
    );
    bindings.dispose();
  });

  it("charging into full trips cell over-voltage: charge FET off and balancing near the top", async () => {
    const bindings = new SimulatedBindings({ batteries: 1, cells: 8, latency: "instant" });
    const battery = bindings.battery(simAddress(1));
    assert.ok(battery);
    battery.soc = 97;
    battery.setCurrent(20);
    const nearFull = battery.state();
    assert.ok(nearFull.balancing.some(Boolean), "balancing while charging with a high spread");
    await clock.tickAsync(2 * 60 * MINUTE);
    const full = battery.state();
    assert.equal(full.soc, 100);
    assert.equal(full.mos.charge, false);
    assert.equal(full.protection & 1, 1, "cell over-voltage bit");
    assert.equal(full.current, 0, "no charge current through an open FET");
    battery.setCurrent(-40);
    await clock.tickAsync(60 * MINUTE);
    const after = battery.state();
    assert.equal(after.mos.charge, true, "released once the pack came down");
    assert.equal(after.protection & 1, 0);
    assert.ok(after.cycles >= full.cycles);
    bindings.dispose();
  });

  async function scriptedRun(seed: number): Promise<string[]> {
    clock.uninstall();
    clock = installClock();
    const bindings = new SimulatedBindings({ batteries: 2, cells: 4, latency: "realistic", faults: "hostile", seed });
    const trace: string[] = [];
    for (const event of BINDINGS_EVENTS) {
      bindings.on(event, (...args: unknown[]) => {
        const plain = args.map((a) => (Buffer.isBuffer(a) ? a.toString("hex") : a instanceof Error ? a.message : a));
        trace.push(`${Date.now()} ${event} ${JSON.stringify(plain)}`);
      });
    }
    const noble = nobleOver(bindings);
    await poweredOn(clock, noble);
    for (let attempt = 0; attempt < 5; attempt++) {
      const [peripheral] = await scan(clock, noble, ["ff00"], 400);
      if (!peripheral) continue;
      const connecting = peripheral.connectAsync();
      connecting.catch(() => undefined);
      try {
        await settle(clock, connecting, 15_000);
      } catch {
        peripheral.cancelConnect();
        continue;
      }
      break;
    }
    await clock.tickAsync(30 * MINUTE);
    trace.push(JSON.stringify(bindings.stats()));
    bindings.dispose();
    return trace;
  }

  it("the same seed gives the same run twice, another seed a different one", async () => {
    const first = await scriptedRun(42);
    const second = await scriptedRun(42);
    const other = await scriptedRun(43);
    assert.ok(first.length > 10);
    assert.deepEqual(second, first);
    assert.notDeepEqual(other, first);
  });

  it("dispose leaves no timer behind: scanning, links, replies in flight, fault schedules, occupy timers", async () => {
    const bindings = new SimulatedBindings({ batteries: 3, cells: 4, latency: "realistic", faults: "hostile" });
    const noble = nobleOver(bindings);
    await poweredOn(clock, noble);
    bindings.setFaults({ linkDropMeanMs: 3_600_000, powerOffMeanMs: 3_600_000, powerOffMs: 10_000 });
    const link = await openLink(clock, noble, 1);
    bindings.battery(simAddress(2))?.occupy(60_000);
    await settle(clock, noble.startScanningAsync(["ff00"], true));
    await settle(clock, link.tx.writeAsync(Buffer.from(READ_BASIC, "hex"), true));
    assert.ok(clock.countTimers() > 0);
    bindings.dispose();
    assert.equal(clock.countTimers(), 0);
    assert.equal(bindings.pendingTimers, 0);
    assert.equal(bindings.battery(simAddress(1))?.heldBy, null);
  });
});
