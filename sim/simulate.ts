/**
 * `npm run simulate -- --servers 200 --topology mesh|star|nats`: a fleet of
 * in-process SQLite databases (the real capture, reader and merge) on
 * simulated links, in virtual time. Every server writes; 30 % go offline for
 * a while; one venue is cut off from the internet. Prints convergence time
 * p50/p99, requests or messages per second, bytes per server, and how many
 * tables differ between servers at the end.
 */
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { Fleet, type SimOptions, type SimServer, type Topology } from './fleet';
import { HttpSync } from './http-sync';
import { Convergence, divergentTables, percentile } from './measure';
import { NatsSync } from './nats-sync';

interface Outcome {
  readonly options: SimOptions;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly p50: number;
  readonly p99: number;
  readonly deliveryP50: number;
  readonly deliveryP99: number;
  readonly unconverged: number;
  readonly perSecond: number;
  readonly unit: string;
  readonly bytesMean: number;
  readonly bytesMax: number;
  readonly divergent: number;
  readonly events: number;
}

function scheduleWrites(fleet: Fleet, convergence: Convergence, written: (server: SimServer) => void): void {
  const { queue, random, servers, options, sharedIds } = fleet;
  const cloud = servers[0] as SimServer;
  const seed = cloud.db.prepare('INSERT INTO scores (id, value, by) VALUES (?, 0, 0)');
  for (const id of sharedIds) seed.run(id);
  written(cloud);
  for (const server of servers) {
    for (let n = 0; n < options.writes; n += 1) {
      queue.at(random.between(0, options.durationMs), () => {
        const id = randomUUID();
        server.insert.run(id, server.index, n, `note ${n} from server ${server.index}`);
        convergence.written(id, queue.now);
        written(server);
      });
    }
    for (let n = 0; n < options.updates; n += 1) {
      queue.at(random.between(0.2 * options.durationMs, options.durationMs), () => {
        const id = sharedIds[Math.floor(random.next() * sharedIds.length)] as string;
        if (server.update.run(Math.floor(random.next() * 1000), server.index, id).changes > 0) written(server);
      });
    }
  }
}

function startTopology(fleet: Fleet, convergence: Convergence): { written: (server: SimServer) => void; count: () => number; unit: string } {
  const { topology, servers } = fleet.options;
  if (topology === 'nats') {
    const nats = new NatsSync(fleet, convergence);
    nats.start();
    return { written: (server) => nats.written(server), count: () => nats.published + nats.deliveries, unit: 'messages/s' };
  }
  const http = new HttpSync(fleet, convergence);
  const all = (index: number): number[] => Array.from({ length: servers }, (_, i) => i).filter((i) => i !== index);
  http.start(topology === 'mesh' ? all : (index) => (index === 0 ? [] : [0]));
  return { written: () => undefined, count: () => http.requests, unit: 'requests/s' };
}

/** Runs one simulation until every row is everywhere and every table equal (or `maxTailMs` after the writes). */
export function simulate(options: SimOptions, maxTailMs = 600_000): Outcome {
  const started = performance.now();
  const fleet = new Fleet(options);
  const convergence = new Convergence(options.servers);
  const topology = startTopology(fleet, convergence);
  scheduleWrites(fleet, convergence, topology.written);
  let done = false;
  const check = (): void => {
    if (convergence.pending === 0 && divergentTables(fleet.servers) === 0) done = true;
    else fleet.queue.after(1000, check);
  };
  fleet.queue.at(options.durationMs, check);
  const progress = (): void => {
    if (process.stderr.isTTY || process.env.SIM_PROGRESS === '1') process.stderr.write(`t=${(fleet.queue.now / 1000).toFixed(0)} s, ${fleet.queue.ran} events, ${convergence.pending} rows not everywhere, ${((performance.now() - started) / 1000).toFixed(0)} s wall\n`);
    if (!done) fleet.queue.after(10_000, progress);
  };
  fleet.queue.after(10_000, progress);
  fleet.queue.runUntil(options.durationMs + maxTailMs, () => done);
  const virtualMs = fleet.queue.now;
  const bytes = fleet.servers.map((server) => server.bytesIn + server.bytesOut);
  const outcome: Outcome = {
    options,
    virtualMs,
    wallMs: performance.now() - started,
    p50: percentile(convergence.times, 50),
    p99: percentile(convergence.times, 99),
    deliveryP50: percentile(convergence.deliveries, 50),
    deliveryP99: percentile(convergence.deliveries, 99),
    unconverged: convergence.pending,
    perSecond: topology.count() / (virtualMs / 1000),
    unit: topology.unit,
    bytesMean: bytes.reduce((a, b) => a + b, 0) / bytes.length,
    bytesMax: Math.max(...bytes),
    divergent: divergentTables(fleet.servers),
    events: fleet.queue.ran,
  };
  fleet.close();
  return outcome;
}

