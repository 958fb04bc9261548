import { RetentionPolicy, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { SyncError } from '../../sync-error';

/**
 * Refuses a fleet's stream that cannot carry it: other subjects than the
 * fleet's (a hole in the stream sequence then would not always mean lost
 * messages); a retention other than limits (an `interest` or `workqueue`
 * stream drops a message once it is read or taken, so a server that was
 * away never gets it, and its publisher counts it as published); no acks
 * (`no_ack`: a publisher could never tell a stored page from a lost one).
 * An operator may make such a stream, or edit one, at any time.
 * @param subjects - the fleet's subject filter, `ess.<stream>.*`
 * @throws SyncError `NATS_STREAM` (503) naming what is wrong and how to fix it
 */
export function refuseUnfitStream(stream: string, subjects: string, config: Pick<StreamConfig, 'subjects' | 'retention' | 'no_ack'>): void {
  if (config.subjects?.length !== 1 || config.subjects[0] !== subjects) {
    throw new SyncError('NATS_STREAM', 503, `stream ${stream} has the subjects ${JSON.stringify(config.subjects ?? [])}, not only ${subjects}; choose another \`transport.nats.stream\``);
  }
  const remake = `delete it (\`nats stream rm ${stream}\`: a server makes it again, and every server publishes its changes again) or choose another \`transport.nats.stream\``;
  if (config.retention !== RetentionPolicy.Limits) {
    throw new SyncError(
      'NATS_STREAM',
      503,
      `stream ${stream} has ${config.retention} retention: it drops a message once it is read, so a server that is away misses it; the fleet's stream must keep its messages (limits retention). Nothing is published into it: ${remake}`,
    );
  }
  if (config.no_ack === true) {
    throw new SyncError('NATS_STREAM', 503, `stream ${stream} does not acknowledge messages (no_ack), so a publisher cannot tell a page stored from one lost; nothing is published into it: turn acknowledgements on (\`nats stream edit ${stream} --ack\`)`);
  }
}

/** The nats CLI flag that raises each limit a full stream answers with. */
const LIMIT_FLAGS: Readonly<Record<string, string>> = { messages: '--max-msgs', bytes: '--max-bytes', 'messages per subject': '--max-msgs-per-subject' };

/**
 * JetStream's answer to a publish into a stream that is full and keeps its old
 * messages (`discard new` with `max_msgs`, `max_bytes` or
 * `max_msgs_per_subject`), as `NATS_STREAM` with the fix; undefined for any
 * other failure. Nothing more can be published into it until an operator
 * changes it, so it is the stream's fault, not a passing NATS error.
 */
export function fullStreamFailure(stream: string, error: unknown): SyncError | undefined {
  if (error instanceof SyncError) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  const limit = /maximum (messages per subject|messages|bytes) exceeded/i.exec(message);
  if (limit === null) return undefined;
  const flag = LIMIT_FLAGS[(limit[1] ?? '').toLowerCase()];
  return new SyncError(
    'NATS_STREAM',
    503,
    `stream ${stream} is full and refuses new messages (${message}: it keeps its old ones, discard new), so nothing more is published into it and this server's changes wait; let it drop its oldest messages instead (\`nats stream edit ${stream} --discard old\`: a server that had not read them catches up over HTTP) or raise its limit (${flag})`,
    { cause: error },
  );
}

/** JetStream's error code for a stream whose subjects another stream on the server takes. */
const SUBJECTS_OVERLAP = 10065;
/** JetStream's error code for a stream the account may not make: it has as many as its `max_streams` allows. */
const MAXIMUM_STREAMS = 10027;

/** The names of the streams that take any of `subjects` (none when the server cannot say). */
async function streamsTaking(jsm: JetStreamManager, subjects: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const name of jsm.streams.names(subjects)) names.push(name);
  } catch {
    return []; // only the names are missing from the message
  }
  return names;
}

/**
 * The fleet's stream cannot be made: another stream on the NATS server takes
 * its subjects (JetStream answers only "subjects overlap with an existing
 * stream"): `NATS_STREAM` naming the streams that take them, as the server
 * lists them; also `NATS_STREAM` when the account has as many streams as its
 * `max_streams` allows; `error` itself for any other failure to make it.
 */
export async function streamAddFailure(jsm: JetStreamManager, stream: string, subjects: string, error: unknown): Promise<unknown> {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === MAXIMUM_STREAMS) {
    const message = error instanceof Error ? error.message : String(error);
    return new SyncError(
      'NATS_STREAM',
      503,
      `stream ${stream} cannot be made: the NATS account this server connects as already has as many streams as its \`max_streams\` allows (${message}); raise that limit (\`jetstream { max_streams: … }\` of the account in nats-server's configuration, then \`nats-server --signal reload\`), remove a stream no one uses (\`nats stream ls\`, \`nats stream rm <name>\`), or connect this fleet as a user of another account (each fleet needs a stream of its own)`,
      { cause: error },
    );
  }
  if (code !== SUBJECTS_OVERLAP) return error;
  const others = await streamsTaking(jsm, subjects);
  const which = others.length === 0 ? 'another stream' : `the stream${others.length > 1 ? 's' : ''} ${others.join(', ')}`;
  return new SyncError(
    'NATS_STREAM',
    503,
    `stream ${stream} cannot be made: ${which} on this NATS server already take${others.length > 1 ? '' : 's'} its subjects ${subjects} (${error instanceof Error ? error.message : String(error)}); choose another stream (\`transport.nats.stream\`, SYNC_NATS_STREAM in the sample app), or take those subjects out of ${which}`,
    { cause: error },
  );
}
