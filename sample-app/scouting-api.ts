import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { Router, type Request, type Response } from 'express';
import { MATCH_LABEL_MAX, matchIdOf, normalizeMatchLabel, TEAM_NUMBERS, teamIdOf } from './scouting-schema';
import { characterCount, hasControlCharacter, hasDirectionControl, hasVisibleCharacter, normalizeName, normalizeNotes, hasUtf8Form as wellFormed } from './text';
import { jsonRow, jsonRows } from './json-rows';

type Body = Record<string, unknown>;
type Check = (value: unknown) => boolean;

/** Text of 1 to `max` characters (code points: an emoji counts one), on one line: no control character. */
const isText = (max: number): Check => (value) =>
  typeof value === 'string' && value.length > 0 && characterCount(value) <= max && wellFormed(value) && !hasControlCharacter(value, false);
/** A name (a team's, a scout's), checked as kept (see {@link keptValues}): text of 1 to `max` characters that shows something and has no text-direction control, as the form asks. */
const isName = (max: number): Check => (value) => isText(max)(value) && hasVisibleCharacter(value as string) && !hasDirectionControl(value as string);
const isCount: Check = (value) => Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 100_000;
/** A team number, in the form's range. */
const isTeamNumber: Check = (value) => Number.isSafeInteger(value) && (value as number) >= TEAM_NUMBERS.min && (value as number) <= TEAM_NUMBERS.max;
/** A match label: a name (something visible), at most 100 characters as kept (upper case may lengthen it: `ß` is `SS`). */
const isLabel: Check = (value) => isName(MATCH_LABEL_MAX)(value) && characterCount(normalizeMatchLabel(value as string)) <= MATCH_LABEL_MAX;
/** Free text of at most 10,000 characters, or null: tabs and line breaks, but no other control character. */
const isNotes: Check = (value) => value === null || (typeof value === 'string' && characterCount(value) <= 10_000 && wellFormed(value) && !hasControlCharacter(value, true));

/**
 * Fields that hold a name, kept as the form keeps them: NFC, no spaces around (see `normalizeName`); checked
 * so, so a line break after a name is dropped, not refused as a control character. A match label is normalized further when kept.
 */
const NAME_FIELDS: ReadonlySet<string> = new Set(['name', 'scout', 'label']);

/** A field's value as it is kept: a name normalized, a report's notes too (see `normalizeNotes`), anything else as sent. */
function keptValue(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (NAME_FIELDS.has(name)) return normalizeName(value);
  return name === 'notes' ? normalizeNotes(value) : value;
}

/**
 * The body with its values as they are kept, as the form keeps them: `Ann ` is the scout `Ann`, notes'
 * line breaks are LF (so one counts once) (own properties only, `__proto__` included, are copied).
 */
function keptValues(body: Body): Body {
  return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, keptValue(name, value)]));
}

const REPORT_FIELDS: Readonly<Record<string, Check>> = {
  match_id: isText(64),
  team_id: isText(64),
  scout: isName(100),
  auto_points: isCount,
  teleop_points: isCount,
  notes: isNotes,
};

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Checks the listed fields of a JSON body; returns the first problem, or undefined. */
function invalidField(body: Body, fields: Readonly<Record<string, Check>>, required: readonly string[]): string | undefined {
  for (const name of required) if (body[name] === undefined) return `\`${name}\` is required`;
  for (const [name, value] of Object.entries(body)) {
    const check = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (check === undefined) return `unknown field \`${name}\``;
    if (!check(value)) return `\`${name}\` has a bad value`;
  }
  return undefined;
}

/** The JSON object a request sent; undefined for anything else (an array, a string, nothing), which the routes refuse. */
function bodyOf(req: Request): Body | undefined {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Body) : undefined;
}

/** The request's JSON object with its fields checked; answers 400 `BAD_FIELD` (and returns undefined) otherwise. */
function checkedBody(req: Request, res: Response, fields: Readonly<Record<string, Check>>, required: readonly string[]): Body | undefined {
  const sent = bodyOf(req);
  const body = sent === undefined ? undefined : keptValues(sent);
  const problem = body === undefined ? 'the body must be a JSON object' : invalidField(body, fields, required);
  if (problem === undefined) return body;
  fail(res, 400, 'BAD_FIELD', problem);
  return undefined;
}

/** Runs a write, turning constraint failures into 409/422 answers. Returns false when it answered. */
function tryWrite(res: Response, write: () => void): boolean {
  try {
    write();
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') fail(res, 409, 'DUPLICATE', 'this scout already reported this team in this match');
    else if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') fail(res, 422, 'UNKNOWN_REFERENCE', '`match_id` or `team_id` names no such row');
    else throw error;
    return false;
  }
}

type Statements = ReturnType<typeof prepare>;

/** Prepares a statement that reads integers as numbers, whatever `db.defaultSafeIntegers` says (the counts here are small). */
function prepareNumbers(db: Database.Database, sql: string): Database.Statement {
  return db.prepare(sql).safeIntegers(false);
}

