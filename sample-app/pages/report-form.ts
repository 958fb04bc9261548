import { MATCH_LABEL_MAX, normalizeMatchLabel, TEAM_NUMBERS } from '../scouting-schema';
import { characterCount, hasControlCharacter, hasDirectionControl, hasUtf8Form, hasVisibleCharacter, normalizeName, normalizeNotes } from '../text';
import { html, type SafeHtml } from './html';
import { layout } from './layout';
import type { ReportEntry } from './report-store';

/** The form's field names, as posted. */
export const REPORT_FORM_FIELDS = ['team_number', 'team_name', 'match_label', 'scout', 'auto_points', 'teleop_points', 'notes'] as const;

/** One field name of the report form. */
export type ReportFormField = (typeof REPORT_FORM_FIELDS)[number];

/** The raw values of the form, kept to fill it in again. */
export type ReportFormValues = Readonly<Record<ReportFormField, string>>;

/** A problem per field, in words for the scout. */
export type ReportFormProblems = Partial<Record<ReportFormField, string>>;

interface FieldSpec {
  readonly label: string;
  readonly kind: 'count' | 'text' | 'notes';
  readonly min: number;
  readonly max: number;
  /** The text as it is kept, when that may be longer than as typed (also at most `max` characters). */
  readonly keptAs?: (value: string) => string;
}

const SPECS: Readonly<Record<ReportFormField, FieldSpec>> = {
  team_number: { label: 'Team number', kind: 'count', min: TEAM_NUMBERS.min, max: TEAM_NUMBERS.max },
  team_name: { label: 'Team name', kind: 'text', min: 1, max: 200 },
  match_label: { label: 'Match', kind: 'text', min: 1, max: MATCH_LABEL_MAX, keptAs: normalizeMatchLabel },
  scout: { label: 'Scout', kind: 'text', min: 1, max: 100 },
  auto_points: { label: 'Auto points', kind: 'count', min: 0, max: 100_000 },
  teleop_points: { label: 'Teleop points', kind: 'count', min: 0, max: 100_000 },
  notes: { label: 'Notes', kind: 'notes', min: 0, max: 10_000 },
};

/** An empty form: points start at 0. */
export const EMPTY_REPORT_FORM: ReportFormValues = {
  team_number: '',
  team_name: '',
  match_label: '',
  scout: '',
  auto_points: '0',
  teleop_points: '0',
  notes: '',
};

function problemOf(spec: FieldSpec, value: string): string | undefined {
  if (spec.kind === 'count') {
    const number = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
    return number >= spec.min && number <= spec.max ? undefined : `${spec.label} must be a whole number from ${spec.min} to ${spec.max}.`;
  }
  if (value.length < spec.min) return `${spec.label} is required.`;
  if (spec.kind === 'text' && !hasVisibleCharacter(value)) return `${spec.label} is required (it shows nothing: only invisible characters).`;
  if (hasControlCharacter(value, spec.kind === 'notes')) return `${spec.label} holds a control character (such as NUL or Escape); remove it.`;
  if (spec.kind === 'text' && hasDirectionControl(value)) return `${spec.label} holds a text-direction control (such as U+202E), which can make it show as another name; remove it.`;
  if (!hasUtf8Form(value)) return `${spec.label} holds a character that cannot be stored (a lone surrogate); remove it.`;
  if (characterCount(value) > spec.max) return `${spec.label} is longer than ${spec.max} characters.`; // code points, as the API counts
  // Upper case may lengthen it (`ß` is `SS`): the API refuses such a label, so the form does too.
  if (spec.keptAs !== undefined && characterCount(spec.keptAs(value)) > spec.max) return `${spec.label} is longer than ${spec.max} characters in upper case.`;
  return undefined;
}

/**
 * A posted field as the browser counted it: browsers send every line break of
 * a textarea as CRLF, but count it as one character against `maxlength`, so
 * line breaks become LF (one character, as kept) before the checks; then trimmed.
 * Names and notes are kept as the JSON API keeps them (see `normalizeName`, `normalizeNotes`).
 */
function fieldText(spec: FieldSpec, raw: unknown): string {
  if (typeof raw !== 'string') return '';
  if (spec.kind === 'notes') return normalizeNotes(raw) ?? '';
  return spec.kind === 'text' ? normalizeName(raw.replace(/\r\n?/g, '\n')) : raw.trim();
}

/**
 * Reads a posted report form (url-encoded fields as strings; line breaks as LF; text trimmed).
 * Returns the values to show again, the problems per field, and the entry
 * when there is no problem.
 */
export function readReportForm(body: unknown): { values: ReportFormValues; problems: ReportFormProblems; entry: ReportEntry | undefined } {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const values = {} as Record<ReportFormField, string>;
  const problems: ReportFormProblems = {};
  for (const name of REPORT_FORM_FIELDS) {
    values[name] = fieldText(SPECS[name], fields[name]);
    // A field sent twice (`scout=a&scout=b`) arrives as an array: say so, not that it is missing.
    const problem = Array.isArray(fields[name]) ? `${SPECS[name].label} was sent more than once; send it once.` : problemOf(SPECS[name], values[name]);
    if (problem !== undefined) problems[name] = problem;
  }
  if (Object.keys(problems).length > 0) return { values, problems, entry: undefined };
  const entry: ReportEntry = {
    teamNumber: Number(values.team_number),
    teamName: values.team_name,
    matchLabel: values.match_label,
    scout: values.scout,
    autoPoints: Number(values.auto_points),
    teleopPoints: Number(values.teleop_points),
    notes: values.notes === '' ? null : values.notes,
  };
  return { values, problems, entry };
}

/**
 * The `maxlength` of a field keeping `max` characters. Browsers count UTF-16 units there (an emoji is two),
 * the server code points (one), as the API does: twice `max` lets through every text the server takes
 * (no character is more than two units) and still stops a runaway paste; the server says when it is too long.
 */
function maxLengthOf(spec: FieldSpec): number {
  return spec.max * 2;
}

function renderField(name: ReportFormField, value: string, problem: string | undefined): SafeHtml {
  const spec = SPECS[name];
  const maxlength = maxLengthOf(spec);
  const id = `field-${name}`;
  const invalid = problem === undefined ? '' : html` aria-invalid="true"`;
  const label = html`<label for="${id}">${spec.label}</label>`;
  if (spec.kind === 'notes') return html`${label}<textarea id="${id}" name="${name}" maxlength="${maxlength}"${invalid}>${value}</textarea>`;
  if (spec.kind === 'count') {
    return html`${label}<input id="${id}" name="${name}" type="number" inputmode="numeric" min="${spec.min}" max="${spec.max}" value="${value}" required${invalid}>`;
  }
  return html`${label}<input id="${id}" name="${name}" type="text" maxlength="${maxlength}" value="${value}" required${invalid}>`;
}

/**
 * The report entry page: the problems (if any) above the form, the form
 * filled with `values`. `message` is a problem not tied to one field.
 */
export function renderReportForm(values: ReportFormValues, problems: ReportFormProblems, message?: string): string {
  const listed = [...Object.values(problems), ...(message === undefined ? [] : [message])];
  const box = listed.length === 0 ? '' : html`<div class="problems" role="alert"><p>The report was not saved:</p><ul>${listed.map((text) => html`<li>${text}</li>`)}</ul></div>`;
  const fields = REPORT_FORM_FIELDS.map((name) => renderField(name, values[name], problems[name]));
  return layout(
    'New match report',
    html`${box}<form class="entry" method="post" action="/reports/new">
${fields}
<button type="submit">Save report</button>
</form>`,
  );
}
