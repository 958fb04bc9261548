/** `String.prototype.isWellFormed` (Node 20; ES2024, newer than this package's `lib`). */
type MaybeWellFormed = string & { isWellFormed(): boolean };

/** Text that has a UTF-8 form (a lone UTF-16 surrogate such as `"\ud800"` has none: SQLite would store bytes that are not UTF-8). */
export function hasUtf8Form(value: string): boolean {
  return (value as MaybeWellFormed).isWellFormed();
}

/** The characters of a text as a person counts them (Unicode code points: an emoji is one, not two UTF-16 units). */
export function characterCount(value: string): number {
  return Array.from(value).length;
}

/**
 * A name (a scout's, a team's) as it is kept, by the form and the JSON API alike: in Unicode NFC
 * (`é` typed as one character or as `e` and an accent is one name), without spaces around it.
 * So `Ann`, `Ann ` and ` Ann` are one scout, and one report per scout, team and match holds.
 */
export function normalizeName(value: string): string {
  return value.normalize('NFC').trim();
}

/**
 * A report's notes as they are kept, by the form and the JSON API alike: every line break as LF
 * (a browser sends a text box's as CRLF, and counts each once), no spaces around; null when nothing is left.
 */
export function normalizeNotes(value: string): string | null {
  const notes = value.replace(/\r\n?/g, '\n').trim();
  return notes === '' ? null : notes;
}

/** A control character (Unicode `Cc`: U+0000–U+001F, U+007F–U+009F). */
const CONTROL = /\p{Cc}/u;
/** A control character other than tab, LF and CR. */
const CONTROL_BUT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;

/**
 * True when a text holds a control character (NUL, ESC, DEL, …: Unicode `Cc`), which no field
 * of the form or the JSON API takes. Notes (`multiline`) may hold tabs and line breaks.
 */
export function hasControlCharacter(value: string, multiline: boolean): boolean {
  return (multiline ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(value);
}

/** A character that shows: a letter, a digit, a symbol (an emoji) or a punctuation mark. */
const VISIBLE = /[\p{L}\p{N}\p{S}\p{P}]/u;

/**
 * True when a text shows something: a name of spaces, zero-width spaces, soft hyphens or
 * joiners only (`"\u200b"`) looks blank on every page, so the form and the API refuse it as blank.
 */
export function hasVisibleCharacter(value: string): boolean {
  return VISIBLE.test(value);
}

/** Text-direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
const DIRECTION_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;

/**
 * True when a text holds a text-direction control: `"\u202ennA"` shows as `Ann`, so a name
 * holding one can pass for another; names refuse them (marks such as U+200F, which override nothing, pass).
 */
export function hasDirectionControl(value: string): boolean {
  return DIRECTION_CONTROL.test(value);
}
