import type { FaultKind } from "./faults";

/** Counters of one simulated central, plain data for tests, benchmarks and the demo. */
export interface SimulatorStats {
  /** Scans started (startScanning calls). */
  scans: number;
  adverts: number;
  connectAttempts: number;
  connects: number;
  /** Connects refused because another central or the phone app held the battery. */
  refusedBusy: number;
  disconnects: number;
  /** Links lost without a disconnect() call (dropLink or the linkDrop fault, silent ones included). */
  drops: number;
  /** restartAdapter() calls: a fresh HCI stack asked for because noble's record of the adapter was wrong. */
  restarts: number;
  requests: number;
  /** 0xE1 MOSFET writes that reached a battery (counted on arrival, whatever the BMS then does with them). */
  mosWrites: number;
  /** Requests ignored: not well-formed frames for the BMS (bad checksum, junk), or FF AA frames the module does not answer. */
  ignoredRequests: number;
  /** FF AA frames the central sent, whether or not the module speaks FF AA (a module without it ignores them). */
  authFrames: number;
  /** DD requests a password-protected module did not pass to the BMS because its FF AA handshake had not succeeded. */
  notRelayed: number;
  /** Reply frames sent (a duplicate counts twice). */
  replies: number;
  notifications: number;
  faults: Record<FaultKind, number>;
}

export function emptyStats(): SimulatorStats {
  return {
    scans: 0,
    adverts: 0,
    connectAttempts: 0,
    connects: 0,
    refusedBusy: 0,
    disconnects: 0,
    drops: 0,
    restarts: 0,
    requests: 0,
    mosWrites: 0,
    ignoredRequests: 0,
    authFrames: 0,
    notRelayed: 0,
    replies: 0,
    notifications: 0,
    faults: {
      connectFailure: 0,
      connectHang: 0,
      connectAfterCancel: 0,
      cancelUnanswered: 0,
      linkDrop: 0,
      silentLinkLoss: 0,
      lostReply: 0,
      lateReply: 0,
      duplicateReply: 0,
      corruptedNotification: 0,
      truncatedFrame: 0,
      firstRequestIgnored: 0,
      powerOff: 0,
      needsPairing: 0,
    },
  };
}
