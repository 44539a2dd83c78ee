import { ERROR_CODES, errorRecord, type HelpedNode } from "../errors";

/**
 * The error list of a node's help page (nodes/locales/en-US/<type>.html, the `<dl class="message-properties
 * bms-errors">` element), from the error records: every code the node can end with and its help line. `npm run build`
 * writes it into the help pages, so the help says what the code does.
 */
export function errorHelpList(type: HelpedNode): string {
  const entries = ERROR_CODES.filter((code) => (errorRecord(code).helpOf as readonly string[]).includes(type)).map(
    (code) => `    <dt>${code}</dt><dd>${errorRecord(code).help}</dd>`,
  );
  return `  <dl class="message-properties bms-errors">\n${entries.join("\n")}\n  </dl>`;
}

/** The element errorHelpList writes, as it stands in a help page (with whatever it holds now). */
export const ERROR_HELP_ELEMENT = / {2}<dl class="message-properties bms-errors">[\s\S]*?<\/dl>/;
