import { splitUserinfo } from '../index';

/** The NATS part of the sample app's configuration. */
export interface SampleNatsConfig {
  readonly servers: string;
  readonly stream: string | undefined;
  readonly domain: string | undefined;
}

const orNone = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/**
 * `SYNC_NATS_URL`'s entries, blank ones left out (a trailing comma, as `SYNC_PEERS` allows).
 * @throws TypeError when none is left, or for an entry that is not a NATS URL
 */
function natsUrls(value: string): string {
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (entries.length === 0) throw new TypeError(`SYNC_NATS_URL (\`transport.nats.servers\`) holds no URL, only commas: write nats://host:4222, or leave it unset`);
  checkNatsUrls(entries);
  return entries.join(',');
}

function checkNatsUrls(entries: readonly string[]): void {
  for (const entry of entries) {
    let parsed: URL;
    try {
      const { userinfo, rest } = splitUserinfo(entry);
      parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(rest) ? rest : `nats://${rest}`);
      for (const part of (userinfo ?? '').split(':')) decodeURIComponent(part);
    } catch (error) {
      throw new TypeError('SYNC_NATS_URL (`transport.nats.servers`): an entry is not a NATS URL (write nats://user:password@host:4222, with "%" in a password as %25)', { cause: error });
    }
    if (!['nats:', 'tls:'].includes(parsed.protocol)) throw new TypeError(`SYNC_NATS_URL (\`transport.nats.servers\`): use nats:// or tls://, got ${parsed.protocol}//`);
  }
}

/**
 * `SYNC_NATS_URL`, `SYNC_NATS_STREAM`, `SYNC_NATS_DOMAIN`: the NATS transport, or undefined without
 * `SYNC_NATS_URL`; the stream name is checked here (to name the variable), the rest by the library when
 * the node is built.
 * @throws TypeError naming SYNC_NATS_URL for no URL or one that is not a NATS URL; RangeError naming SYNC_NATS_STREAM or SYNC_NATS_DOMAIN for a bad stream or domain name
 */
export function readNats(env: NodeJS.ProcessEnv): SampleNatsConfig | undefined {
  const given = orNone(env.SYNC_NATS_URL);
  const servers = given === undefined ? undefined : natsUrls(given);
  const stream = orNone(env.SYNC_NATS_STREAM);
  if (stream !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(stream)) throw new RangeError(`SYNC_NATS_STREAM (\`transport.nats.stream\`) must be 1-64 letters, digits, "_" or "-", got ${JSON.stringify(stream)}`);
  const domain = orNone(env.SYNC_NATS_DOMAIN);
  if (domain !== undefined && !/^[^\s.*>]+$/.test(domain)) throw new RangeError(`SYNC_NATS_DOMAIN (\`transport.nats.domain\`) is the hub's JetStream domain, one word without spaces, ".", "*" or ">", got ${JSON.stringify(domain)}`);
  return servers === undefined ? undefined : { servers, stream, domain };
}
