import type { Node, NodeAPI, NodeDef, NodeMessage } from "node-red";
import { aggregateBank } from "../bank/aggregate";
import { readPackReading } from "../bank/pack-reading";
import { PackRecords } from "../bank/pack-records";
import { type BmsError, isBmsError } from "../errors";
import { bankBadge } from "./bank-badge";
import { readPackMessage } from "./bank-input";
import { BANK_RULES, type BankSettings, type BankSettingsInput, parseBankSettings } from "./bank-settings";
import { pollTopic } from "./poll-message";
import { badgeTranslator, errorBadge, type Translate } from "./status-badge";

interface BankNodeDef extends NodeDef, BankSettingsInput {
  topic?: string;
}

type BankMessage = NodeMessage & { bms?: unknown; bank?: unknown };

/**
 * bms-bank: several packs in parallel as one battery. Takes bms-poll output, keeps each pack's last good payload,
 * and after every input sends the bank's payload (aggregateBank) once at least one pack is fresh. It holds no
 * timer, link or listener beyond its own input handler: staleness is judged when a message arrives.
 */
export = (RED: NodeAPI) => {
  function BmsBank(this: Node, def: BankNodeDef) {
    RED.nodes.createNode(this, def);
    const t = RED._ as Translate;
    const badgeText = badgeTranslator(RED);
    const topic = def.topic ?? "";
    let settings: BankSettings | null = null;
    let configError: BmsError | null = null;
    try {
      settings = parseBankSettings(def);
    } catch (err) {
      configError = err as BmsError;
      this.error(configError);
      this.status(errorBadge(configError.code, badgeText));
    }
    const records = new PackRecords(settings?.packs ?? []);
    if (settings) this.status(bankBadge(null, settings.packs.length, badgeText));
    const warned = new Set<string>();

    this.on("input", (input, send, done) => {
      const msg = input as BankMessage;
      if (!settings) {
        done(configError!);
        return;
      }
      try {
        const from = readPackMessage(msg);
        if (!records.has(from.address)) {
          // Once per address: a poll node wired here by mistake would otherwise fill the log every interval.
          if (!warned.has(from.address)) {
            warned.add(from.address);
            this.warn(t("@bmskit/node-red-jbd-bms/bms-bank:bms-bank.warn.unknownPack", { address: from.address }));
          }
          done();
          return;
        }
        const now = Date.now();
        if (from.stale) records.markStale(from.address);
        else records.recordReading(from.address, from.name, readPackReading(msg.payload), now);
        const bank = aggregateBank(records.all(), now, settings.maxAgeMs);
        this.status(bankBadge(bank, settings.packs.length, badgeText));
        if (bank === null) {
          done();
          return;
        }
        msg.payload = bank;
        msg.topic = pollTopic(topic, def.name, "bank");
        msg.bank = { complete: bank.packsFresh === bank.packsExpected };
        send(msg);
        done();
      } catch (err) {
        this.status(errorBadge(isBmsError(err) ? err.code : undefined, badgeText));
        done(err as Error);
      }
    });
  }

  RED.nodes.registerType("bms-bank", BmsBank, {
    settings: { bmsBankRules: { value: BANK_RULES, exportable: true } },
  });
};
