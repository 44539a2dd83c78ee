/**
 * Rounds to `decimals` places so payloads show the wire's precision (13.32, not 13.320000000000002). The product is
 * first cut to 15 significant digits so a value like 1.005 (stored as 1.00499999...) rounds the way people expect;
 * -0 becomes 0 so a tiny discharge does not print as "-0".
 */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(Number((value * factor).toPrecision(15))) / factor;
  return rounded === 0 ? 0 : rounded;
}
