import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const RelativePath = Type.String({ minLength: 1, maxLength: 4096 });

/** JSON Schema of one manifest entry. */
export const ManifestEntrySchema = Type.Object({
  path: RelativePath,
  size: Type.Integer({ minimum: 0 }),
  mtimeMs: Type.Number(),
  sha256: Sha256,
});

/** JSON Schema of what `GET /files/checksums` answers. */
export const ManifestAnswerSchema = Type.Object({
  root: Type.String(),
  path: Type.String(),
  files: Type.Array(ManifestEntrySchema, { maxItems: 10_000_000 }),
  /** Symbolic links the server holds but does not sync (absent when none; older servers never send it): not deletions. */
  leftOut: Type.Optional(Type.Array(RelativePath, { maxItems: 10_000_000 })),
});

/**
 * JSON Schema of what `GET /files/info` answers: the id the server's file sync goes by (its site id, or the
 * identity of a server without data), absent when it has none (a router that runs no rounds of its own), and
 * `instance`, random per running server (as `GET /data/info`'s): two URLs that answer one id with two instances
 * are two servers sharing one identity. Other fields are passed over, for later versions.
 */
export const FilesInfoAnswerSchema = Type.Object({
  site: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
  instance: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$' })),
});

/** JSON Schema of what `POST /files/upload` answers. */
export const UploadAnswerSchema = Type.Object({ path: Type.String(), size: Type.Integer({ minimum: 0 }), sha256: Sha256, replaced: Type.Boolean() });

/** JSON Schema of what `DELETE /files` answers. */
export const DeleteAnswerSchema = Type.Object({ path: Type.String(), deleted: Type.Literal(true) });

/** What `GET /files/checksums` answers. */
export type ManifestAnswer = Static<typeof ManifestAnswerSchema>;
/** What `GET /files/info` answers. */
export type FilesInfoAnswer = Static<typeof FilesInfoAnswerSchema>;
/** What `POST /files/upload` answers. */
export type UploadAnswer = Static<typeof UploadAnswerSchema>;
/** What `DELETE /files` answers. */
export type DeleteAnswer = Static<typeof DeleteAnswerSchema>;

/** Compiled validator of a peer's manifest. */
export const manifestAnswerCheck = TypeCompiler.Compile(ManifestAnswerSchema);
/** Compiled validator of a peer's `GET /files/info`. */
export const filesInfoAnswerCheck = TypeCompiler.Compile(FilesInfoAnswerSchema);
/** Compiled validator of a peer's answer to an upload. */
export const uploadAnswerCheck = TypeCompiler.Compile(UploadAnswerSchema);
/** Compiled validator of a peer's answer to a delete. */
export const deleteAnswerCheck = TypeCompiler.Compile(DeleteAnswerSchema);
