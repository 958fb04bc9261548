import { X509Certificate } from 'node:crypto';

/** The line a PEM certificate starts with. */
export const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** The first line of a PEM private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`). */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** True for a CA file's text that holds a private key and no certificate: the key file given instead of the certificate (`key.pem` for `cert.pem`). */
export function isPrivateKeyInstead(text: string): boolean {
  return !text.includes(PEM_CERTIFICATE) && PEM_PRIVATE_KEY.test(text);
}

/** One PEM certificate block, from its first line to its last. */
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * What is wrong with the certificates of a CA file (`peerCa`, `--ca`,
 * `SYNC_PEER_CA`), or undefined when each of its PEM blocks is a certificate
 * Node can read. Node's TLS drops a block it cannot read without a word (a
 * certificate cut short by a copy and paste), and the connection then fails as
 * if the CA had not signed the peer's certificate, which sends an operator
 * looking for another CA. A text without {@link PEM_CERTIFICATE} holds none, and says so.
 * @param pem - the file's text
 * @throws TypeError for a `pem` that is neither a string nor a Buffer
 */
export function unreadableCertificate(pem: string | Buffer): string | undefined {
  if (typeof pem !== 'string' && !Buffer.isBuffer(pem)) {
    throw new TypeError(`express-sqlite-sync: unreadableCertificate needs the CA file's text (a string or a Buffer), got ${pem === null ? 'null' : typeof pem}`);
  }
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  if (!text.includes(PEM_CERTIFICATE)) return `it holds no PEM certificate (${PEM_CERTIFICATE}…)`;
  const begun = text.split(PEM_CERTIFICATE).length - 1;
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length < begun) return `a certificate starts (${PEM_CERTIFICATE}) and never ends (-----END CERTIFICATE-----): cut short?`;
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      const which = blocks.length === 1 ? 'its certificate' : `certificate ${index + 1} of ${blocks.length}`;
      return `${which} cannot be read (${error instanceof Error ? error.message : String(error)}): damaged by a copy and paste?`;
    }
  }
  return undefined;
}
