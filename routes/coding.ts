import type { Request } from 'express';
import { COMPRESSED_CODINGS, type ContentCoding } from '../lib/content-coding';

/**
 * The coding to answer in: one the client listed in `Accept-Encoding`
 * (the client chooses per link: it offers a compressed coding only on links
 * where compression pays), else none. A request without the header, as older
 * peers send, is answered uncompressed.
 */
export function negotiateCoding(req: Request, offered: readonly ContentCoding[] = COMPRESSED_CODINGS): ContentCoding {
  if (req.headers['accept-encoding'] === undefined) return 'identity';
  const chosen = req.acceptsEncodings([...offered.filter((coding) => coding !== 'identity'), 'identity']);
  return chosen === 'gzip' || chosen === 'br' ? chosen : 'identity';
}
