/**
 * Characters that do not show as themselves where a name or a title is shown to people
 * (status pages, terminals, logs): control characters (U+0000–U+001F, U+007F–U+009F),
 * invisible marks (zero-width space, joiners, left-to-right and right-to-left marks:
 * U+200B–U+200F; the byte order mark U+FEFF) and text-direction embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069), with which `"\u202epotpal tip"` shows as another name.
 */
// eslint-disable-next-line no-control-regex -- the point of the set
const HIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/** The same set, every occurrence (for `replace`). */
const EVERY_HIDDEN_CHARACTER = new RegExp(HIDDEN_CHARACTERS.source, 'g');

/**
 * True when `text` holds a control character, an invisible mark or a text-direction mark
 * (U+0000–U+001F, U+007F–U+009F, U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF):
 * the library's rule for a server's `name`, which a name shown to people must not hold.
 * Letters of any script, accents and emoji are not hidden characters.
 * @param text - the text to check
 * @throws TypeError for a `text` that is not a string
 */
export function hasHiddenCharacter(text: string): boolean {
  if (typeof text !== 'string') throw new TypeError(`express-sqlite-sync: hasHiddenCharacter needs a string, got ${text === null ? 'null' : typeof text}`);
  return HIDDEN_CHARACTERS.test(text);
}

/**
 * `text` with each of the characters {@link hasHiddenCharacter} finds replaced by `by`.
 * @param text - the text to clean
 * @param by - what takes each one's place
 */
export function replaceHiddenCharacters(text: string, by: string): string {
  return text.replace(EVERY_HIDDEN_CHARACTER, by);
}
