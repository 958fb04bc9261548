import { checkServers } from './server-urls';
import { DEFAULTS } from '../../defaults';
import { positiveInteger, refuseUnknownOptions } from '../../option-checks';
import { MAX_SYNC_INTERVAL_MS } from '../scheduler';

/** Options of the NATS JetStream transport: `transport: { nats: { … } }`. */
export interface NatsTransportOptions {
  /**
   * NATS server URLs (`nats://host:4222`, `tls://host:4222`, or `host:4222`;
   * a comma-separated string is split); the client moves to another one when
   * a server goes away, and reconnects for ever. A URL without a host, in
   * quotes, with a blank inside, another scheme, port 0, a path, query or
   * fragment is refused (TypeError) when the options are read.
   * @defaultValue none (required)
   */
  readonly servers: string | readonly string[];
  /**
   * The fleet's stream: created when missing, with the subjects
   * `ess.<stream>.*` (one subject per site). Letters, digits, `_` and `-`.
   * @defaultValue `DEFAULTS.nats.stream` (`"EXPRESS_SQLITE_SYNC"`)
   */
  readonly stream?: string;
  /** NATS user and password, when the server asks for them. @defaultValue none */
  readonly user?: string;
  readonly pass?: string;
  /** A NATS authentication token (not the sync token). @defaultValue none */
  readonly token?: string;
  /**
   * The JetStream domain that holds the stream, when this server connects
   * through a leaf node whose hub runs JetStream (`jetstream { domain: hub }`):
   * one word, without spaces, `.`, `*` or `>` (nats-server refuses such a domain).
   * @defaultValue none (the JetStream of the server connected to)
   */
  readonly domain?: string;
  /**
   * Largest page one message carries, in bytes. A page is never cut inside
   * one seq; a single row larger than this travels alone (up to the server's `max_payload`).
   * @defaultValue `DEFAULTS.nats.maxMessageBytes` (524288)
   */
  readonly maxMessageBytes?: number;
  /**
   * Milliseconds between looks for new local writes once the node is started
   * (a look is one indexed read; nothing is written when nothing changed).
   * At most 2147483647 (Node's longest timer).
   * @defaultValue `DEFAULTS.nats.publishIntervalMs` (50)
   */
  readonly publishIntervalMs?: number;
  /**
   * Copies of the stream a NATS cluster keeps, when this node creates it.
   * @defaultValue `DEFAULTS.nats.replicas` (1)
   */
  readonly replicas?: number;
  /**
   * Milliseconds a JetStream request (a publish's ack, a stream lookup) may
   * take; a publish whose ack is lost is sent again with the same message id.
   * At most 2147483647 (Node's longest timer).
   * @defaultValue `DEFAULTS.nats.requestTimeoutMs` (10000)
   */
  readonly requestTimeoutMs?: number;
}

/** Every way pages can travel besides the HTTP peers (`peers`). */
export interface TransportOptions {
  /** NATS JetStream: one stream per fleet. @defaultValue none (HTTP peers only) */
  readonly nats?: NatsTransportOptions;
}

/** {@link NatsTransportOptions} checked once, with every default applied. */
export interface NatsConfig {
  readonly servers: readonly string[];
  readonly stream: string;
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
  readonly domain: string | undefined;
  readonly maxMessageBytes: number;
  readonly publishIntervalMs: number;
  readonly replicas: number;
  readonly requestTimeoutMs: number;
}

const NATS_OPTION_NAMES: ReadonlySet<string> = new Set<keyof NatsTransportOptions>(['servers', 'stream', 'user', 'pass', 'token', 'domain', 'maxMessageBytes', 'publishIntervalMs', 'replicas', 'requestTimeoutMs']);
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function optionalString(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new TypeError(`express-sqlite-sync: \`transport.nats.${option}\` must be a non-empty string`);
  return value;
}

/** What nats-server takes as a JetStream domain: one subject token (it refuses `.`, `*`, `>` and spaces at its start). */
const DOMAIN_NAME = /^[^\s.*>]+$/;

