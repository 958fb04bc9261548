import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Every code of API.md's "Error codes (sync client)" table: the codes a peer can be in. */
export function peerErrorCodes(): string[] {
  const api = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'API.md'), 'utf8');
  const section = api.slice(api.indexOf('### Error codes (sync client)'), api.indexOf('## Command line'));
  const codes = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split(' | ')[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1] as string));
  return [...new Set(codes)];
}

/** Markup that runs script when put in as HTML. */
export const MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
/** Text-direction controls: "\u202e" shows what follows it backwards, so a name can pass for another. */
export const BIDI = '\u202epotpal tip\u202c \u2067isolated\u2069 \u200fmark';
/** 10 kB of text. */
export const LONG = `${'x'.repeat(5000)} ${'word '.repeat(1000)}`; // 10 kB: one unbroken run, then words
/** The text-direction controls the page and the CLI must not pass on. */
export const DIRECTION_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A `/status` answer as a server of this version could send it, with 50 peers in every state and code, their texts hostile. */
export function hostileStatus(codes: readonly string[]): unknown {
  const peers = Array.from({ length: 50 }, (_, i) => {
    const code = codes[i % codes.length] as string;
    const text = [MARKUP, BIDI, LONG][i % 3] as string;
    return {
      url: `http://10.0.0.${i}:5000/api/sync`,
      name: i % 5 === 4 ? null : `peer ${i} ${text.slice(0, 200)}`,
      siteId: null,
      state: ['failing', 'unreachable', 'wrong-token', 'ok', 'syncing', 'never-synced'][i % 6],
      running: false,
      lastSuccessAt: null,
      lastError: `${code}: ${text}`,
      lastErrorCode: code,
      failures: i,
      nextRunAt: new Date(Date.now() + 60_000).toISOString(),
      lastContactAt: null,
      lagChanges: null,
      undeliveredChanges: 3,
      clockSkewMs: null,
      heldDeletions: [],
      lastResult: {
        peer: `http://10.0.0.${i}:5000/api/sync`, ok: false, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [],
        durationMs: 5, error: { code, message: text }, fileErrors: [{ path: `uploads/${MARKUP}`, code: 'PATH_CONFLICT', message: BIDI }], fileErrorCount: 1,
        heldDeletions: [], warnings: [{ code: 'UNKNOWN_ROOT', root: `r${BIDI}`, message: `${MARKUP}${LONG}` }],
      },
    };
  });
  return {
    name: `this ${BIDI} ${MARKUP}`, site: 'a'.repeat(32), seq: 1, conflicts: 0, peers,
    heldDeletions: [{ peer: peers[0]?.url, root: 'static', side: 'here', count: 9, files: 10, percent: 90, maxDeletePercent: 50, examples: [`static/${MARKUP}`, `static/${BIDI}`] }],
    fileConflicts: [{ path: `uploads/${BIDI}.json`, copyPath: `uploads/${MARKUP}`, peer: `p ${BIDI}`, at: new Date().toISOString() }],
    refusals: [], identityChange: null, dataError: null, fileNameProblems: [],
    transports: [{ kind: 'nats', name: `nats:${BIDI}`, state: 'failing', position: 1, lag: 2, lastError: { code: 'CLOCK_SKEW', message: `${MARKUP} ${BIDI} ${LONG}` },
      nats: { servers: [], connectedTo: null, stream: `S${BIDI}`, subject: 's', streamFirstSeq: 1, streamLastSeq: 2, appliedSeq: 1, publishedSeq: 1, unpublished: 0, messagesPublished: 0, messagesApplied: 0, messagesRefused: 0, catchUp: null, lastCatchUp: null } }],
  };
}

