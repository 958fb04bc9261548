import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** The changeset protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const SiteId = Type.String({ pattern: '^[0-9a-f]{32}$' });
const Counter = Type.Integer({ minimum: 0, maximum: MAX_SAFE });
const Name = Type.String({ minLength: 1, maxLength: 1024 });

const TaggedInt = Type.Object({ $int: Type.String({ pattern: '^-?[0-9]{1,20}$' }) }, { additionalProperties: false });
const TaggedReal = Type.Object({ $real: Type.Number() }, { additionalProperties: false });
const TaggedBlob = Type.Object(
  { $blob: Type.String({ pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$' }) },
  { additionalProperties: false },
);

/** JSON Schema of one value: NULL, TEXT, a number, or a tagged `$int` / `$real` / `$blob`. */
export const WireValueSchema = Type.Union([Type.Null(), Type.String(), Type.Number(), TaggedInt, TaggedReal, TaggedBlob]);

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
    cl: Type.Integer({ minimum: 1, maximum: MAX_SAFE }),
    hlc: Counter,
    site: Counter,
    cells: Type.Optional(Type.Record(Type.String(), WireCellSchema)),
  },
  { additionalProperties: false },
);

/** JSON Schema of the tracked schema description every changeset carries: table name to `[column, declared type, 1-based key position or 0]`. */
export const SchemaDescriptionSchema = Type.Object(
  {
    fingerprint: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    tables: Type.Record(Type.String(), Type.Array(Type.Tuple([Name, Type.String({ maxLength: 1024 }), Type.Integer({ minimum: 0, maximum: 64 })]), { maxItems: 64 })),
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
    sites: Type.Array(SiteId, { maxItems: 65536 }),
    changes: Type.Array(WireChangeSchema),
  },
  { additionalProperties: false },
);

/**
 * JSON Schema of the envelope of a page a peer answers to `GET /data/changes`:
 * what the puller reads before it applies the page (applying checks the whole
 * changeset with {@link ChangesetSchema}, once).
 */
export const ChangePageEnvelopeSchema = Type.Object({
  protocol: Type.Literal(PROTOCOL_VERSION),
  site: SiteId,
  next: Counter,
  more: Type.Boolean(),
  changes: Type.Array(Type.Unknown()),
});

/** JSON Schema of `GET /data/info`: who a server is and how far its changes go. */
export const DataInfoSchema = Type.Object({
  site: SiteId,
  protocol: Type.Integer({ minimum: 1, maximum: MAX_SAFE }),
  schema: SchemaDescriptionSchema,
  seq: Counter,
  tables: Type.Array(Name, { maxItems: 1024 }),
  now: Type.Number(),
  /** With `?site=`: this server's pull cursor for that site (its seq up to which its changes are applied here). */
  cursor: Type.Optional(Counter),
  /** The server's name for people (its `name` option), when it has one. */
  name: Type.Optional(Type.String({ maxLength: 100 })),
});

/** JSON Schema of one conflict as an apply result reports it. */
export const ConflictReportSchema = Type.Object({
  id: Counter,
  table: Name,
  key: Type.Array(WireValueSchema, { maxItems: 64 }),
  reason: Type.Union([Type.Literal('UNIQUE'), Type.Literal('CHECK'), Type.Literal('FOREIGN_KEY')]),
  message: Type.String(),
});

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
/** What applying a changeset did. */
export type ApplyResult = Static<typeof ApplyResultSchema>;
/** A changeset as it travels. */
export type WireChangeset = Static<typeof ChangesetSchema>;
/** One change as it travels. */
export type WireChange = Static<typeof WireChangeSchema>;
/** One cell as it travels: `[value, hlc, site index]`. */
export type WireCell = Static<typeof WireCellSchema>;

/** The compiled changeset validator (TypeBox's TypeCompiler: JSON Schema compiled to one JavaScript function). */
export const changesetCheck = TypeCompiler.Compile(ChangesetSchema);
/** The compiled validator of the envelope of a peer's page of changes. */
export const changePageEnvelopeCheck = TypeCompiler.Compile(ChangePageEnvelopeSchema);
/** The compiled validator of a peer's `/data/info` answer. */
export const dataInfoCheck = TypeCompiler.Compile(DataInfoSchema);
/** The compiled validator of a peer's answer to a pushed changeset. */
export const applyResultCheck = TypeCompiler.Compile(ApplyResultSchema);
