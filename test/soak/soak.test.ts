import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runSoak } from "../../bench/scenarios/soak-run";
import type { BmsPayload } from "../../src/protocol";

const CELLS = 8;
/** LiFePO4 cells of the simulated packs live inside the protection window (2.6-3.65 V) with some margin. */
const CELL_RANGE_V = [2.0, 3.9] as const;

/** Every way a value could have come from a bad frame: phantom or missing cells, out-of-range or NaN numbers. */
function payloadProblems(payload: BmsPayload): string[] {
  const problems: string[] = [];
  if (payload.cellCount !== CELLS) problems.push(`cellCount ${payload.cellCount}`);
  if (payload.cellVoltages.length !== CELLS) problems.push(`${payload.cellVoltages.length} cell voltages`);
  if (payload.balancing.length !== CELLS) problems.push(`${payload.balancing.length} balancing flags`);
  for (const v of payload.cellVoltages) {
    if (!(v >= CELL_RANGE_V[0] && v <= CELL_RANGE_V[1])) problems.push(`cell voltage ${v}`);
  }
  const sum = payload.cellVoltages.reduce((a, b) => a + b, 0);
  if (!(Math.abs(payload.voltage - sum) <= 0.05 * sum)) problems.push(`pack ${payload.voltage} V vs cells ${sum} V`);
  if (!(payload.stateOfCharge >= 0 && payload.stateOfCharge <= 100)) problems.push(`SOC ${payload.stateOfCharge}`);
  if (!Number.isFinite(payload.current) || Math.abs(payload.current) > 200) problems.push(`current ${payload.current}`);
  if (payload.temperatures.length === 0) problems.push("no temperatures");
  // The simulated sensors are all present: a null here would be a reading lost on the way.
  for (const t of payload.temperatures) if (t === null || !(t > -40 && t < 100)) problems.push(`temperature ${t}`);
  return problems;
}

describe("short soak: six simulated hours of a hostile radio through the pool", () => {
  it("accounts for every poll, types every failure, decodes no bad frame and leaves nothing behind", async () => {
    const payloadFaults: string[] = [];
    let payloads = 0;
    const { report, leaks } = await runSoak({
      batteries: 4,
      cells: CELLS,
      hours: 6,
      intervalMs: 10_000,
      faults: "hostile",
      seed: 2024,
      onPayload: (address, payload) => {
        payloads++;
        for (const problem of payloadProblems(payload)) payloadFaults.push(`${address}: ${problem}`);
      },
    });

    const slotsPerBattery = (6 * 3600) / 10 + 1;
    for (const battery of report.perBattery) {
      assert.equal(battery.slots, slotsPerBattery, `${battery.address} slots`);
      assert.equal(battery.successes + battery.failures, battery.polls, `${battery.address}: a poll without outcome`);
      assert.ok(battery.successes > 0, `${battery.address} never returned data`);
    }
    assert.deepEqual(report.untypedFailures, []);
    assert.equal(
      payloads,
      report.perBattery.reduce((sum, b) => sum + b.successes, 0),
    );
    assert.deepEqual(payloadFaults, []);
    // The hostile profile must actually have hurt, or this test proves nothing.
    assert.ok(Object.keys(report.failuresByCode).length > 0, "no failure at all under the hostile profile");

    assert.equal(leaks.timers, 0, "timers left on the clock after close and dispose");
    assert.equal(leaks.openLinks, 0, "links left open after close");
    // Listeners on noble, the bindings and the central are back where they were; BleCentral's cancelled-connect
    // guards are bounded by design (one per battery at most), which `leaked` checks.
    assert.equal(leaks.leaked, false, `listeners left: ${JSON.stringify(leaks)}`);
  });
});
