import http from 'node:http';
import https from 'node:https';
import type { Static, TSchema } from '@sinclair/typebox';
import { decodeBody, encodeBody, MIN_COMPRESSED_BYTES, parseCoding, type ContentCoding } from '../content-coding';
import { PROTOCOLS } from '../data/compact-schema';
import { DEFAULTS } from '../defaults';
import { SyncError } from '../sync-error';
import { abandonStalledAnswer, MIN_ANSWER_BYTES_PER_TIMEOUT } from './answer-progress';
import type { PeerBody, PeerEndpoint, PeerHttpOptions, WireBytes } from './peer-http-types';
import { checkAnswer, hideSecrets, notJsonHint, pageOfWhom, peerError, printable, readAll, redirectRefusal, type AnswerCheck, type PeerResponse } from './peer-answer';

export type { PeerBody, PeerEndpoint, PeerHttpOptions, WireBytes } from './peer-http-types';

/** The most of a text from a peer (a path it listed) that {@link PeerHttp.shownText} keeps. */
const SHOWN_PEER_TEXT = 200;
/** Characters that would reorder or hide the text around them (text-direction controls, zero-width and line separators): shown escaped. */
const REORDERING_OR_INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * A small HTTP client for one peer's sync router: bearer token, keep-alive,
 * an inactivity timeout, streamed bodies both ways, and the peer's JSON
 * errors turned back into {@link SyncError}s with the peer's code.
 */
export class PeerHttp {
  readonly #base: URL;
  readonly #token: string | undefined;
  /** The token sent and every other one this side holds: hidden in the peer's error messages. */
  readonly #secrets: readonly string[];
  readonly #timeoutMs: number;
  readonly #maxAnswerBytes: number;
  readonly #minAnswerBytes: number;
  readonly #agent: http.Agent;
  readonly #coding: ContentCoding;
  /** The coding of JSON bodies sent: the link's, until a peer refuses it. */
  #sendCoding: ContentCoding;
  readonly #wire: WireBytes = { sent: 0, received: 0 };
  /** Requests and responses in flight, for {@link abandon}. */
  readonly #inFlight = new Set<http.ClientRequest | http.IncomingMessage>();
  /** True from {@link abandon} to {@link resume}: requests are refused. */
  #abandoning = false;
  /** The data protocols this side speaks. */
  readonly protocols: readonly number[];
  /** The data protocol of the pages on this link, both ways: the newest both sides speak, set by the handshake (1 until then). */
  dataProtocol = 1;

