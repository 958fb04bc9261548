import { FormatRegistry, Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** The changeset protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Text without control characters (a name shown on status pages and terminals). */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';
const SiteId = Type.String({ pattern: '^[0-9a-f]{32}$' });
const Counter = Type.Integer({ minimum: 0, maximum: MAX_SAFE });
const Name = Type.String({ minLength: 1, maxLength: 1024 });
/**
 * The key of a record keyed by a table or column name: any string. Not
 * `Type.String()`, whose pattern `^(.*)$` matches no name holding a line break
 * (LF, CR, U+2028, U+2029: `.` stops at them), so such a name's value went unchecked.
 */
const AnyName = Type.String({ pattern: '^[\\s\\S]*$' });
/**
 * The highest causal length a change may carry: 2^50. A row's `cl` grows by
 * one per delete and per re-insert, so no row reaches it by use. Pages with a
 * larger one are refused; the fold ({@link grownCl}) and the page reader
 * ({@link boundedCl}) never go above it, so every page a server sends is one
 * its peers accept (docs/PROTOCOL.md, "The changeset").
 */
export const MAX_CL = 2 ** 50;

/**
 * A causal length as it is kept and sent: itself up to {@link MAX_CL}; above
 * it (a database written before the bound: the fold never goes above it),
 * the highest one of the same parity, so an alive row stays alive and a
 * deleted one deleted, and every peer accepts the page.
 */
export function boundedCl(cl: number): number {
  if (cl <= MAX_CL) return cl;
  return cl % 2 === MAX_CL % 2 ? MAX_CL : MAX_CL - 1;
}

/**
 * The causal length after one more death or birth of a row: `cl + 1`, never
 * above {@link MAX_CL}. At the bound the parity still flips (MAX_CL is even:
 * a row born again there gets MAX_CL - 1, a death MAX_CL), computed from the
 * parity, as `cl + 1` is not exact past 2^53.
 */
export function grownCl(cl: number): number {
  if (cl < MAX_CL) return cl + 1;
  return cl % 2 === 0 ? MAX_CL - 1 : MAX_CL;
}

/** A token the sender records for the seq `next` of a page it serves (see docs/PROTOCOL.md, "Identity"). */
const Mark = Type.String({ pattern: '^[0-9a-f]{16}$' });

const TaggedInt = Type.Object({ $int: Type.String({ pattern: '^-?[0-9]{1,40}$' }) }, { additionalProperties: false });
const TaggedReal = Type.Object({ $real: Type.Union([Type.Number(), Type.Literal('-0'), Type.Literal('Infinity'), Type.Literal('-Infinity')]) }, { additionalProperties: false });
/** Base64 characters with up to two `=` at the end; a linear pattern (a repeated group overflows the regex stack on a value of a few MiB). */
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
FormatRegistry.Set('base64', (value) => value.length % 4 === 0 && BASE64_CHARACTERS.test(value));
const TaggedBlob = Type.Object({ $blob: Type.String({ format: 'base64' }) }, { additionalProperties: false });
const TaggedText = Type.Object({ $text: Type.String({ format: 'base64' }) }, { additionalProperties: false });

/** JSON Schema of one value: NULL, TEXT, a number, or a tagged `$int` / `$real` / `$blob` / `$text`. */
export const WireValueSchema = Type.Union([Type.Null(), Type.String(), Type.Number(), TaggedInt, TaggedReal, TaggedBlob, TaggedText]);

/** JSON Schema of a cell with its own clock: `[value, hlc, site index]`. */
export const ClockedCellSchema = Type.Tuple([WireValueSchema, Counter, Counter]);

/**
 * JSON Schema of one cell: a bare value when the cell's clock is the change's
 * own (`hlc`, `site`), the common case of a new row; else `[value, hlc, site index]`.
 * Values are never arrays, so the two forms cannot be confused.
 */
export const WireCellSchema = Type.Union([ClockedCellSchema, WireValueSchema]);

/** JSON Schema of one change: one row's existence register and the cells that changed. */
export const WireChangeSchema = Type.Object(
  {
    table: Name,
    key: Type.Array(WireValueSchema, { minItems: 1, maxItems: 64 }),
    cl: Type.Integer({ minimum: 1, maximum: MAX_CL }),
    hlc: Counter,
    site: Counter,
    cells: Type.Optional(Type.Record(AnyName, WireCellSchema)),
  },
  { additionalProperties: false },
);

/** JSON Schema of the tracked schema description every changeset carries: table name to `[column, declared type, 1-based key position or 0]`. */
export const SchemaDescriptionSchema = Type.Object(
  {
    fingerprint: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    tables: Type.Record(AnyName, Type.Array(Type.Tuple([Name, Type.String({ maxLength: 1024 }), Type.Integer({ minimum: 0, maximum: 64 })]), { maxItems: 64 })),
  },
  { additionalProperties: false },
);

/** JSON Schema of a changeset: what `GET /data/changes` answers and `POST /data/changes` accepts. */
export const ChangesetSchema = Type.Object(
  {
    protocol: Type.Literal(PROTOCOL_VERSION),
    site: SiteId,
    schema: SchemaDescriptionSchema,
    since: Type.Optional(Counter),
    next: Type.Optional(Counter),
    more: Type.Optional(Type.Boolean()),
    mark: Type.Optional(Mark),
    sites: Type.Array(SiteId, { maxItems: 65536 }),
    changes: Type.Array(WireChangeSchema),
  },
  { additionalProperties: false },
);

/**
 * JSON Schema of a changeset as applying checks it in one pass: {@link ChangesetSchema}
 * with its changes left to the decoder, which checks each change by the same rules
 * while it decodes it (a second pass over 100k change objects cost about 15 % of an apply).
 */
export const ChangesetEnvelopeSchema = Type.Object({ ...ChangesetSchema.properties, changes: Type.Array(Type.Unknown()) }, { additionalProperties: false });

/**
 * JSON Schema of the envelope of a page a peer answers to `GET /data/changes`:
 * what the puller reads before it applies the page (applying checks the whole
 * changeset, once: see {@link ChangesetEnvelopeSchema}).
 */
export const ChangePageEnvelopeSchema = Type.Object({
  protocol: Type.Literal(PROTOCOL_VERSION),
  site: SiteId,
  next: Counter,
  more: Type.Boolean(),
  changes: Type.Array(Type.Unknown()),
});

/** JSON Schema of what a server holds of the asking server's changes: its pull cursor for it and the mark that came with it. */
export const PeerViewSchema = Type.Object({ seq: Counter, mark: Type.Union([Mark, Type.Null()]) }, { additionalProperties: false });

/** JSON Schema of `GET /data/info`: who a server is and how far its changes go. */
export const DataInfoSchema = Type.Object({
  site: SiteId,
  protocol: Type.Integer({ minimum: 1, maximum: MAX_SAFE }),
  /** Every protocol version the server speaks (newer servers; an older one speaks only `protocol`). */
  protocols: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: MAX_SAFE }), { maxItems: 64 })),
  schema: SchemaDescriptionSchema,
  seq: Counter,
  tables: Type.Array(Name, { maxItems: 1024 }),
  now: Type.Number(),
  /** With `?site=`: this server's pull cursor for that site (its seq up to which its changes are applied here). */
  cursor: Type.Optional(Counter),
  /** The server's name for people (its `name` option), when it has one. */
  name: Type.Optional(Type.String({ maxLength: 100, pattern: PRINTABLE })),
  /** Random per running tracker: two URLs answering with one site id and two instances are two servers. */
  instance: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$' })),
  /** With `?site=`: how far this server holds the asking site's changes. */
  you: Type.Optional(PeerViewSchema),
  /** The NATS streams this server reads: it holds every change of their messages up to `seq` (a peer's catch-up after the stream lost messages checks it). */
  nats: Type.Optional(
    Type.Array(Type.Object({ stream: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), created: Type.String({ maxLength: 100 }), seq: Counter }, { additionalProperties: false }), { maxItems: 16 }),
  ),
  /** With `?site=`: this server's seqs after the asker's cursor (`seen_seq`, or 0) not holding only what the asker sent here: what it has yet to pull. */
  unpulled: Type.Optional(Counter),
});

