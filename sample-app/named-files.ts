import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createSecureContext } from 'node:tls';
import { unreadableCertificate } from '../index';

// Files named by the sample app's variables (TLS_CERT, TLS_KEY, SYNC_PEER_CA, the token file): read and
// checked at start, before anything is written, each error naming the variable and the path.

/** The certificate and key files of HTTPS (`TLS_CERT`, `TLS_KEY`). */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** Why a path starting with `~` was not found: no shell expanded it. */
export const HOME_HINT = `"~" means the home folder only to a shell, and none read this value (a .env file, a service unit): write the full path (${os.homedir()}/…)`;

/**
 * Reads a file named by a variable, at start, before anything is written.
 * @throws TypeError naming the variable and the path (a folder says so)
 */
export function readNamedFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a folder, not a file' : code === 'ENOENT' && file.startsWith('~') ? `ENOENT: ${HOME_HINT}` : (code ?? String(error));
    throw new TypeError(`${variable}: cannot read ${file} (${why})`, { cause: error });
  }
}

/** `TLS_CERT` and `TLS_KEY`: both or neither; checked as HTTPS will load them. */
export function readTls(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const cert = env.TLS_CERT;
  const key = env.TLS_KEY;
  if ((cert === undefined || cert === '') !== (key === undefined || key === '')) {
    throw new TypeError('set both TLS_CERT and TLS_KEY (file paths) for HTTPS, or neither');
  }
  if (!(cert && key)) return undefined;
  checkTlsPair(readNamedFile('TLS_CERT', cert).toString('latin1'), readNamedFile('TLS_KEY', key).toString('latin1'));
  return { cert, key };
}

/** True for text holding a PEM private key. */
const isKey = (text: string): boolean => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);

/**
 * Checks, before the database is opened, that `TLS_CERT` holds a PEM certificate and
 * `TLS_KEY` its PEM private key, as HTTPS will load them.
 * @throws TypeError naming the variable and what is wrong (swapped, not PEM, not this certificate's key)
 */
function checkTlsPair(cert: string, key: string): void {
  const isCert = (text: string): boolean => text.includes('-----BEGIN CERTIFICATE-----');
  if (isKey(cert) && isCert(key)) throw new TypeError('TLS_CERT holds a private key and TLS_KEY a certificate: swap them (TLS_CERT=cert.pem TLS_KEY=key.pem)');
  if (!isCert(cert)) throw new TypeError('TLS_CERT holds no PEM certificate (-----BEGIN CERTIFICATE-----…); give the certificate file');
  if (!isKey(key)) throw new TypeError('TLS_KEY holds no PEM private key (-----BEGIN PRIVATE KEY-----…); give the key file of TLS_CERT');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new TypeError(`TLS_CERT and TLS_KEY cannot serve HTTPS (${(error as Error).message}); TLS_KEY must be TLS_CERT's key, unencrypted`, { cause: error });
  }
}

/** True when one of `peers` is an `https://` one: the only peers a CA certificate (`SYNC_PEER_CA`) is used for. */
export function someHttpsPeer(peers: readonly string[]): boolean {
  return peers.some((peer) => peer.toLowerCase().startsWith('https:'));
}

/**
 * `SYNC_PEER_CA`: a PEM file with the CA certificate of peers with self-signed certificates, read and
 * checked only when one of `peers` is `https://`; with none it is returned unread (no certificate is ever
 * checked, so a missing or broken file stops nothing: the start warns that it is unused, see unusedPeerCa).
 * @throws TypeError naming SYNC_PEER_CA for a file that cannot be read, holds no PEM certificate, or one cut short or damaged (an https:// peer given)
 */
export function readPeerCaFile(value: string | undefined, peers: readonly string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!someHttpsPeer(peers)) return value;
  const text = readNamedFile('SYNC_PEER_CA', value).toString('latin1');
  if (!text.includes('-----BEGIN CERTIFICATE-----') && isKey(text)) {
    throw new TypeError(`SYNC_PEER_CA: ${value} holds a private key, not a certificate: give the peers' CA certificate (for a self-signed peer, the file its TLS_CERT names), never a key`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new TypeError(`SYNC_PEER_CA: ${value} holds no PEM certificate (-----BEGIN CERTIFICATE-----…)`);
  const damaged = unreadableCertificate(text);
  if (damaged !== undefined) throw new TypeError(`SYNC_PEER_CA: ${value}: ${damaged} Give the CA certificate's file as it is`);
  return value;
}
