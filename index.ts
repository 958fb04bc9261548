// The public API of express-sqlite-sync: what README.md and docs/API.md document, and nothing else.

// Factories and their options
export { createSyncRouter } from './node/create-sync-router';
export { createSyncNode } from './node/create-sync-node';
export type { SyncNode } from './node/create-sync-node';
export type { SyncRouterOptions, SyncNodeOptions } from './node/options';
export { DEFAULTS } from './lib/defaults';

// Data: capture, the tracker and the wire format
export { enableCapture } from './lib/data/capture';
export type { CaptureOptions } from './lib/data/capture';
export { ChangeTracker } from './lib/data/change-tracker';
export type { ChangeTrackerOptions } from './lib/data/change-tracker';
export { ChangesetSchema, DataInfoSchema, ApplyResultSchema, ConflictEntrySchema, ResolutionSchema, PROTOCOL_VERSION } from './lib/data/wire-schema';
export type { ApplyResult, ColumnDescription, ConflictEntry, ConflictReason, ConflictReport, DataInfo, PeerView, Resolution, SchemaDescription, WireCell, WireChange, WireChangeset } from './lib/data/wire-schema';
export type { ConflictPage } from './lib/data/conflict-list';
export { decodeValue, encodeValue, TextBytes } from './lib/data/values';
export { clockSkewMsFromText, MAX_CLOCK_SKEW_MS } from './lib/data/check-changeset';
export type { SqlValue, WireValue } from './lib/data/values';
export { backupDatabase, checkDatabaseFile, restoreDatabase } from './lib/data/backup';
export type { CopyOptions } from './lib/data/backup';
export type { BackupProgress } from './lib/data/backup';
export { giveNewSiteId, giveNewSiteIdToFile, type NewSiteIdOptions } from './lib/data/site-identity';
export type { ExpectedSnapshot } from './lib/data/snapshot-adopt';
export type { ImportedSnapshot } from './lib/data/snapshot-import';

// Talking to peers
export { SyncClient } from './lib/peers/sync-client';
export type { SyncClientEvents, SyncClientOptions } from './lib/peers/sync-client';
export { normalizePeerUrl, DEFAULT_SYNC_PATH } from './lib/peers/client-options';
export type { PeerEntry } from './lib/peers/client-options';
export type { BackoffOptions } from './lib/peers/scheduler';
export type { SyncInterval } from './lib/peers/sync-interval';
export { joinFromPeer } from './lib/peers/snapshot-join';
export type { JoinOptions, JoinResult } from './lib/peers/snapshot-join';
export type { WireBytes } from './lib/peers/peer-http';
export type { ContentCoding } from './lib/content-coding';
export type { DeletionFilter } from './lib/peers/delete-guard';
export type { PeerState } from './lib/peers/failure-codes';
export type { FileConflict, HeldDeletion, PeerStatus, PeerSyncResult, RecentFileConflict, RoundWarning, SyncProgress, SyncStatus } from './lib/peers/sync-status';
export type { Refusal } from './lib/refusal-log';
export type { ChangeTransport, ExchangeCount, ExchangeProgress, NatsHeldSender, NatsStatus, TransportKind, TransportState, TransportStatus } from './lib/peers/transport';
export type { TransportCursor } from './lib/data/transport-cursors';
export type { NatsTransportOptions, TransportOptions } from './lib/peers/nats/nats-options';
export { splitUserinfo } from './lib/peers/nats/nats-util';
export { checkNatsServers, NatsServersError } from './lib/peers/nats/server-urls';
export type { NatsServersProblem } from './lib/peers/nats/server-urls';
export { unreadableCertificate } from './lib/peers/pem-certificates';

// Files: the database guard and its building blocks
export type { LocalFiles } from './lib/files/local-files';
export { createFilePolicy, isDatabaseHeader } from './lib/files/file-policy';
export { isLiveDatabaseFile } from './lib/files/live-databases';
export type { FilePolicy, FilePolicyOptions } from './lib/files/file-policy';
export { parseSyncPath, resolveSyncPath } from './lib/files/safe-path';
export type { ResolvedSyncPath } from './lib/files/safe-path';
export { resolveSyncRoots } from './lib/files/sync-roots';
export { listManifest, scanManifest } from './lib/files/manifest';
export type { ManifestEntry, ManifestListing, ManifestScanOptions } from './lib/files/manifest';
export { ManifestCache } from './lib/files/manifest-cache';

// Express building blocks
export { uploadGuard } from './middleware/upload-guard';
export type { UploadGuardOptions } from './middleware/upload-guard';
export { saveGuardedUpload, discardGuardedUpload } from './middleware/upload-commit';
export type { SaveUploadOptions, SavedUpload } from './middleware/upload-commit';
export { AtomicDiskStorage } from './middleware/atomic-storage';
export type { StoredUpload, AtomicDiskStorageOptions } from './middleware/atomic-storage';
export { bearerAuth } from './middleware/auth';
export type { BearerAuthOptions } from './middleware/auth';
export { securityHeaders } from './middleware/security-headers';
export { refuseCrossSiteWrites } from './middleware/cross-site';
export type { CrossSiteOptions } from './middleware/cross-site';
export { logRefusals, sendSyncError, syncErrorHandler, toSyncError } from './middleware/errors';
export { answerClientErrorsAsJson } from './middleware/client-errors';
export { continueOnlyWhenRead } from './middleware/expect-continue';
export { boundedJsonBody } from './middleware/bounded-json';
export { closeAfterUnreadBody } from './middleware/lingering-close';
export { answerWrongMethods } from './routes/allowed-methods';
export type { DrainLimits } from './middleware/lingering-close';

// Errors and logs
export { SyncError } from './lib/sync-error';
export { createDefaultLogger, silentLogger } from './lib/logger';
export type { SyncLogger } from './lib/logger';

// Text shown to people
export { hasHiddenCharacter } from './lib/hidden-characters';

