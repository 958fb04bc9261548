/**
 * A path as one word of a POSIX shell command in a message's fix (`mkdir -p …`):
 * as it is when it has no character the shell treats specially, else in single
 * quotes (a `'` inside written `'\''`), so a fix copied into a terminal makes
 * that very path, not one folder per word.
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", "'\\''")}'`;
}