/** The id of a conflict: 16 hex digits, the same on every server for one parked row. */
const ConflictId = Type.String({ pattern: '^[0-9a-f]{16}$' });
const Reason = Type.Union([Type.Literal('UNIQUE'), Type.Literal('CHECK'), Type.Literal('FOREIGN_KEY')]);
const WireKey = Type.Array(WireValueSchema, { maxItems: 64 });

/** JSON Schema of one conflict as an apply result reports it: a row the apply parked. */
export const ConflictReportSchema = Type.Object({
  id: ConflictId,
  table: Name,
  key: WireKey,
  reason: Reason,
  message: Type.String(),
});

/** JSON Schema of a row as conflicts show it: column name to wire value. */
export const WireRowSchema = Type.Record(AnyName, WireValueSchema);

/**
 * JSON Schema of one entry of `GET /data/conflicts`: a parked row (`parked`,
 * column to value), and what keeps it out: the visible row holding its UNIQUE
 * values, or the missing parent (`{ table, key }`), or null (CHECK).
 */
export const ConflictEntrySchema = Type.Object({
  id: ConflictId,
  table: Name,
  key: WireKey,
  reason: Reason,
  message: Type.String(),
  parked: WireRowSchema,
  holder: Type.Union([WireRowSchema, Type.Object({ table: Name, key: WireKey }, { additionalProperties: false }), Type.Null()]),
  at: Type.String(),
  /** The table's primary-key columns: a restore may edit every column but these. */
  keyColumns: Type.Array(Name, { minItems: 1, maxItems: 64 }),
});