function checkDomain(value: unknown): string | undefined {
  const domain = optionalString(value, 'domain');
  if (domain !== undefined && !DOMAIN_NAME.test(domain)) {
    throw new TypeError(`express-sqlite-sync: \`transport.nats.domain\` must be the hub's JetStream domain, one word without spaces, ".", "*" or ">" (as nats-server's \`jetstream { domain: hub }\`), got ${JSON.stringify(domain)}`);
  }
  return domain;
}

/** A number of milliseconds a timer waits: Node runs one longer than 2,147,483,647 ms after 1 ms. */
function timerMs(value: unknown, option: string, fallback: number): number {
  const ms = positiveInteger(value, `transport.nats.${option}`, fallback);
  if (ms > MAX_SYNC_INTERVAL_MS) throw new RangeError(`express-sqlite-sync: \`transport.nats.${option}\` must be at most ${MAX_SYNC_INTERVAL_MS} (about 24.8 days, Node's longest timer), got ${ms}`);
  return ms;
}

function checkStream(value: unknown): string {
  if (value === undefined) return DEFAULTS.nats.stream;
  if (typeof value !== 'string' || !STREAM_NAME.test(value)) {
    throw new TypeError(`express-sqlite-sync: \`transport.nats.stream\` must be 1-64 letters, digits, "_" or "-", got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks `transport.nats`, once, and applies the defaults.
 * @throws TypeError for a wrong type, a server that is not a NATS URL, an unknown key
 * @throws RangeError for a number out of range (a timer over 2,147,483,647 ms too)
 */
export function resolveNatsOptions(value: unknown): NatsConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('express-sqlite-sync: `transport.nats` must be an object: { servers: "nats://127.0.0.1:4222", stream: "FLEET" }');
  }
  refuseUnknownOptions(value, NATS_OPTION_NAMES, 'transport.nats');
  const options = value as NatsTransportOptions;
  const maxMessageBytes = positiveInteger(options.maxMessageBytes, 'transport.nats.maxMessageBytes', DEFAULTS.nats.maxMessageBytes);
  if (maxMessageBytes < 4096) throw new RangeError(`express-sqlite-sync: \`transport.nats.maxMessageBytes\` must be at least 4096, got ${maxMessageBytes}`);
  const { servers, credentials } = checkServers(options.servers);
  return {
    servers,
    stream: checkStream(options.stream),
    user: optionalString(options.user, 'user') ?? credentials?.user,
    pass: optionalString(options.pass, 'pass') ?? credentials?.pass,
    token: optionalString(options.token, 'token') ?? credentials?.token,
    domain: checkDomain(options.domain),
    maxMessageBytes,
    publishIntervalMs: timerMs(options.publishIntervalMs, 'publishIntervalMs', DEFAULTS.nats.publishIntervalMs),
    replicas: positiveInteger(options.replicas, 'transport.nats.replicas', DEFAULTS.nats.replicas),
    requestTimeoutMs: timerMs(options.requestTimeoutMs, 'requestTimeoutMs', DEFAULTS.nats.requestTimeoutMs),
  };
}

/**
 * Checks `transport`, once.
 * @returns the NATS configuration, or undefined when there is none
 * @throws TypeError for a wrong type or an unknown key; RangeError for a number out of range
 */
export function resolveTransportOptions(value: unknown): { readonly nats: NatsConfig | undefined } {
  if (value === undefined) return { nats: undefined };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('express-sqlite-sync: `transport` must be an object, e.g. { nats: { servers: "nats://127.0.0.1:4222" } }');
  }
  refuseUnknownOptions(value, new Set(['nats']), 'transport');
  const nats = (value as TransportOptions).nats;
  return { nats: nats === undefined ? undefined : resolveNatsOptions(nats) };
}

/** The subject a site publishes on. */
export function subjectOf(stream: string, site: string): string {
  return `ess.${stream}.${site}`;
}

/** The subjects of a fleet's stream. */
export function streamSubjects(stream: string): string {
  return `ess.${stream}.*`;
}
