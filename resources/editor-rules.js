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

  /**
   * A list of module passwords (the runtime's readPasswordList, rule for rule): blank; one password, taken as it is;
   * or ADDRESS=PASSWORD entries split by the separator, blanks around an entry, its address and its password ignored,
   * each address once. "__PWRD__" is what the editor shows for a password it has stored and does not send back.
   */
  function acceptsPasswordList(setting, value) {
    const isPassword = (text) => new RegExp(setting.password.source, setting.password.flags).test(text);
    if (blank(value) || value === "__PWRD__") return true;
    if (typeof value !== "string") return false;
    if (value.trim() === "" || isPassword(value)) return true;
    const entries = value
      .split(new RegExp(setting.separator.source, setting.separator.flags))
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
    if (entries.length === 1 && !entries[0].includes("=")) return isPassword(entries[0]);
    const seen = new Set();
    return entries.every((entry) => {
      const equals = entry.indexOf("=");
      if (equals < 0 || !isAddress(setting.address, entry.slice(0, equals))) return false;
      const address = canonicalAddress(entry.slice(0, equals));
      if (seen.has(address) || !isPassword(entry.slice(equals + 1).trim())) return false;
      seen.add(address);
      return true;
    });
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
      case "passwords":
        return acceptsPasswordList(setting, value);
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

  /**
   * The validator of a node's own battery address: blank (msg.address names the battery; spaces alone are blank to
   * the runtime too), or an address.
   */
  function addressValidator(rule, type) {
    return (value, _options) =>
      blank(typeof value === "string" ? value.trim() : value) ||
      isAddress(rule, value) ||
      t("address", { label: label(type, "address"), allowed: rule.rule });
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
