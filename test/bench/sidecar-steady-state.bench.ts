/**
 * bench: a sidecar under long use. 10 rounds of 1,000 WebSocket checks (50 models against a registry of 10,000) and
 * 100 connects and closes; RSS after each round. Prints the growth over the last 5 rounds as a ratio of the 5 MB
 * budget, and the check p99 as a ratio of 5 ms.
 * Run: `flock /tmp/bench.lock node --expose-gc --import tsx test/bench/sidecar-steady-state.bench.ts`
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  checkBenchWorkflow,
  percentile,
  REGISTRY_MODELS,
  seedCheckRegistry,
  WORKFLOW_MODELS,
} from './check-bench-registry';
import { createServer } from '../../sidecar/server/create-server';
import { createDepot } from '../../sidecar/services/depot/create-depot';

const GROWTH_BUDGET_BYTES = 5 * 1024 * 1024;
const P99_BUDGET_MS = 5;
const ROUNDS = 10;
const CHECKS_PER_ROUND = 1000;
const CONNECTS_PER_ROUND = 100;

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
  });
}

function close(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}

const collect = (): void => (globalThis as { gc?: () => void }).gc?.();

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-steady-'));
const modelsRoot = path.join(dir, 'models');
await mkdir(modelsRoot, { recursive: true });
try {
  const wanted = await seedCheckRegistry(modelsRoot);
  const depot = await createDepot({ modelsRoot, indexInBackground: false });
  const server = await createServer({ depot, port: 0, version: 'bench' });
  const url = `${server.url.replace('http', 'ws')}/ws`;
  const workflow = checkBenchWorkflow(wanted);
  const ws = await open(url);
  const rss: number[] = [];
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < CHECKS_PER_ROUND; i++) {
      const text = JSON.stringify({ type: 'check', id: `c${round}-${i}`, workflow });
      const started = performance.now();
      await new Promise<void>((resolve) => {
        ws.once('message', () => resolve());
        ws.send(text);
      });
      // The first round warms the caches and the JIT; its times are not counted.
      if (round > 0) times.push(performance.now() - started);
    }
    for (let i = 0; i < CONNECTS_PER_ROUND; i++) await close(await open(url));
    collect();
    rss.push(process.memoryUsage().rss);
  }
  times.sort((a, b) => a - b);
  const p99 = percentile(times, 99);
  const growth = (rss[ROUNDS - 1] ?? 0) - (rss[ROUNDS - 6] ?? 0);
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  console.log(
    `sidecar steady state: RSS growth over the last 5 of ${ROUNDS} rounds (${CHECKS_PER_ROUND} checks + ` +
      `${CONNECTS_PER_ROUND} connects each) ${mb(growth)} MB = ${(growth / GROWTH_BUDGET_BYTES).toFixed(2)}x of the ` +
      `5 MB budget (RSS ${rss.map(mb).join(', ')} MB${globalThis.gc ? '' : '; run with --expose-gc for steadier figures'})`,
  );
  console.log(
    `sidecar steady state: check over WebSocket (${WORKFLOW_MODELS} models vs ${REGISTRY_MODELS}) p99 ` +
      `${p99.toFixed(2)} ms = ${(p99 / P99_BUDGET_MS).toFixed(2)}x of the ${P99_BUDGET_MS} ms budget ` +
      `(p50 ${(percentile(times, 50) / P99_BUDGET_MS).toFixed(2)}x; load average ${os.loadavg()[0]?.toFixed(1)} on ` +
      `${os.availableParallelism()} cores)`,
  );
  await close(ws);
  await server.close();
  await depot.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
