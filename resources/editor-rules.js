// The validators of our editor dialogs, made from the rules the runtime itself applies: each node type exports its
// part of the settings schema (src/nodes/settings-schema.ts) as a Node-RED node setting, which the editor has in
// RED.settings, and this file turns an entry into a validator that accepts exactly what the runtime accepts (a test
// runs both on the same values). For a value it refuses, a validator returns the message the editor shows beside the
// field and in the node's list of invalid properties: the field's label and what it allows, in the runtime's words
// (the entry's `allowed`). Node-RED serves this file from the package's resources/ folder; every dialog's .html
// loads it.
(() => {
  const blank = (value) => value === undefined || value === null || value === "";
  const asNumber = (value) =>
    typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
  const t = (key, subs) => RED._(`@bmskit/node-red-jbd-bms/bms-adapter:bms-adapter.validation.${key}`, subs);
  /** A field's label in its dialog, from the catalog of its node type. */
  const label = (type, name) => RED._(`@bmskit/node-red-jbd-bms/${type}:${type}.label.${name}`);

  /** A number setting: blank (its default), or a number in its range. */
  function acceptsNumber(setting, value) {
    if (blank(value)) return true;
    const n = asNumber(value);
    if (!Number.isFinite(n)) return false;
    if (setting.off !== undefined && n === setting.off.value) return true;
    if (setting.minOpen ? n <= setting.min : n < setting.min) return false;
    if (setting.max !== undefined && n > setting.max) return false;
    return !setting.integer || Number.isInteger(n);
  }

  /** Whether the runtime takes `value` for one entry of the settings schema. */
  function accepts(setting, value) {
    switch (setting.kind) {
      case "number":
        return acceptsNumber(setting, value);
      case "choice":
        return blank(value) || setting.choices.includes(value);
      case "text":
        return (
          blank(value) ||
          (typeof value === "string" && new RegExp(setting.pattern.source, setting.pattern.flags).test(value))
        );
      default:
        return true;
    }
  }

  /**
   * The validator of the field `name` of node type `type`, for its entry of the settings schema: true, or the
   * message. Node-RED reads a returned string as the reason only from a validator that takes two parameters.
   */
  function validator(setting, type, name) {
    return (value, _options) =>
      accepts(setting, value) || t("invalid", { label: label(type, name), allowed: setting.allowed });
  }

  /** True for a battery address as the runtime reads it (the rule comes as a pattern source). */
  function isAddress(rule, value) {
    return typeof value === "string" && new RegExp(rule.source, rule.flags).test(value.trim());
  }

  /** The validator of a node's own battery address: blank (msg.address names the battery), or an address. */
  function addressValidator(rule, type) {
    return (value, _options) =>
      blank(value) || isAddress(rule, value) || t("address", { label: label(type, "address"), allowed: rule.rule });
  }

  /** The address as the runtime keys it (upper case, colons), for comparing and showing. */
  function canonicalAddress(value) {
    return value
      .trim()
      .replace(/[:-]/g, "")
      .toUpperCase()
      .replace(/(..)(?!$)/g, "$1:");
  }

  window.bmskitRules = { validator, addressValidator, isAddress, canonicalAddress };
})();
