import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as api from '../../index';

const ROOT = path.resolve(__dirname, '..', '..');

/** The runtime names of the public API: what README.md and docs/API.md document, nothing else. */
const PUBLIC = [
  'AtomicDiskStorage',
  'ApplyResultSchema',
  'ChangeTracker',
  'ChangesetSchema',
  'ConflictEntrySchema',
  'DEFAULTS',
  'DEFAULT_SYNC_PATH',
  'DataInfoSchema',
  'ManifestCache',
  'NatsServersError',
  'PROTOCOL_VERSION',
  'ResolutionSchema',
  'SyncClient',
  'SyncError',
  'TextBytes',
  'clockSkewMsFromText',
  'MAX_CLOCK_SKEW_MS',
  'answerClientErrorsAsJson',
  'answerWrongMethods',
  'backupDatabase',
  'bearerAuth',
  'boundedJsonBody',
  'checkDatabaseFile',
  'checkNatsServers',
  'closeAfterUnreadBody',
  'continueOnlyWhenRead',
  'createDefaultLogger',
  'createFilePolicy',
  'createSyncNode',
  'createSyncRouter',
  'decodeValue',
  'discardGuardedUpload',
  'enableCapture',
  'logRefusals',
  'encodeValue',
  'giveNewSiteId',
  'giveNewSiteIdToFile',
  'hasHiddenCharacter',
  'normalizePeerUrl',
  'isDatabaseHeader',
  'isLiveDatabaseFile',
  'joinFromPeer',
  'parseSyncPath',
  'refuseCrossSiteWrites',
  'resolveSyncPath',
  'resolveSyncRoots',
  'restoreDatabase',
  'saveGuardedUpload',
  'scanManifest',
  'listManifest',
  'securityHeaders',
  'sendSyncError',
  'silentLogger',
  'splitUserinfo',
  'syncErrorHandler',
  'toSyncError',
  'unreadableCertificate',
  'uploadGuard',
];

describe('the public entry (index.ts)', () => {
  it('exports exactly the public API, each name defined', () => {
    const exported = Object.keys(api).sort();
    expect(exported).toEqual([...PUBLIC].sort());
    for (const name of exported) expect((api as Record<string, unknown>)[name]).toBeDefined();
  });

  it('documents every exported name in docs/API.md', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'API.md'), 'utf8');
    expect(PUBLIC.filter((name) => !doc.includes(name))).toEqual([]);
  });

  it('freezes DEFAULTS, so no caller can change another part’s defaults', () => {
    expect(Object.isFrozen(api.DEFAULTS)).toBe(true);
    expect(Object.isFrozen(api.DEFAULTS.backoff)).toBe(true);
  });
});
