import type { Router } from 'express';
import { allowedMethods } from '../../../routes/allowed-methods';

/** A route layer as the `router` package builds one, matching `at` exactly. */
function routeLayer(at: string, methods: Record<string, boolean>, legacy: boolean): object {
  return { route: { methods }, match: (path: string) => (path === at ? (legacy ? true : { path }) : false) };
}

/** A `use` layer mounting `inner` at `prefix`: router 2.3+ answers `{ path }`, 2.2 answers `true` and keeps the matched part in `layer.path`. */
function mountLayer(prefix: string, inner: object[], legacy: boolean): object {
  const layer: { path?: string; handle: object; match: (path: string) => unknown } = {
    handle: { stack: inner },
    match: (path: string) => {
      if (!path.startsWith(prefix)) return false;
      if (!legacy) return { path: prefix };
      layer.path = prefix;
      return true;
    },
  };
  return layer;
}

describe('allowedMethods reads the layers of router 2.2 and 2.3+ alike', () => {
  it.each([false, true])('legacy match shape: %s', (legacy) => {
    const router = { stack: [mountLayer('/files', [routeLayer('/upload', { post: true }, legacy), routeLayer('/checksums', { get: true }, legacy)], legacy)] } as unknown as Router;
    expect(allowedMethods(router, '/files/upload')).toEqual(['POST']);
    expect(allowedMethods(router, '/files/checksums')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(router, '/nowhere')).toEqual([]);
  });

  it('a layer of an unknown shape gives no methods (the JSON 404), never a throw', () => {
    const router = { stack: [{ handle: { stack: [] }, match: () => ({}) }] } as unknown as Router;
    expect(allowedMethods(router, '/files/upload')).toEqual([]);
  });
});
