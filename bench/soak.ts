import { formatTable, formatNumber as n } from "./harness/table";
import { runSoak } from "./scenarios/soak-run";

/**
 * `npm run soak`: 48 simulated hours, eight batteries, the `hostile` fault profile, our pool with default options.
 * Prints the reliability figures and fails (exit code 1) if a poll went unaccounted for, a failure was untyped,
 * or anything (timer, link, listener) outlived the pool and the simulator.
 */
async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint();
  const hours = 48;
  const { report, leaks } = await runSoak({
    batteries: 8,
    cells: 16,
    hours,
    intervalMs: 10_000,
    faults: "hostile",
    seed: 4848,
  });
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;

  console.log(
    formatTable(
      `${hours} simulated hours, eight batteries, 10 s interval, hostile radio, pool (default options)`,
      ["battery", "slots", "polls", "with data", "failed", "connects", "longest outage"],
      report.perBattery.map((b) => [
        b.address,
        n(b.slots),
        n(b.polls),
        n(b.successes),
        n(b.failures),
        n(b.connects),
        `${n(b.longestOutageMs / 1000)} s`,
      ]),
    ),
  );
  console.log(
    `\nPolls with data: ${n(report.successRate * 100, 2)} % of slots; connects per battery per day: ` +
      `${n(report.connectsPerDay, 1)}; longest outage: ${n(report.longestOutageS)} s`,
  );
  const codes = Object.entries(report.failuresByCode).sort((a, b) => b[1] - a[1]);
  console.log(`Failures by code: ${codes.map(([code, count]) => `${code} ${n(count)}`).join(", ") || "none"}`);

  const unaccounted = report.perBattery.filter((b) => b.polls !== b.successes + b.failures);
  const problems = [
    ...unaccounted.map((b) => `${b.address}: ${b.polls} polls but ${b.successes + b.failures} outcomes`),
    ...report.untypedFailures.map((e) => `untyped failure: ${String(e)}`),
    ...(leaks.timers === 0 ? [] : [`${leaks.timers} timers left on the clock`]),
    ...(leaks.openLinks === 0 ? [] : [`${leaks.openLinks} links still open`]),
    ...(leaks.leaked && leaks.timers === 0 && leaks.openLinks === 0
      ? [`listeners ${JSON.stringify(leaks.listeners)} above baseline ${JSON.stringify(leaks.baseline)}`]
      : []),
  ];
  console.log(
    `Leak check after close: timers ${leaks.timers}, open links ${leaks.openLinks}, listeners ` +
      `${JSON.stringify(leaks.listeners)} (baseline ${JSON.stringify(leaks.baseline)})`,
  );
  if (leaks.orphanGuards > 0) {
    console.log(
      `Note: ${leaks.orphanGuards} cancelled-connect guard(s) still on noble peripherals after close (bounded: at ` +
        "most one per battery, replaced by the next connect; BleCentral could drop them when the last pool closes).",
    );
  }
  console.log(`Soak took ${n(seconds, 1)} s of real time.`);
  if (problems.length > 0) {
    console.error(`SOAK FAILED:\n  ${problems.join("\n  ")}`);
    process.exitCode = 1;
  } else {
    console.log("SOAK OK: every poll accounted for, every failure typed, nothing left behind.");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
