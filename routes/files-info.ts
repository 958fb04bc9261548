import { Router } from 'express';
import type { FilesInfoAnswer } from '../lib/files/wire-schema';

/** What `GET /files/info` reads: the id this server's file sync goes by, read at each request (a site id may change while it runs). */
export interface FilesInfoConfig {
  /** This server's site id, or the identity of a server without data (`stateDir/files-site.json`); none: a router that runs no rounds. */
  readonly site: () => string | undefined;
  /** Random per running server (its tracker's, as `GET /data/info` answers, or its sync client's without data); none with no site. */
  readonly instance: () => string | undefined;
}

/**
 * `GET /files/info` (mounted under `/files`): the id this server's file
 * sync goes by, so that a peer that does not shake hands with it (either
 * side syncs no data) keys the base it keeps with this server by it and
 * knows whose `POST /files/settled` to record (see PROTOCOL.md, "File
 * sync"). It takes no query parameter; one given is passed over, as
 * `GET /data/info` does (a later version may send some).
 */
export function createFilesInfoRouter(config: FilesInfoConfig): Router {
  const router = Router();
  router.get('/info', function filesInfo(_req, res) {
    const site = config.site();
    const instance = site === undefined ? undefined : config.instance();
    res.json((site === undefined ? {} : { site, ...(instance === undefined ? {} : { instance }) }) satisfies FilesInfoAnswer);
  });
  return router;
}
