import type { PeerSyncResult } from '../../index';
import type { DemoServer } from './cluster';

/** Calls the sample app's JSON API and returns the parsed body; any other status than `expected` throws. */
export async function callApi(server: DemoServer, method: string, route: string, body: object | undefined, expected: number): Promise<unknown> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${route} on ${server.name}: ${response.status} ${text.slice(0, 200)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Creates a row through the JSON API and returns its id. */
export async function create(server: DemoServer, route: string, body: object): Promise<string> {
  const created = (await callApi(server, 'POST', route, body, 201)) as { id: string };
  return created.id;
}

/** Uploads a pit photo through the `/photos` page's form, as a browser would. */
export async function uploadPhoto(server: DemoServer, name: string, bytes: Buffer): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), name);
  const response = await fetch(`${server.url}/photos`, { method: 'POST', body: form, redirect: 'manual' });
  await response.arrayBuffer();
  if (response.status !== 303) throw new Error(`photo upload on ${server.name}: ${response.status}`);
}

/** `POST /api/sync/run`: the server syncs with every peer now (200 all synced, 207 some failed, 502 all failed). */
export async function syncNow(server: DemoServer, token: string): Promise<PeerSyncResult[]> {
  const response = await fetch(`${server.syncUrl}/run`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { results?: PeerSyncResult[] };
  if (![200, 207, 502].includes(response.status) || body.results === undefined) throw new Error(`sync on ${server.name}: ${response.status}`);
  return body.results;
}
