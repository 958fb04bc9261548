/**
 * The request header by which a client of `GET /data/snapshot` asks for `102 Processing` while the snapshot is
 * built (this package's joiner sends it): only such a client is sent any, since many HTTP clients and proxies
 * take a 1xx other than 100 for the final answer, or give up after a few of them.
 */
export const PROCESSING_HEADER = 'X-Sync-Processing';

/** Its value. */
export const PROCESSING_ASKED = '102';
