// What the Node benchmark drivers share (bench/logout_fanout.mjs, bench/saml_load.mjs): a bounded
// task pool, the gatehouse CLI on the benchmark's data directory, and the sign-out receivers
// (bench/logout_receivers.cc).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

// The fixtures every driver registers: the admin token, the user that signs in, the relying
// parties rp0, rp1, ... with one secret and one redirect URI (never contacted).
export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
export const USER = { username: 'bench', password: 'bench-password-0123456789' };
export const SECRET = 'bench-secret-0123456789abcdef';
export const REDIRECT_URI = 'https://rp.example/callback';
export const clientId = (i) => `rp${i}`;

export const now = () => performance.timeOrigin + performance.now();
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

// CPU seconds (user + system) a process has used so far, from /proc (clock ticks are 1/100 s on
// Linux): where the time of the sustained phase goes, without a profiler.
export async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// Runs `task(i)` for i in [0, n) with at most `width` at once; resolves to the results in order.
export async function pool(n, width, task) {
  let next = 0;
  const results = new Array(n);
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  }));
  return results;
}

// A `gatehouse` command (binary `bin`) on the data directory `dataDir`; resolves to its stdout.
export function runCli(bin, dataDir, args) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env: { PATH: process.env.PATH, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'warn' } },
      (error, stdout, stderr) => (error ? reject(new Error(`${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
  });
}

/**
 * Starts `count` receivers (binary `bin`), killed when this process exits. Returns {ports,
 * control (URL), pid, stop(), stats(), waitFor(total)}: waitFor resolves to the epoch ms at which the
 * total-th message arrived, and fails after 120 s.
 */
export async function startReceivers(bin, count, readyFile) {
  const child = spawn(bin, [String(count), readyFile], { stdio: ['ignore', 'inherit', 'inherit'] });
  process.on('exit', () => child.kill('SIGKILL'));
  let ready;
  for (let i = 0; i < 300 && !ready; i++) {
    ready = await readFile(readyFile, 'utf8').then(JSON.parse).catch(() => undefined);
    if (!ready) await sleep(100);
  }
  assert.ok(ready, 'the receivers did not start');
  const control = `http://127.0.0.1:${ready.control}`;
  return {
    ports: ready.receivers,
    control,
    pid: child.pid,
    stop: () => child.kill('SIGTERM'),
    stats: async () => (await fetch(`${control}/stats`)).json(),
    async waitFor(total) {
      const res = await (await fetch(`${control}/wait?total=${total}&timeout_ms=120000`)).json();
      assert.ok(res.reached_at, `only ${res.total} of ${total} messages arrived within 120 s`);
      return res.reached_at;
    },
  };
}
