/**
 * A tiny HTML template helper: every interpolated value is escaped unless it
 * is already {@link SafeHtml}, so a page cannot forget to escape.
 */

/** A string of HTML that is safe to insert as it is. */
export class SafeHtml {
  /** @param value - markup already escaped or written by the app */
  constructor(readonly value: string) {}

  /** The markup. */
  toString(): string {
    return this.value;
  }
}

/** What a template accepts: safe markup, text (escaped), numbers, nothing, or lists of these. */
export type HtmlValue = SafeHtml | string | number | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return escapeHtml(value);
  return value.map(render).join('');
}

/**
 * Tagged template: ``html`<p>${name}</p>` `` escapes `name`; nested `html`
 * results and arrays of them are inserted as they are.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}