const seconds = (ms: number): string => (Number.isNaN(ms) ? '-' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const kib = (bytes: number): string => (bytes >= 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`);

/** The README table's row. */
export function tableRow(o: Outcome): string {
  const rate = `${o.perSecond.toFixed(o.perSecond < 10 ? 1 : 0)} ${o.unit}`;
  return `| ${o.options.servers} | ${o.options.topology} | ${seconds(o.p50)} / ${seconds(o.p99)} | ${seconds(o.deliveryP50)} / ${seconds(o.deliveryP99)} | ${rate} | ${kib(o.bytesMean)} (max ${kib(o.bytesMax)}) | ${o.divergent}${o.unconverged > 0 ? ` (${o.unconverged} rows not everywhere)` : ''} | ${seconds(o.wallMs)} |`;
}

export const TABLE_HEADER =
  '| Servers | Topology | Everywhere p50 / p99 | Each server p50 / p99 | Requests or messages | Bytes per server | Divergent tables | Run time |\n| --- | --- | --- | --- | --- | --- | --- | --- |';

function readOptions(argv: readonly string[]): { options: SimOptions; json: boolean } {
  const program = new Command('simulate')
    .addOption(new Option('--servers <n>', 'servers in the fleet').default('20'))
    .addOption(new Option('--topology <kind>', 'how pages travel').choices(['mesh', 'star', 'nats']).default('nats'))
    .addOption(new Option('--writes <n>', 'rows each server inserts').default('5'))
    .addOption(new Option('--updates <n>', 'updates of shared rows per server').default('2'))
    .addOption(new Option('--duration <s>', 'write phase, virtual seconds').default('60'))
    .addOption(new Option('--poll <s>', 'HTTP poll interval, seconds').default('5'))
    .addOption(new Option('--loss <p>', 'share of requests or deliveries lost').default('0.01'))
    .addOption(new Option('--seed <n>', 'random seed').default('1'))
    .option('--json', 'print one JSON line instead of a table row')
    .parse(argv, { from: 'user' });
  const o = program.opts<Record<string, string | boolean>>();
  const num = (key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const value = Number(o[key]);
    if (o[key] === '' || !Number.isFinite(value) || value < min || value > max) throw new RangeError(`--${key} must be a number from ${min} to ${max}, got ${JSON.stringify(o[key])}`);
    return value;
  };
  const servers = num('servers', 2, 100_000);
  if (!Number.isInteger(servers)) throw new RangeError('--servers must be an integer of at least 2');
  for (const key of ['writes', 'updates', 'duration', 'poll', 'seed']) num(key);
  num('loss', 0, 1);
  return {
    json: o.json === true,
    options: {
      servers,
      topology: o.topology as Topology,
      writes: num('writes'),
      updates: num('updates'),
      durationMs: num('duration') * 1000,
      pollMs: num('poll') * 1000,
      offlineShare: 0.3,
      venueSize: 10,
      loss: num('loss'),
      lanMs: 2,
      wanMs: 40,
      seed: num('seed'),
    },
  };
}

function readOptionsOrExit(argv: readonly string[]): { options: SimOptions; json: boolean } {
  try {
    return readOptions(argv);
  } catch (error) {
    process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

if (require.main === module) {
  const { options, json } = readOptionsOrExit(process.argv.slice(2));
  const outcome = simulate(options);
  if (json) process.stdout.write(`${JSON.stringify({ ...outcome, options: undefined, ...options })}\n`);
  else process.stdout.write(`${TABLE_HEADER}\n${tableRow(outcome)}\n`);
  if (outcome.divergent > 0 || outcome.unconverged > 0) process.exitCode = 1;
}