function prepare(db: Database.Database) {
  return {
    teams: prepareNumbers(db, 'SELECT id, number, name, pit FROM teams ORDER BY number'),
    // Teams and matches are keyed by their natural key: creating team 971 on two laptops creates one row.
    addTeam: prepareNumbers(db, 'INSERT INTO teams (id, number, name) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name'),
    matches: prepareNumbers(db, 'SELECT id, label, starts_at FROM matches ORDER BY label'),
    addMatch: prepareNumbers(db, 'INSERT INTO matches (id, label, starts_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET starts_at = coalesce(excluded.starts_at, starts_at)'),
    match: prepareNumbers(db, 'SELECT id, label, starts_at FROM matches WHERE id = ?'),
    reports: prepareNumbers(db, 'SELECT * FROM match_reports ORDER BY updated_at DESC'),
    report: prepareNumbers(db, 'SELECT * FROM match_reports WHERE id = ?'),
    addReport: prepareNumbers(
      db,
      `INSERT INTO match_reports (id, match_id, team_id, scout, auto_points, teleop_points, notes, updated_at)
       VALUES (@id, @match_id, @team_id, @scout, @auto_points, @teleop_points, @notes, @updated_at)`,
    ),
    deleteReport: prepareNumbers(db, 'DELETE FROM match_reports WHERE id = ?'),
  };
}

/** `GET`/`POST /teams` and `/matches`. */
function addTeamAndMatchRoutes(router: Router, statements: Statements): void {
  router.get('/teams', (_req, res) => {
    res.json(jsonRows(statements.teams.all(), 'teams'));
  });
  router.post('/teams', (req, res) => {
    const body = checkedBody(req, res, { number: isTeamNumber, name: isName(200) }, ['number', 'name']);
    if (body === undefined) return undefined;
    const id = teamIdOf(body.number as number);
    statements.addTeam.run(id, body.number, body.name);
    res.status(201).json({ id, number: body.number, name: body.name });
  });
  router.get('/matches', (_req, res) => {
    res.json(jsonRows(statements.matches.all(), 'matches'));
  });
  router.post('/matches', (req, res) => {
    const body = checkedBody(req, res, { label: isLabel, starts_at: isNotes }, ['label']);
    if (body === undefined) return undefined;
    const label = normalizeMatchLabel(body.label as string);
    const id = matchIdOf(label);
    statements.addMatch.run(id, label, body.starts_at ?? null);
    res.status(201).json(jsonRow(statements.match.get(id), 'matches'));
  });
}

/** The UPDATE for a set of report fields, prepared once per set; names come from REPORT_FIELDS only. */
function reportUpdater(db: Database.Database): (names: readonly string[]) => Database.Statement {
  const updates = new Map<string, Database.Statement>();
  return (names) => {
    const id = names.join(',');
    let statement = updates.get(id);
    if (statement === undefined) {
      const sets = [...names.map((name) => `${name} = @${name}`), 'updated_at = @updated_at'].join(', ');
      statement = prepareNumbers(db, `UPDATE match_reports SET ${sets} WHERE id = @id`);
      updates.set(id, statement);
    }
    return statement;
  };
}

/**
 * Whether a report is parked as a conflict (its row kept aside, not in the
 * table). An app that does not sync data has none.
 */
export type ParkedReportCheck = (id: string) => boolean;

/** The answer for a report not in the table: 409 `REPORT_PARKED` when it is parked as a conflict, else 404 `NOT_FOUND`. */
function missingReport(res: Response, id: string, isParked: ParkedReportCheck | undefined): void {
  if (isParked?.(id) === true) {
    fail(res, 409, 'REPORT_PARKED', 'this report is parked as a conflict (another report holds its scout, team and match, or its team or match is missing); resolve it on the sync status page (/api/sync/ui): keep it there, edited, or discard it');
    return;
  }
  fail(res, 404, 'NOT_FOUND', 'no such report');
}

/** `GET`/`POST /reports`, `PATCH`/`DELETE /reports/:id`. */
function addReportRoutes(router: Router, statements: Statements, updateFor: (names: readonly string[]) => Database.Statement, isParked: ParkedReportCheck | undefined): void {
  router.get('/reports', (_req, res) => {
    res.json(jsonRows(statements.reports.all(), 'match_reports'));
  });
  router.post('/reports', (req, res) => {
    const body = checkedBody(req, res, REPORT_FIELDS, ['match_id', 'team_id', 'scout']);
    if (body === undefined) return undefined;
    const row = { auto_points: 0, teleop_points: 0, notes: null, ...body, id: randomUUID(), updated_at: new Date().toISOString() };
    if (tryWrite(res, () => statements.addReport.run(row))) res.status(201).json(jsonRow(statements.report.get(row.id), 'match_reports'));
  });
  router.patch('/reports/:id', (req, res) => {
    const body = checkedBody(req, res, REPORT_FIELDS, []);
    if (body === undefined) return undefined;
    if (statements.report.get(req.params.id) === undefined) return missingReport(res, req.params.id, isParked);
    const names = Object.keys(body).sort();
    const update = updateFor(names);
    if (names.length > 0 && !tryWrite(res, () => update.run({ ...body, id: req.params.id, updated_at: new Date().toISOString() }))) return undefined;
    res.json(jsonRow(statements.report.get(req.params.id), 'match_reports'));
  });
  router.delete('/reports/:id', (req, res) => {
    const { changes } = statements.deleteReport.run(req.params.id);
    if (changes === 0) return missingReport(res, req.params.id, isParked);
    res.status(204).end();
  });
}

/**
 * The scouting app's small JSON API: teams, matches and match reports.
 * Writes go straight to SQLite; the capture triggers record them for sync.
 * @param isParked - tells a report parked as a conflict (409 `REPORT_PARKED` for its `PATCH` or `DELETE`, not 404)
 * @throws SqliteError when the scouting tables do not exist (see `createScoutingSchema`)
 */
export function createScoutingApi(db: Database.Database, isParked?: ParkedReportCheck): Router {
  const router = Router();
  const statements = prepare(db);
  addTeamAndMatchRoutes(router, statements);
  addReportRoutes(router, statements, reportUpdater(db), isParked);
  return router;
}