  /**
   * @throws TypeError when the URL is not http(s)
   */
  constructor(endpoint: PeerEndpoint, options: PeerHttpOptions = {}) {
    const base = new URL(endpoint.url.endsWith('/') ? endpoint.url : `${endpoint.url}/`);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`peer URL must be http(s): ${endpoint.url}`);
    this.#base = base;
    this.#token = endpoint.token;
    this.#secrets = [...new Set([...(endpoint.token === undefined ? [] : [endpoint.token]), ...(options.secrets ?? [])])];
    this.#timeoutMs = options.peerTimeoutMs ?? DEFAULTS.peerTimeoutMs;
    this.#maxAnswerBytes = options.maxPeerAnswerBytes ?? DEFAULTS.maxPeerAnswerBytes;
    this.#minAnswerBytes = options.minAnswerBytes ?? MIN_ANSWER_BYTES_PER_TIMEOUT;
    this.#agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, ca: options.peerCa }) : new http.Agent({ keepAlive: true });
    this.#coding = options.peerCompression ?? DEFAULTS.peerCompression;
    this.#sendCoding = this.#coding;
    this.protocols = options.protocols ?? PROTOCOLS;
  }

  /** Milliseconds without progress before a request to this peer is abandoned (`peerTimeoutMs`). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** JSON body bytes sent and received on this link so far, as they crossed the wire (a file's or a snapshot's body is not counted). */
  get wireBytes(): Readonly<WireBytes> {
    return { ...this.#wire };
  }

  /** A JSON body as it goes on the wire, compressed when the link's coding says so and it is large enough. */
  async #jsonPayload(value: unknown, headers: http.OutgoingHttpHeaders): Promise<Buffer> {
    const json = Buffer.from(JSON.stringify(value));
    headers['Content-Type'] = 'application/json';
    if (this.#sendCoding === 'identity' || json.length < MIN_COMPRESSED_BYTES) return json;
    headers['Content-Encoding'] = this.#sendCoding;
    return encodeBody(json, this.#sendCoding);
  }

  /** The peer's base URL. */
  get url(): string {
    return this.#base.href;
  }

  /**
   * Text the peer sent (a path of its listing) as a message may show it: the tokens this side holds
   * hidden (`***`, see {@link hideSecrets}), text-direction and invisible characters escaped (`\u202e`),
   * control characters replaced, cut after `max` characters with a count of the rest, so a hostile or broken
   * peer puts neither a token, nor kilobytes, nor text that reorders the line into the log or `/status`.
   */
  shownText(text: string, max = SHOWN_PEER_TEXT): string {
    const escapeUnit = (found: string, index: number): string => `\\u${found.charCodeAt(index).toString(16).padStart(4, '0')}`;
    const escaped = hideSecrets(text, this.#secrets).replace(REORDERING_OR_INVISIBLE, (found) => Array.from({ length: found.length }, (_unit, index) => escapeUnit(found, index)).join(''));
    return printable(escaped, max);
  }

  /** Sends a request and resolves with the unread response (any status); `extraHeaders` add to (or replace) the defaults. */
  async request(method: string, path: string, query: Readonly<Record<string, string>> = {}, body?: PeerBody, extraHeaders: Readonly<http.OutgoingHttpHeaders> = {}): Promise<PeerResponse> {
    if (this.#abandoning) throw stoppedError();
    const url = new URL(path, this.#base);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json', ...(this.#coding === 'identity' ? {} : { 'Accept-Encoding': this.#coding }), ...extraHeaders };
    if (this.#token !== undefined) headers.Authorization = `Bearer ${this.#token}`;
    const payload = body?.kind === 'json' ? await this.#jsonPayload(body.value, headers) : undefined;
    if (payload !== undefined) {
      headers['Content-Length'] = payload.length;
      this.#wire.sent += payload.length;
    }
    if (body?.kind === 'stream') {
      headers['Content-Type'] = body.contentType;
      if (body.length !== undefined) headers['Content-Length'] = body.length;
    }
    const transport = url.protocol === 'https:' ? https : http;
    if (this.#abandoning) throw stoppedError(); // abandoned while the body was compressed
    return this.#send(transport, url, { method, headers, agent: this.#agent, timeout: this.#timeoutMs }, payload, body, true);
  }

  /**
   * One attempt of {@link request}. A request without a streamed body that a
   * kept-alive connection loses before any answer (the peer closed it idle
   * just as it was reused: ECONNRESET, EPIPE) is sent once more on a new
   * connection, as Node's docs advise; every route it reaches is idempotent.
   */
  #send(transport: typeof http | typeof https, url: URL, options: http.RequestOptions, payload: Buffer | undefined, body: PeerBody | undefined, mayRetry: boolean): Promise<PeerResponse> {
    const { method } = options;
    return new Promise((resolve, reject) => {
      const outgoing = transport.request(url, options, (response) => {
        this.#track(response);
        response.setTimeout(this.#timeoutMs, () => response.destroy(new Error(`${method} ${url.pathname}: no data for ${this.#timeoutMs} ms`)));
        abandonStalledAnswer(response, this.#timeoutMs, this.#minAnswerBytes, (bytes) => new Error(`${method} ${url.pathname}: too little data for ${this.#timeoutMs} ms (${bytes} bytes, under ${this.#minAnswerBytes}: a link that drips)`));
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response, secrets: this.#secrets });
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${url.pathname}: no answer for ${this.#timeoutMs} ms`)));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        const lostIdle = outgoing.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        if (mayRetry && lostIdle && body?.kind !== 'stream' && !this.#abandoning) resolve(this.#send(transport, url, options, payload, body, false));
        else reject(error);
      });
      this.#track(outgoing);
      if (body?.kind === 'stream') {
        const source = body.stream;
        source.on('error', (error) => outgoing.destroy(error));
        // A request cut short (abandoned, timed out, refused) unpipes its body but leaves it open: close it, and the file under it.
        outgoing.once('close', () => {
          if (!source.readableEnded) source.destroy();
        });
        source.pipe(outgoing);
      } else outgoing.end(payload);
    });
  }

  /**
   * Sends a request, parses the JSON answer and checks it against `answer`,
   * the compiled schema of what the peer's route answers: a peer's answer is
   * never trusted.
   * @throws SyncError with the peer's code and status for a 4xx/5xx answer; `PEER_BAD_ANSWER` (502) for an answer that is not JSON, too large, or not of the schema (the field is named)
   */
  async json<T extends TSchema>(method: string, path: string, answer: AnswerCheck<T>, query: Readonly<Record<string, string>> = {}, body?: PeerBody): Promise<Static<T>> {
    const coding = this.#sendCoding;
    try {
      const response = await this.request(method, path, query, body);
      return await this.readAnswer(response, answer, `${method} ${path}`);
    } catch (error) {
      const refusedCoding = body?.kind === 'json' && coding !== 'identity' && error instanceof SyncError && error.status === 415; // ours (UNSUPPORTED_ENCODING) or an app parser's in front of the router
      if (!refusedCoding) throw error;
      this.#sendCoding = 'identity'; // a peer that cannot inflate: send it plain from now on
      return this.json(method, path, answer, query, body);
    }
  }

  /**
   * Reads, parses and checks the JSON answer of a request sent with {@link request}.
   * @throws SyncError as {@link json} does
   */
  async readAnswer<T extends TSchema>(response: PeerResponse, answer: AnswerCheck<T>, request: string): Promise<Static<T>> {
    const what = `${this.#base.origin} answered ${request}`;
    const redirect = redirectRefusal(response, what);
    if (redirect !== undefined) throw redirect;
    const coding = parseCoding(typeof response.headers['content-encoding'] === 'string' ? response.headers['content-encoding'] : undefined);
    if (coding === undefined) throw new SyncError('PEER_BAD_ANSWER', 502, `${what} in an unknown Content-Encoding ${String(response.headers['content-encoding'])}`);
    const wire = await readAll(response.body, this.#maxAnswerBytes, what);
    this.#wire.received += wire.length;
    const refusal = { code: 'PEER_BAD_ANSWER', status: 502, what };
    const text = (await decodeBody(wire, coding, this.#maxAnswerBytes, refusal)).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // An error status with a page of its own (a proxy's, say) is the peer's error; a success without JSON is a bad answer.
      if (response.status >= 400) throw new SyncError('PEER_ERROR', response.status, `${what} with ${response.status} and no JSON error of its own (${pageOfWhom(response.status)})`);
      const contentType = typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : undefined;
      throw new SyncError('PEER_BAD_ANSWER', 502, `${what} with ${response.status} and no JSON: ${hideSecrets(notJsonHint(text, contentType), this.#secrets)}`);
    }
    if (response.status >= 400) throw peerError(parsed, response.status, request, this.#secrets);
    return checkAnswer(typeof answer === 'function' ? answer(parsed) : answer, parsed, what);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * Abandons every request in flight (each fails with `STOPPED`, its socket
   * closed) and refuses new ones until {@link resume}: a stopping client does
   * not wait for a peer that is slow or gone.
   */
  abandon(): void {
    this.#abandoning = true;
    for (const pending of this.#inFlight) pending.destroy(stoppedError());
    this.#inFlight.clear();
    this.#agent.destroy();
  }

  /** Accepts requests again after {@link abandon}. */
  resume(): void {
    this.#abandoning = false;
  }

  #track(pending: http.ClientRequest | http.IncomingMessage): void {
    this.#inFlight.add(pending);
    pending.once('close', () => this.#inFlight.delete(pending));
  }
}

/** The failure of a request abandoned, or refused, because the client is stopping. */
function stoppedError(): SyncError {
  return new SyncError('STOPPED', 503, 'the sync client is stopping: the request to the peer was abandoned (what was applied stays applied; the next sync resumes from there)');
}
