import { RetentionPolicy, type StreamConfig } from '@nats-io/jetstream';
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
