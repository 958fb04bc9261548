import { checkNatsServers, NatsServersError, type NatsServersProblem } from '../index';
import { orNone } from './env-values';

/** The NATS part of the sample app's configuration. */
export interface SampleNatsConfig {
  readonly servers: string;
  readonly stream: string | undefined;
  readonly domain: string | undefined;
}

/** How the sample app names `transport.nats.servers` in its messages. */
const SETTING = 'SYNC_NATS_URL (`transport.nats.servers`)';

/**
 * The library's refusal of SYNC_NATS_URL in the sample app's words: naming SYNC_NATS_URL, with the
 * lines its tests and README name kept for no host, another scheme and a URL that does not parse
 * (a bad `%` escape among them; the app has no `user`/`pass` settings to offer instead).
 */
function inSampleTerms(error: unknown): unknown {
  if (!(error instanceof NatsServersError)) return error;
  const library = error.message.replace('express-sqlite-sync: `transport.nats.servers`', SETTING);
  const message: Partial<Record<NatsServersProblem, string>> = {
    'no-host': `${SETTING}: an entry has no host (write nats://host:4222)`,
    scheme: `${SETTING}: use nats:// or tls://, got ${error.scheme ?? ''}//`,
    'not-a-url': `${SETTING}: an entry is not a NATS URL (write nats://user:password@host:4222, with "%" in a password as %25)`,
    'bad-escape': `${SETTING}: an entry is not a NATS URL (write nats://user:password@host:4222, with "%" in a password as %25)`,
  };
  return new TypeError(message[error.problem] ?? library, { cause: error });
}

/**
 * `SYNC_NATS_URL`'s entries, blank ones left out (a trailing comma) and each once, as in `SYNC_PEERS`,
 * checked by the library's `checkNatsServers` (the check `transport.nats.servers` gets), so a URL it
 * would refuse when the node is built stops the start before anything is written.
 * @throws TypeError when none is left, or naming SYNC_NATS_URL for an entry the library refuses
 */
function natsUrls(value: string): string {
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (entries.length === 0) throw new TypeError(`${SETTING} holds no URL, only commas: write nats://host:4222, or leave it unset`);
  try {
    // Entry by entry: two entries with different credentials are left to the node's build (config.test.ts's banner case has them).
    for (const entry of entries) checkNatsServers(entry);
  } catch (error) {
    const refusal = inSampleTerms(error);
    // `nats://a:4222;nats://b:4222`: say how to list them (a `;` in a password is fine: this runs only for a refused entry).
    if (refusal instanceof TypeError && entries.some((entry) => entry.includes(';'))) throw new TypeError(`${refusal.message}; separate URLs with commas, not ";"`, { cause: error });
    throw refusal;
  }
  return [...new Set(entries)].join(','); // a server named twice is listed once, as SYNC_PEERS does
}

/** The NATS variables the app reads. */
export const NATS_VARIABLES: readonly string[] = ['SYNC_NATS_URL', 'SYNC_NATS_STREAM', 'SYNC_NATS_DOMAIN'];

/**
 * Refuses what would leave an operator believing NATS is on while it is not: a `SYNC_NATS_*`
 * name the app does not read (`SYNC_NATS_SERVERS` for `SYNC_NATS_URL`), and `SYNC_NATS_STREAM`
 * or `SYNC_NATS_DOMAIN` without `SYNC_NATS_URL`. Blank is unset, as for every variable.
 * @throws TypeError naming the variable
 */
function refuseNatsWithoutUrl(env: NodeJS.ProcessEnv): void {
  const unknown = Object.keys(env)
    .sort()
    .find((name) => name.startsWith('SYNC_NATS_') && !NATS_VARIABLES.includes(name) && orNone(env[name]) !== undefined);
  if (unknown !== undefined) throw new TypeError(`${unknown} is not a variable of the sample app: NATS is set with ${NATS_VARIABLES.slice(0, -1).join(', ')} and ${NATS_VARIABLES.at(-1) ?? ''}; rename it or unset it`);
  if (orNone(env.SYNC_NATS_URL) !== undefined) return;
  const set = NATS_VARIABLES.filter((name) => orNone(env[name]) !== undefined).join(' and ');
  if (set === '') return;
  const verb = set.includes(' and ') ? 'are' : 'is';
  throw new TypeError(`${set} ${verb} set but SYNC_NATS_URL is not: the app uses NATS only with SYNC_NATS_URL (nats://host:4222); set it too, or unset ${set}`);
}

/**
 * `SYNC_NATS_URL`, `SYNC_NATS_STREAM`, `SYNC_NATS_DOMAIN`: the NATS transport, or undefined without
 * `SYNC_NATS_URL`; the stream name is checked here (to name the variable), the rest by the library when
 * the node is built.
 * @throws TypeError naming SYNC_NATS_URL for no URL or one that is not a NATS URL, naming SYNC_NATS_STREAM or SYNC_NATS_DOMAIN set without SYNC_NATS_URL, or naming a SYNC_NATS_* variable the app does not read; RangeError naming SYNC_NATS_STREAM or SYNC_NATS_DOMAIN for a bad stream or domain name
 */
export function readNats(env: NodeJS.ProcessEnv): SampleNatsConfig | undefined {
  refuseNatsWithoutUrl(env);
  const given = orNone(env.SYNC_NATS_URL);
  const servers = given === undefined ? undefined : natsUrls(given);
  const stream = orNone(env.SYNC_NATS_STREAM);
  if (stream !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(stream)) throw new RangeError(`SYNC_NATS_STREAM (\`transport.nats.stream\`) must be 1-64 letters, digits, "_" or "-", got ${JSON.stringify(stream)}`);
  const domain = orNone(env.SYNC_NATS_DOMAIN);
  if (domain !== undefined && !/^[^\s.*>]+$/.test(domain)) throw new RangeError(`SYNC_NATS_DOMAIN (\`transport.nats.domain\`) is the hub's JetStream domain, one word without spaces, ".", "*" or ">", got ${JSON.stringify(domain)}`);
  return servers === undefined ? undefined : { servers, stream, domain };
}
