import type { FaultProfileName } from "./options";

/**
 * What goes wrong, as plain numbers (so a profile can cross a process boundary). Probabilities are per event named;
 * "mean ...Ms" are means of exponential waiting times in simulated time, 0 meaning "never".
 */
export interface FaultProfile {
  /** A connect attempt ends in connect(error) after the usual connect latency. */
  connectFailure: number;
  /** A connect attempt never completes; only cancelConnect ends it. */
  connectHang: number;
  /**
   * A cancelled connect completes anyway: the controller finished it before the cancel arrived (and refuses the
   * cancel). Otherwise a cancel is answered by the connect ending in error (LE Connection Complete, status 0x02).
   */
  connectAfterCancel: number;
  /**
   * A cancel gets no answer at all (refused, or its LE Connection Complete lost): noble's HCI bindings keep that
   * connect pending and queue every later connect of the adapter behind it, until the adapter is restarted.
   */
  cancelUnanswered: number;
  /** Mean time between link drops of one connected link (disconnect reason 0x08, supervision timeout). */
  linkDropMeanMs: number;
  /**
   * A link drop is silent: the battery is gone, but the controller never reports it and answers the disconnect with
   * an error status that noble ignores, so noble keeps the link "connected" (and, on HCI, its ACL buffer taken).
   */
  silentLinkLoss: number;
  /** A request gets no reply at all. */
  lostReply: number;
  /** A reply arrives `lateReplyMs` after the request, past a typical 3 s command timeout. */
  lateReply: number;
  lateReplyMs: number;
  /** A reply is sent twice. */
  duplicateReply: number;
  /** One notification of a reply has one byte flipped. */
  corruptedNotification: number;
  /** A reply loses its last notification (a one-notification reply loses its second half). */
  truncatedFrame: number;
  /** The first request the module passes to the BMS after connect is ignored (the BMS was asleep, PROTOCOL 7). */
  firstRequestIgnored: number;
  /** Mean time between adapter power-off windows while powered on, and how long each window lasts. */
  powerOffMeanMs: number;
  powerOffMs: number;
  /** A connection reaches a battery that needs pairing: it echoes every request byte for byte. */
  needsPairing: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * `none`: a perfect radio. `flaky`: BLE in a van at 5-10 m - one connect in seven fails, a few hang, a link drops
 * every couple of hours, about 1 reply in 50 is lost and a few are late or doubled, the BMS often sleeps through
 * the first request, the adapter resets twice a day. Damaged notifications are rare on a real link (BLE's link
 * layer checks a CRC and retransmits), so flaky damages about 1 reply in 1,000; hostile far more, to exercise the
 * reassembler. `hostile`: much worse on every count, for soak tests; it alone also has the faults of the controller
 * and of noble's HCI stack that leave noble's record of the adapter wrong (a cancel answered late or never, a link
 * lost without a word), which only a restart of the adapter mends: rare on a real adapter, but with no way out
 * without the restart.
 */
export const FAULT_PROFILES: Record<FaultProfileName, FaultProfile> = {
  none: {
    connectFailure: 0,
    connectHang: 0,
    connectAfterCancel: 0,
    cancelUnanswered: 0,
    linkDropMeanMs: 0,
    silentLinkLoss: 0,
    lostReply: 0,
    lateReply: 0,
    lateReplyMs: 3500,
    duplicateReply: 0,
    corruptedNotification: 0,
    truncatedFrame: 0,
    firstRequestIgnored: 0,
    powerOffMeanMs: 0,
    powerOffMs: 0,
    needsPairing: 0,
  },
  flaky: {
    connectFailure: 0.15,
    connectHang: 0.03,
    connectAfterCancel: 0,
    cancelUnanswered: 0,
    linkDropMeanMs: 2 * HOUR,
    silentLinkLoss: 0,
    lostReply: 0.02,
    lateReply: 0.01,
    lateReplyMs: 3500,
    duplicateReply: 0.01,
    corruptedNotification: 0.001,
    truncatedFrame: 0.001,
    firstRequestIgnored: 0.3,
    powerOffMeanMs: 12 * HOUR,
    powerOffMs: 5_000,
    needsPairing: 0,
  },
  hostile: {
    connectFailure: 0.4,
    connectHang: 0.1,
    connectAfterCancel: 0.25,
    cancelUnanswered: 0.25,
    linkDropMeanMs: 5 * MINUTE,
    silentLinkLoss: 0.1,
    lostReply: 0.1,
    lateReply: 0.05,
    lateReplyMs: 4000,
    duplicateReply: 0.05,
    corruptedNotification: 0.03,
    truncatedFrame: 0.03,
    firstRequestIgnored: 0.8,
    powerOffMeanMs: 30 * MINUTE,
    powerOffMs: 20_000,
    needsPairing: 0.02,
  },
};

/** Names of the injected faults, as counted in SimulatorStats.faults. */
export type FaultKind =
  | "connectFailure"
  | "connectHang"
  | "connectAfterCancel"
  | "cancelUnanswered"
  | "linkDrop"
  | "silentLinkLoss"
  | "lostReply"
  | "lateReply"
  | "duplicateReply"
  | "corruptedNotification"
  | "truncatedFrame"
  | "firstRequestIgnored"
  | "powerOff"
  | "needsPairing";

/** A named profile, or a custom one where every rate left out is that of `none`. */
export function resolveFaultProfile(faults: FaultProfileName | Partial<FaultProfile> | undefined): FaultProfile {
  if (faults === undefined) return { ...FAULT_PROFILES.none };
  if (typeof faults === "string") {
    const profile = FAULT_PROFILES[faults];
    if (profile === undefined) throw new RangeError(`unknown fault profile "${faults}"`);
    return { ...profile };
  }
  return { ...FAULT_PROFILES.none, ...faults };
}
