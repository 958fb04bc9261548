import type { Readable } from 'node:stream';
import type { ContentCoding } from '../content-coding';

/** How to reach one peer. */
export interface PeerEndpoint {
  /** Base URL of the peer's sync router, e.g. `http://10.0.0.2:5000/api/sync`. */
  readonly url: string;
  /** The shared token sent as `Authorization: Bearer`; none for a peer that runs without authentication. */
  readonly token: string | undefined;
}

/** Options of {@link PeerHttp}, named as the public options name them. */
export interface PeerHttpOptions {
  /** Milliseconds without progress before a request is abandoned. @defaultValue `DEFAULTS.peerTimeoutMs` */
  readonly peerTimeoutMs?: number;
  /** Extra CA certificates (PEM) to trust, for peers with self-signed certificates. */
  readonly peerCa?: string | Buffer | undefined;
  /** Largest JSON answer read, in bytes (compressed or inflated). @defaultValue `DEFAULTS.maxPeerAnswerBytes` */
  readonly maxPeerAnswerBytes?: number;
  /**
   * How JSON bodies travel on this link: asked for in `Accept-Encoding` and
   * used for JSON bodies sent (from 1 KiB). Peers that do not compress answer
   * uncompressed; a peer that refuses a compressed body (415) is sent plain.
   * @defaultValue `DEFAULTS.peerCompression`
   */
  readonly peerCompression?: ContentCoding;
  /**
   * The data protocols this side speaks on the link (docs/PROTOCOL.md): every
   * one this code knows, unless a test plays an older server's client.
   * @defaultValue `PROTOCOLS` (1 and 2)
   */
  readonly protocols?: readonly number[];
  /** Other tokens this side holds (accepted ones, in a rotation): hidden, as the token sent is, wherever a peer's error message repeats them. */
  readonly secrets?: readonly string[];
  /**
   * Fewest bytes of an answer that count as progress in one `peerTimeoutMs`
   * (an answer that drips fewer is abandoned); 0: any byte counts, for an
   * answer its server paces itself (`POST /run?stream=ndjson`, a line at a time).
   * @defaultValue `MIN_ANSWER_BYTES_PER_TIMEOUT` (1 KiB, answer-progress.ts)
   */
  readonly minAnswerBytes?: number;
}

/** Bytes that crossed a link, as counted on the wire (compressed when compressed). */
export interface WireBytes {
  /** JSON request bodies sent. */
  sent: number;
  /** JSON answer bodies received. */
  received: number;
}

/** A request body: a buffer, or a stream with its length when known. */
export type PeerBody = { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'stream'; readonly contentType: string; readonly stream: Readable; readonly length?: number };
