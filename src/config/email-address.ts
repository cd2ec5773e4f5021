/**
 * RFC 5322 mailbox check for email trigger `sender` / `recipients` (OZ parses them at deserialisation time).
 * Accepts `local@domain` and `Display Name <local@domain>`; the local part is a dot-atom or a quoted string, the
 * domain a dot-separated host name (IDN letters allowed) or a `[literal]`.
 */

const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uFFFF";
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(\\.[${ATEXT}]+)*$`);
const QUOTED = /^"(?:[^"\\\r\n]|\\.)*"$/;
const LABEL = /^[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?$/;

/** Why `text` is not a valid address, or undefined if it is one. */
export function emailAddressProblem(text: string): string | undefined {
  let address = text.trim();
  const angle = /^(.*)<([^<>]*)>$/s.exec(address);
  if (angle) {
    const display = (angle[1] as string).trim();
    if (/[\r\n]/.test(display)) return "the display name contains a line break";
    if (display.startsWith('"') && !QUOTED.test(display)) return "the quoted display name is not closed";
    address = (angle[2] as string).trim();
  } else if (/[<>]/.test(address)) {
    return "unbalanced '<' or '>'";
  }
  if (address === "") return "it is empty";
  const at = address.lastIndexOf("@");
  if (at < 0) return "it has no '@'";
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local === "") return "the part before '@' is empty";
  if (local.length > 64) return "the part before '@' is longer than 64 characters";
  if (!DOT_ATOM.test(local) && !QUOTED.test(local)) return `invalid characters or dots in ${JSON.stringify(local)}`;
  if (domain === "") return "the domain after '@' is empty";
  if (domain.length > 255) return "the domain is longer than 255 characters";
  if (domain.startsWith("[") && domain.endsWith("]")) {
    return /^\[[\x21-\x5a\x5e-\x7e]*\]$/.test(domain) ? undefined : "invalid domain literal";
  }
  for (const label of domain.split(".")) {
    if (label === "") return `empty label in domain ${JSON.stringify(domain)}`;
    if (label.length > 63) return "a domain label is longer than 63 characters";
    if (!LABEL.test(label)) return `invalid domain ${JSON.stringify(domain)}`;
  }
  return undefined;
}
