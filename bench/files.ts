import { execFileSync, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { promisify } from 'node:util';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { createFilePolicy } from '../lib/files/file-policy';
import { silentLogger } from '../lib/logger';
import { scanManifest } from '../lib/files/manifest';
import { ManifestCache } from '../lib/files/manifest-cache';
import { createSyncRouter } from '../node/create-sync-router';
import { emit, median, round, timeMs } from './figure';

const run = promisify(execFile);
const TOKEN = 'bench-token-0123456789abcdef';
const MB = 1024 * 1024;

function makeSmallFiles(dir: string, count: number): string[] {
  const files: string[] = [];
  const content = Buffer.alloc(2048);
  for (let i = 0; i < count; i += 1) {
    const folder = path.join(dir, `d${i % 50}`);
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `f${i}.txt`);
    randomFillSync(content);
    writeFileSync(file, content);
    files.push(file);
  }
  return files;
}

async function benchManifest(base: string): Promise<void> {
  const dir = path.join(base, 'manifest');
  const files = makeSmallFiles(dir, 5000);
  // Let every file age past the racy window, so warm scans can trust the cache.
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const policy = createFilePolicy();
  const cold: number[] = [];
  const warm: number[] = [];
  const warmStat: number[] = [];
  const shaSum: number[] = [];
  const list = path.join(base, 'files.txt');
  writeFileSync(list, files.join('\0'));
  for (let round_ = 0; round_ < 5; round_ += 1) {
    const cache = new ManifestCache();
    cold.push(await timeMs(() => scanManifest(dir, '', { policy, cache })));
    const warmRuns: number[] = [];
    for (let run = 0; run < 5; run += 1) warmRuns.push(await timeMs(() => scanManifest(dir, '', { policy, cache })));
    warm.push(median(warmRuns));
    cache.close();
    const statOnly = new ManifestCache({ watchDirectories: false });
    await scanManifest(dir, '', { policy, cache: statOnly });
    const statRuns: number[] = [];
    for (let run = 0; run < 5; run += 1) statRuns.push(await timeMs(() => scanManifest(dir, '', { policy, cache: statOnly })));
    warmStat.push(median(statRuns));
    shaSum.push(await timeMs(() => execFileSync('sh', ['-c', `xargs -0 sha256sum < "${list}" > /dev/null`])));
  }
  const coldMs = median(cold);
  const warmMs = median(warm);
  const shaMs = median(shaSum);
  emit({ bench: 'manifest', figure: 'cold_ms_5000_files', value: round(coldMs), unit: 'ms' });
  emit({ bench: 'manifest', figure: 'warm_ms_5000_files', value: round(warmMs), unit: 'ms', detail: { how: 'median of 5 scans after the cold one; unchanged watched directories answered from their listings' } });
  emit({ bench: 'manifest', figure: 'warm_without_watchers_ms_5000_files', value: round(median(warmStat)), unit: 'ms', detail: { how: 'one lstat per file, digests from the cache' } });
  emit({ bench: 'manifest', figure: 'cold_over_warm', value: round(coldMs / warmMs), unit: 'ratio', target: '>= 20', met: coldMs / warmMs >= 20 });
  emit({
    bench: 'manifest',
    figure: 'cold_over_sha256sum',
    value: round(coldMs / shaMs),
    unit: 'ratio',
    target: '<= 1.3',
    met: coldMs / shaMs <= 1.3,
    detail: { sha256sum_ms: round(shaMs) },
  });
}

interface UploadServer {
  readonly url: string;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

async function startUploadServer(base: string): Promise<UploadServer> {
  const roots = { uploads: path.join(base, 'uploads') };
  const app = express();
  app.use('/api/sync', createSyncRouter({ token: TOKEN, roots, logger: silentLogger, maxUploadBytes: 2048 * MB }));
  const server = http.createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/sync/files/upload`,
    sockets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function runClient(url: string, filename: string, size: number, fill: string): Promise<{ status: number | string; ms: number; sent: number }> {
  const client = path.join(__dirname, 'clients', 'stream-upload.ts');
  const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', client, url, TOKEN, filename, String(size), fill], {
    maxBuffer: MB,
  });
  return JSON.parse(stdout) as { status: number | string; ms: number; sent: number };
}

async function benchAcceptedUpload(server: UploadServer): Promise<void> {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const result = await runClient(`${server.url}?path=uploads/big.bin`, 'big.bin', 200 * MB, 'random');
  clearInterval(sampler);
  emit({ bench: 'upload', figure: 'accepted_200mb_throughput', value: round(200 / (result.ms / 1000)), unit: 'MB/s', detail: { status: result.status, ms: round(result.ms) } });
  emit({ bench: 'upload', figure: 'accepted_200mb_peak_rss_growth', value: round((peak - baseline) / MB), unit: 'MB', target: '<= 64', met: (peak - baseline) / MB <= 64 });
}

async function benchRefusedUpload(server: UploadServer): Promise<void> {
  server.sockets.clear();
  const result = await runClient(server.url, 'app.db', 1024 * MB, 'zero');
  await new Promise((resolve) => setTimeout(resolve, 2500)); // let the lingering close finish
  const serverRead = [...server.sockets].reduce((sum, socket) => sum + socket.bytesRead, 0);
  emit({ bench: 'upload', figure: 'refused_1gb_db_time_to_403', value: round(result.ms), unit: 'ms', detail: { status: result.status } });
  emit({
    bench: 'upload',
    figure: 'refused_1gb_db_bytes_read_by_server',
    value: serverRead,
    unit: 'bytes',
    target: 'bounded drain, far below 1 GB',
    met: serverRead < 64 * MB,
    detail: { client_sent_bytes: result.sent },
  });
}

/** Manifest and upload benchmarks (issue: foundation and safe file sync). */
export async function runFileBenchmarks(): Promise<void> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'ess-bench-files-'));
  try {
    await benchManifest(base);
    const server = await startUploadServer(base);
    try {
      await benchAcceptedUpload(server);
      await benchRefusedUpload(server);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
