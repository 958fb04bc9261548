/** At most this many characters of a string a peer sent are shown in a message. */
const SHOWN_CHARACTERS = 40;

/**
 * A value a peer sent, as a refusal's message shows it: bounded, whatever was sent. A number,
 * boolean or null as JSON writes it; a string quoted, cut after 40 characters (its length said);
 * an array or an object by its kind only. `JSON.stringify` of the value itself overflowed the
 * stack on one nested 100,000 levels deep (a 500 in place of the refusal), and echoed a string of
 * megabytes back in the message.
 */
export function sentValueInWords(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > SHOWN_CHARACTERS ? `${JSON.stringify(value.slice(0, SHOWN_CHARACTERS))}… (${value.length} characters)` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
