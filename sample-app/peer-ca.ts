import { X509Certificate } from 'node:crypto';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/**
 * What is wrong with the PEM certificates of a CA file's text, or undefined
 * when each one can be read: the library refuses such a `peerCa` (Node's TLS
 * would drop the block without a word), so `SYNC_PEER_CA` is checked the same
 * way at start, before anything is written, and named.
 * @param text - the file's text, holding a BEGIN line at least once
 */
export function damagedCertificate(text: string): string | undefined {
  const blocks = text.split(BEGIN).slice(1);
  for (const [index, rest] of blocks.entries()) {
    const end = rest.indexOf(END);
    if (end < 0) return `a certificate starts (${BEGIN}) and never ends (${END}): cut short?`;
    try {
      new X509Certificate(`${BEGIN}${rest.slice(0, end)}${END}`);
    } catch (error) {
      const which = blocks.length === 1 ? 'its certificate' : `certificate ${index + 1} of ${blocks.length}`;
      return `${which} cannot be read (${error instanceof Error ? error.message : String(error)}): damaged by a copy and paste?`;
    }
  }
  return undefined;
}
