import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { H4Framer } from "./h4-framer";
import {
  answeredOpcode,
  buildDisconnect,
  buildDisconnectionComplete,
  disconnectionComplete,
  leConnectionComplete,
  OPCODE,
  readBdAddrResult,
  STATUS,
} from "./hci-packets";

/**
 * The HCI boundary of one emulated controller, between a host (noble in the adapter host child, or bleno) and
 * btvirt: a unix socket the host's userland HCI socket connects to, relaying every H4 packet to and from btvirt.
 * Tests script faults here, in either direction: drop, delay, rewrite or inject packets, a supervision timeout on a
 * link, the adapter unplugged and plugged back in. btvirt has no radio timing, so these stand in for what a real
 * radio and controller do.
 */

export type Direction = "toController" | "toHost";

export interface TapRule {
  direction: Direction;
  match(packet: Buffer): boolean;
  /** drop: the packet never arrives. delay: it arrives that much later. replace: these packets arrive instead. */
  action: "drop" | { delayMs: number } | { replace(packet: Buffer): Buffer[] };
  /** How many packets the rule takes before it retires (default: every matching packet). */
  times?: number;
}

/** Every controller behind a tap, so a controller that vanishes can be reported to the links it had. */
const air = new Set<TapConnection>();

class TapConnection {
  /** This controller's address, once the host has read it. */
  address: string | undefined;
  /** Open links of this controller: handle -> peer address. */
  readonly links = new Map<number, string>();
  private readonly swallowedDisconnects = new Set<number>();
  private closed = false;

  constructor(
    private readonly tap: HciTap,
    private readonly host: net.Socket,
    private readonly controller: net.Socket,
  ) {
    const fromHost = new H4Framer();
    const fromController = new H4Framer();
    host.on("data", (chunk: Buffer) => {
      for (const packet of fromHost.push(chunk)) this.pass("toController", packet);
    });
    controller.on("data", (chunk: Buffer) => {
      for (const packet of fromController.push(chunk)) this.pass("toHost", packet);
    });
    for (const socket of [host, controller]) {
      socket.on("error", () => undefined);
      socket.on("close", () => this.close());
    }
    air.add(this);
  }

  /** Sends a packet as if it came from the other side. */
  inject(direction: Direction, packet: Buffer): void {
    if (this.closed) return;
    if (direction === "toHost") this.observe(packet);
    (direction === "toHost" ? this.host : this.controller).write(packet);
  }

  /**
   * The link drops as after a supervision timeout: btvirt is told to drop it (its own answers are kept from the host)
   * and the host gets Disconnection Complete with reason 0x08, as a real controller reports a peer gone silent.
   */
  supervisionTimeout(handle: number): void {
    this.swallowedDisconnects.add(handle);
    this.controller.write(buildDisconnect(handle, STATUS.remoteUserTerminated));
    this.inject("toHost", buildDisconnectionComplete(handle, STATUS.connectionTimeout));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    air.delete(this);
    this.host.destroy();
    this.controller.destroy();
    this.tap.forget(this);
    // btvirt drops the links of a controller that leaves without telling their peers; a real peer would notice after
    // its supervision timeout. Peers behind a tap that stands in for that radio are told.
    if (this.address === undefined) return;
    for (const peer of air) {
      if (!peer.tap.reportsVanishedPeers) continue;
      for (const [handle, address] of peer.links) {
        if (address === this.address)
          peer.inject("toHost", buildDisconnectionComplete(handle, STATUS.connectionTimeout));
      }
    }
  }

  private pass(direction: Direction, packet: Buffer): void {
    const rule = this.tap.ruleFor(direction, packet);
    if (rule === undefined) {
      this.deliver(direction, packet);
      return;
    }
    const action = rule.action;
    if (action === "drop") return;
    if ("delayMs" in action) {
      setTimeout(() => this.deliver(direction, packet), action.delayMs);
      return;
    }
    for (const replacement of action.replace(packet)) this.deliver(direction, replacement);
  }

  private deliver(direction: Direction, packet: Buffer): void {
    if (this.closed) return;
    if (direction === "toController") {
      this.controller.write(packet);
      return;
    }
    const ended = disconnectionComplete(packet);
    if (ended !== undefined && this.swallowedDisconnects.has(ended.handle)) {
      this.swallowedDisconnects.delete(ended.handle);
      return;
    }
    if (answeredOpcode(packet) === OPCODE.disconnect && this.swallowedDisconnects.size > 0) return;
    this.observe(packet);
    this.host.write(packet);
  }

  /** Keeps track of this controller's address and links from what the host is told. */
  private observe(packet: Buffer): void {
    this.address ??= readBdAddrResult(packet);
    const opened = leConnectionComplete(packet);
    if (opened !== undefined && opened.status === 0) this.links.set(opened.handle, opened.peer);
    const ended = disconnectionComplete(packet);
    if (ended !== undefined && ended.status === 0) this.links.delete(ended.handle);
  }
}

export class HciTap {
  readonly path: string;
  /** Tell the host when a linked peer's controller vanishes (see TapConnection.close). */
  readonly reportsVanishedPeers: boolean;
  private readonly upstream: string;
  private readonly rules: Array<TapRule & { left: number }> = [];
  private readonly connections = new Set<TapConnection>();
  private server: net.Server | undefined;

  private constructor(socketPath: string, upstream: string, reportsVanishedPeers: boolean) {
    this.path = socketPath;
    this.upstream = upstream;
    this.reportsVanishedPeers = reportsVanishedPeers;
  }

  /** A tap at `<folder>/<name>.sock` in front of btvirt's LE server `upstream`. */
  static async open(
    folder: string,
    name: string,
    upstream: string,
    options: { reportsVanishedPeers?: boolean } = {},
  ): Promise<HciTap> {
    const tap = new HciTap(path.join(folder, `${name}.sock`), upstream, options.reportsVanishedPeers ?? false);
    await tap.plugIn();
    return tap;
  }

  /** The controller of the newest host connection (the adapter host restarts with a new one). */
  get current(): TapConnection | undefined {
    return [...this.connections].at(-1);
  }

  /** Adds a fault rule; returns its remover. */
  rule(rule: TapRule): () => void {
    const entry = { ...rule, left: rule.times ?? Number.POSITIVE_INFINITY };
    this.rules.push(entry);
    return () => {
      const index = this.rules.indexOf(entry);
      if (index >= 0) this.rules.splice(index, 1);
    };
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  ruleFor(direction: Direction, packet: Buffer): TapRule | undefined {
    const rule = this.rules.find((candidate) => candidate.direction === direction && candidate.match(packet));
    if (rule === undefined) return undefined;
    rule.left -= 1;
    if (rule.left <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
    return rule;
  }

  forget(connection: TapConnection): void {
    this.connections.delete(connection);
  }

  /** The adapter is unplugged: every host connection closes and the device node is gone until plugIn(). */
  async unplug(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of [...this.connections]) connection.close();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(this.path, { force: true });
  }

  /** The adapter is (back) in place: hosts can bind to it. */
  async plugIn(): Promise<void> {
    if (this.server !== undefined) return;
    const server = net.createServer((host) => {
      const controller = net.createConnection(this.upstream);
      host.setNoDelay?.(true);
      this.connections.add(new TapConnection(this, host, controller));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.path, () => resolve());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    this.clearRules();
    await this.unplug();
  }
}
