// The validators of our editor dialogs, made from the rules the runtime itself applies: each node type exports its
// part of the settings schema (src/nodes/settings-schema.ts) as a Node-RED node setting, which the editor has in
// RED.settings, and this file turns an entry into a validator that accepts exactly what the runtime accepts (a test
// runs both on the same values). Node-RED serves it from the package's resources/ folder; every dialog's .html
// loads it.
(() => {
  const blank = (value) => value === undefined || value === null || value === "";
  const asNumber = (value) =>
    typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;

  /** A number setting: blank (its default), or a number in its range. */
  function numberRule(setting) {
    return (value) => {
      if (blank(value)) return true;
      const n = asNumber(value);
      if (!Number.isFinite(n)) return false;
      if (setting.off !== undefined && n === setting.off.value) return true;
      if (setting.minOpen ? n <= setting.min : n < setting.min) return false;
      if (setting.max !== undefined && n > setting.max) return false;
      return !setting.integer || Number.isInteger(n);
    };
  }

  /**
   * A list of module passwords (the runtime's readPasswordList, rule for rule): blank; one password, taken as it is;
   * or ADDRESS=PASSWORD entries split by the separator, blanks around an entry, its address and its password ignored,
   * each address once. "__PWRD__" is what the editor shows for a password it has stored and does not send back.
   */
  function passwordListRule(setting) {
    const isPassword = (text) => new RegExp(setting.password.source, setting.password.flags).test(text);
    return (value) => {
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
    };
  }

  /** The validator of one entry of the settings schema. */
  function validator(setting) {
    switch (setting.kind) {
      case "number":
        return numberRule(setting);
      case "choice":
        return (value) => blank(value) || setting.choices.includes(value);
      case "text": {
        const pattern = new RegExp(setting.pattern.source, setting.pattern.flags);
        return (value) => blank(value) || (typeof value === "string" && pattern.test(value));
      }
      case "passwords":
        return passwordListRule(setting);
      default:
        return () => true;
    }
  }

  /** True for a battery address as the runtime reads it (the rule comes as a pattern source). */
  function isAddress(rule, value) {
    return typeof value === "string" && new RegExp(rule.source, rule.flags).test(value.trim());
  }

  /** The address as the runtime keys it (upper case, colons), for comparing and showing. */
  function canonicalAddress(value) {
    return value
      .trim()
      .replace(/[:-]/g, "")
      .toUpperCase()
      .replace(/(..)(?!$)/g, "$1:");
  }

  window.bmskitRules = { validator, isAddress, canonicalAddress };
})();
