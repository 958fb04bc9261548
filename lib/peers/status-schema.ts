import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const Text = Type.String({ maxLength: 65536 });
const Count = Type.Integer({ minimum: 0 });

/** A field a server answers as `null` when unknown (this version) or leaves out (servers before it). */
function Unknowable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

/** JSON Schema of a deletion held back by the mass-delete guard, as a client (the CLI) reads it. */
export const HeldDeletionSchema = Type.Object({
  peer: Text,
  root: Text,
  side: Type.Union([Type.Literal('here'), Type.Literal('there')]),
  count: Count,
  files: Count,
  percent: Type.Number(),
  examples: Type.Array(Text, { maxItems: 100 }),
});

/** JSON Schema of one peer in `GET /status`: the fields a client (the CLI) reads. */
export const PeerStatusSchema = Type.Object({
  url: Text,
  name: Unknowable(Text),
  state: Type.Optional(Text),
  running: Type.Boolean(),
  failures: Count,
  lastSuccessAt: Unknowable(Text),
  lastError: Unknowable(Text),
  nextRunAt: Unknowable(Text),
  lagChanges: Unknowable(Type.Number()),
  /** When `lagChanges` was measured (the last handshake). */
  lastContactAt: Unknowable(Text),
  undeliveredChanges: Unknowable(Type.Number()),
  clockSkewMs: Unknowable(Type.Number()),
  /** True for a peer that syncs files only (its handshake answered `DATA_OFF`). */
  filesOnly: Unknowable(Type.Boolean()),
});

/** JSON Schema of one transport in `GET /status` (`transports[]`): the fields a client (the CLI) reads. */
export const TransportStatusSchema = Type.Object({
  kind: Text,
  name: Text,
  state: Text,
  position: Unknowable(Type.Number()),
  lag: Unknowable(Type.Number()),
  lastError: Unknowable(Type.Object({ code: Text, message: Text })),
  nats: Type.Optional(Type.Object({ unpublished: Type.Optional(Type.Number()) })),
});

/** JSON Schema of `GET /status`, as far as a client reads it (more fields may follow). */
export const SyncStatusSchema = Type.Object({
  site: Unknowable(Text),
  seq: Unknowable(Count),
  name: Unknowable(Text),
  conflicts: Count,
  peers: Type.Array(PeerStatusSchema, { maxItems: 100_000 }),
  heldDeletions: Type.Optional(Type.Array(HeldDeletionSchema, { maxItems: 100_000 })),
  identityChange: Unknowable(Type.Object({ code: Text, detail: Text, previous: Text, current: Text, at: Text })),
  dataError: Unknowable(Type.Object({ code: Text, message: Text })),
  transports: Type.Optional(Type.Array(TransportStatusSchema, { maxItems: 100_000 })),
});

/** JSON Schema of what `POST /deletions/confirm` answers, as far as the CLI reads it. */
export const ConfirmAnswerSchema = Type.Object({
  confirmed: Type.Array(HeldDeletionSchema, { maxItems: 100_000 }),
  results: Type.Array(
    Type.Object({ peer: Text, ok: Type.Boolean(), error: Type.Optional(Type.Object({ code: Text, message: Text })), heldDeletions: Type.Optional(Type.Array(HeldDeletionSchema, { maxItems: 100_000 })) }),
    { maxItems: 100_000 },
  ),
});

/** Compiled validator of a server's `/deletions/confirm` answer. */
export const confirmAnswerCheck = TypeCompiler.Compile(ConfirmAnswerSchema);

/** Compiled validator of a server's `/status` answer. */
export const syncStatusCheck = TypeCompiler.Compile(SyncStatusSchema);

/** JSON Schema of a progress line of `POST /run?stream=ndjson`. */
export const RunProgressLineSchema = Type.Object({
  type: Type.Literal('progress'),
  progress: Type.Object({ peer: Text, phase: Text, done: Type.Number({ minimum: 0 }), total: Type.Optional(Type.Number({ minimum: 0 })) }),
});

/** JSON Schema of one peer's result, as far as the CLI prints it. */
export const RunResultSchema = Type.Object({
  peer: Text,
  ok: Type.Boolean(),
  rowsPulled: Count,
  rowsPushed: Count,
  filesUp: Count,
  filesDown: Count,
  filesDeleted: Count,
  dataConflicts: Count,
  fileConflicts: Type.Array(Type.Object({ path: Type.Optional(Text), copyPath: Type.Optional(Text) }), { maxItems: 100_000 }),
  durationMs: Type.Number({ minimum: 0 }),
  error: Type.Optional(Type.Object({ code: Text, message: Text })),
  heldDeletions: Type.Optional(Type.Array(HeldDeletionSchema, { maxItems: 100_000 })),
  fileErrors: Type.Optional(Type.Array(Type.Object({ path: Text, code: Text, message: Text }), { maxItems: 100_000 })),
  /** Every file error of the round; servers before it left it out (then `fileErrors` held them all). */
  fileErrorCount: Type.Optional(Count),
});

/** JSON Schema of the last line of `POST /run?stream=ndjson`. */
export const RunResultsLineSchema = Type.Object({ type: Type.Literal('results'), results: Type.Array(RunResultSchema, { maxItems: 100_000 }) });

/** Compiled validator of a line of `POST /run?stream=ndjson`. */
export const runLineCheck = TypeCompiler.Compile(Type.Union([RunProgressLineSchema, RunResultsLineSchema]));
