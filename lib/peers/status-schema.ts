import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const Text = Type.String({ maxLength: 65536 });
const Count = Type.Integer({ minimum: 0 });

/** JSON Schema of one peer in `GET /status`: the fields a client (the CLI) reads. */
export const PeerStatusSchema = Type.Object({
  url: Text,
  running: Type.Boolean(),
  failures: Count,
  lastSuccessAt: Type.Optional(Text),
  lastError: Type.Optional(Text),
  lagChanges: Type.Optional(Type.Number()),
  clockSkewMs: Type.Optional(Type.Number()),
});

/** JSON Schema of `GET /status`, as far as a client reads it (more fields may follow). */
export const SyncStatusSchema = Type.Object({
  site: Type.Optional(Text),
  seq: Type.Optional(Count),
  conflicts: Count,
  peers: Type.Array(PeerStatusSchema, { maxItems: 100_000 }),
});

/** Compiled validator of a server's `/status` answer. */
export const syncStatusCheck = TypeCompiler.Compile(SyncStatusSchema);