/** JSON Schema of a resolution: `{ "action": "discard" }` or `{ "action": "restore", "values": { … } }`. */
export const ResolutionSchema = Type.Union([
  Type.Object({ action: Type.Literal('discard') }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('restore'), values: WireRowSchema }, { additionalProperties: false }),
]);

/** JSON Schema of what `POST /data/changes` answers (and `applyChangeset` returns). */
export const ApplyResultSchema = Type.Object({
  received: Counter,
  applied: Counter,
  ignored: Counter,
  conflicts: Type.Array(ConflictReportSchema, { maxItems: 1_000_000 }),
  seq: Counter,
});

/** The tracked schema as a peer sees it: table name to its columns. */
export type SchemaDescription = Static<typeof SchemaDescriptionSchema>;
/** One column of a {@link SchemaDescription}: `[name, declared type, 1-based key position or 0]`. */
export type ColumnDescription = [string, string, number];
/** What `GET /data/info` answers. */
export type DataInfo = Static<typeof DataInfoSchema>;
/** Why a change could not be placed: a constraint no merge rule settles. */
export type ConflictReason = Static<typeof ConflictReportSchema>['reason'];
/** A conflict as the apply result reports it. */
export type ConflictReport = Static<typeof ConflictReportSchema>;
/** A conflict as `GET /data/conflicts` lists it. */
export type ConflictEntry = Static<typeof ConflictEntrySchema>;
/** How a conflict is resolved. */
export type Resolution = Static<typeof ResolutionSchema>;
/** What a server holds of another's changes. */
export type PeerView = Static<typeof PeerViewSchema>;
/** What applying a changeset did. */
export type ApplyResult = Static<typeof ApplyResultSchema>;
/** A changeset as it travels. */
export type WireChangeset = Static<typeof ChangesetSchema>;
/** One change as it travels. */
export type WireChange = Static<typeof WireChangeSchema>;
/** One cell as it travels: `[value, hlc, site index]`. */
export type WireCell = Static<typeof WireCellSchema>;

/** The compiled validator of a changeset's envelope (TypeBox's TypeCompiler: JSON Schema compiled to one JavaScript function). */
export const changesetEnvelopeCheck = TypeCompiler.Compile(ChangesetEnvelopeSchema);
/** The compiled validator of the envelope of a peer's page of changes. */
export const changePageEnvelopeCheck = TypeCompiler.Compile(ChangePageEnvelopeSchema);
/** The compiled validator of a peer's `/data/info` answer. */
export const dataInfoCheck = TypeCompiler.Compile(DataInfoSchema);
/** The compiled validator of a peer's answer to a pushed changeset. */
export const applyResultCheck = TypeCompiler.Compile(ApplyResultSchema);
/** The compiled validator of a resolution body. */
export const resolutionCheck = TypeCompiler.Compile(ResolutionSchema);
