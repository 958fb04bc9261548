import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { WireValue } from './values';
import { SchemaDescriptionSchema, type WireCell } from './wire-schema';

/** The protocol version of the compact page (docs/PROTOCOL.md, "The compact page"). */
export const COMPACT_PROTOCOL = 2;

/** Every protocol version this code speaks, oldest first. */
export const PROTOCOLS: readonly number[] = [1, COMPACT_PROTOCOL];

/** A cell of a compact row: as in protocol 1 (a bare value or `[value, hlc, site]`), or `[]` for a column not sent. */
export type CompactCell = WireCell | [];

/** A compact row: `[key, cl, hlc, site, cell…]`, the key bare for a one-column key. */
export type CompactRow = [WireValue | WireValue[], number, number, number, ...CompactCell[]];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const SiteId = Type.String({ pattern: '^[0-9a-f]{32}$' });
const Counter = Type.Integer({ minimum: 0, maximum: MAX_SAFE });
const Name = Type.String({ minLength: 1, maxLength: 1024 });

/** JSON Schema of one table of a compact page: its non-key columns named once, then its rows (checked one by one when applied). */
export const CompactTableSchema = Type.Object(
  {
    table: Name,
    columns: Type.Array(Name, { maxItems: 64 }),
    rows: Type.Array(Type.Array(Type.Unknown(), { minItems: 4, maxItems: 68 })),
  },
  { additionalProperties: false },
);

/** JSON Schema of a compact changeset (protocol 2): protocol 1's envelope, the changes as tables of rows. */
export const CompactChangesetSchema = Type.Object(
  {
    protocol: Type.Literal(COMPACT_PROTOCOL),
    site: SiteId,
    schema: SchemaDescriptionSchema,
    since: Type.Optional(Counter),
    next: Type.Optional(Counter),
    more: Type.Optional(Type.Boolean()),
    mark: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$' })),
    sites: Type.Array(SiteId, { maxItems: 65536 }),
    tables: Type.Array(CompactTableSchema, { maxItems: 4096 }),
  },
  { additionalProperties: false },
);

/** A table of a compact page as built by a sender. */
export interface CompactTable {
  table: string;
  columns: string[];
  rows: CompactRow[];
}

/** A compact changeset as its JSON Schema checks it (rows not checked yet). */
export type CompactChangesetShape = Static<typeof CompactChangesetSchema>;

/** A compact changeset as a sender builds it. */
export type CompactChangeset = Omit<CompactChangesetShape, 'tables'> & { tables: CompactTable[] };

/** The compiled validator of a compact changeset's shape (rows are checked while they are decoded). */
export const compactChangesetCheck = TypeCompiler.Compile(CompactChangesetSchema);

/** JSON Schema of the envelope of a compact page a peer answers to `GET /data/changes?protocol=2`. */
export const CompactPageEnvelopeSchema = Type.Object({
  protocol: Type.Literal(COMPACT_PROTOCOL),
  site: SiteId,
  next: Counter,
  more: Type.Boolean(),
  tables: Type.Array(Type.Object({ rows: Type.Array(Type.Unknown()) })),
});

/** The compiled validator of a compact page's envelope (a puller reads it before applying the page, which checks it all). */
export const compactPageEnvelopeCheck = TypeCompiler.Compile(CompactPageEnvelopeSchema);
