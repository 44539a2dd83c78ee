/**
 * Decimal places per quantity in payloads: the wire's own precision (10 mV, 10 mA, 10 mAh, 1 mV per cell, 0.1 K),
 * and for the derived power and energy what that precision supports. The bms-poll payload and the bms-bank payload
 * both round with these, so a pack and a bank of packs read alike.
 */
export const PACK_VOLTS = 2;
export const AMPS = 2;
export const AMP_HOURS = 2;
export const CELL_VOLTS = 3;
export const CELSIUS = 1;
export const WATTS = 2;
export const WATT_HOURS = 1;
/** The BMS reports the state of charge in whole percent. */
export const PERCENT = 0;
