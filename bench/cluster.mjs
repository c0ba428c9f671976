// Multi-node benchmark (driven by bench/cluster.sh): the same deployment shape as
// tests/interop/cluster_postgres.test.mjs — nodes behind nginx, round-robin — on one SQLite file
// (1 node) and on PostgreSQL (1, 2, 3 nodes). For each: client_credentials tokens/s (wrk through
// nginx) and sustained back-channel fan-out tokens/s (sessions signed out through the admin API,
// every node delivering); and, where a second process shares the store, how long a sign-out made
// by one process takes to reach its first app through another.
//
// Environment: GATEHOUSE_BIN, RECEIVERS_BIN, WORK, LUA (bench/client_credentials.lua),
// CONFIGS (e.g. sqlite:1,postgres:1,postgres:2,postgres:3), SESSIONS, PARTICIPANTS, DURATION.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpus } from 'node:os';

import {
  CookieJar, basicAuth, followAuthorization, signIn, startGatehouse,
} from '../tests/interop/harness.mjs';
import { freePort, startNginx, startPostgres } from '../tests/interop/deployment_support.mjs';
import {
  ADMIN_TOKEN, REDIRECT_URI, SECRET, USER, clientId, median, now, pool, startReceivers,
} from './bench_support.mjs';

const env = process.env;
const configs = (env.CONFIGS ?? 'sqlite:1,postgres:1,postgres:2,postgres:3').split(',')
  .map((c) => { const [store, n] = c.split(':'); return { store, nodes: Number(n) }; });
const sessionsPerRun = Number(env.SESSIONS ?? 40);
const participants = Number(env.PARTICIPANTS ?? 250);
const duration = env.DURATION ?? '8s';
const latencyReps = 15;

const log = (...args) => console.error('cluster:', ...args);

const receivers = await startReceivers(env.RECEIVERS_BIN, participants, `${env.WORK}/receivers.json`);
let received = 0;  // messages the receivers have had so far, over every run

const exec = (file, args, extraEnv) => new Promise((resolve, reject) => {
  execFile(file, args, { env: { PATH: env.PATH, ...extraEnv }, maxBuffer: 1 << 24 },
    (error, stdout, stderr) => (error ? reject(new Error(`${file} ${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
});

async function deploy({ store, nodes: count }, index) {
  const pg = store === 'postgres' ? await startPostgres() : undefined;
  const port = await freePort();
  const storeEnv = pg ? { GATEHOUSE_STORE_BACKEND: 'postgres', GATEHOUSE_STORE_URL: pg.url } : {};
  const nodeEnv = {
    GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`,
    GATEHOUSE_LOG_LEVEL: 'warn',
    GATEHOUSE_ADMIN_TOKEN_SHA256: createHash('sha256').update(ADMIN_TOKEN).digest('base64url'),
    GATEHOUSE_SERVER_TRUSTED_PROXIES: '127.0.0.1',
    ...storeEnv,
  };
  const first = await startGatehouse({
    env: nodeEnv, node: `port-${index}-0`, users: [USER],
    clients: [{ id: 'bench', secret: SECRET }],
  });
  const nodes = [first];
  await pool(participants, cpus().length, (i) => first.cli(['client', 'add', '--id', clientId(i),
    '--secret', SECRET, '--redirect-uri', REDIRECT_URI,
    '--backchannel-logout-uri', `http://127.0.0.1:${receivers.ports[i]}/logout`]));
  for (let n = 1; n < count; n++) {
    nodes.push(await startGatehouse({
      env: nodeEnv, node: `port-${index}-${n}`, dataDir: pg ? undefined : first.dataDir,
    }));
  }
  const front = await startNginx({ port, ports: nodes.map((n) => n.port) });
  return {
    pg, nodes, front,
    cliEnv: { GATEHOUSE_DATA_DIR: first.dataDir, GATEHOUSE_LOG_LEVEL: 'warn', ...storeEnv },
    stop: async () => {
      await front.stop();
      for (const node of [...nodes].reverse()) await node.stop();
      await pg?.destroy();
    },
  };
}

async function clientCredentials(front) {
  const out = await exec('wrk', ['-t2', '-c32', `-d${duration}`, '--latency', '-s', env.LUA,
    `${front.url}/token`, '--', 'bench', SECRET]);
  const rate = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const p99 = out.match(/99%\s+(\S+)/)[1];
  const non200 = Number(out.match(/non-200 responses: (\d+)/)[1]);
  return { rate, p99, non200 };
}

// A session of USER in which clients 0..n-1 took part, made through `front` with code flows.
async function sessionWithParticipants(front, n) {
  const meta = await (await fetch(`${front.url}/.well-known/openid-configuration`)).json();
  const authorize = (client) => {
    const url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams({ response_type: 'code', client_id: client, redirect_uri: REDIRECT_URI, scope: 'openid', state: 's', nonce: 'n' });
    return url;
  };
  const exchange = async (client, callback) => {
    const res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client, SECRET) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code'), redirect_uri: REDIRECT_URI }).toString(),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
  const jar = new CookieJar();
  const first = await exchange(clientId(0), await signIn(authorize(clientId(0)), USER.username, USER.password, jar));
  await pool(n - 1, 4, async (i) => exchange(clientId(i + 1), await followAuthorization(authorize(clientId(i + 1)), { jar })));
  return JSON.parse(Buffer.from(first.id_token.split('.')[1], 'base64url')).sid;
}

const revoke = (front, sid) => fetch(`${front.url}/admin/sessions/revoke`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${ADMIN_TOKEN}` },
  body: `sid=${encodeURIComponent(sid)}`,
}).then(async (res) => assert.equal(res.status, 200, await res.text()));

async function fanOut(deployment) {
  const sids = [];
  for (let s = 0; s < sessionsPerRun; s++) sids.push(await sessionWithParticipants(deployment.front, participants));
  const tokens = sids.length * participants;
  const start = now();
  await pool(sids.length, 8, (i) => revoke(deployment.front, sids[i]));
  received += tokens;
  const seconds = ((await receivers.waitFor(received)) - start) / 1000;
  return { tokens, seconds, rate: tokens / seconds };
}

// A sign-out made by another process on the same store (the CLI: it ends the session and queues
// the notifications exactly as a node's sign-out does, but never delivers), until the first app
// has its token from one of the nodes. Timed from the moment the CLI reports the session ended,
// which it writes right after its transaction commits; its own start-up is not counted.
function revokeThroughCli(deployment, sid) {
  return new Promise((resolve, reject) => {
    const child = spawn(env.GATEHOUSE_BIN, ['session', 'revoke', '--sid', sid, '--json'],
      { env: { PATH: env.PATH, ...deployment.cliEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let committed;
    let stderr = '';
    child.stdout.once('data', () => { committed = now(); });
    child.stderr.on('data', (c) => { stderr += c; });
    child.once('exit', (code) => (code === 0 && committed ? resolve(committed) : reject(new Error(stderr))));
  });
}

async function crossProcessLatency(deployment) {
  const samples = [];
  for (let r = 0; r < latencyReps; r++) {
    const sid = await sessionWithParticipants(deployment.front, 1);
    const committed = await revokeThroughCli(deployment, sid);
    received += 1;
    samples.push((await receivers.waitFor(received)) - committed);
  }
  return { median: median(samples), max: Math.max(...samples) };
}

const rows = [];
for (const [index, config] of configs.entries()) {
  const name = `${config.store}, ${config.nodes} node${config.nodes > 1 ? 's' : ''}`;
  log(`${name}: starting`);
  const deployment = await deploy(config, index);
  try {
    const cc = await clientCredentials(deployment.front);
    log(`${name}: client_credentials ${cc.rate.toFixed(0)}/s`);
    const fan = await fanOut(deployment);
    log(`${name}: fan-out ${fan.rate.toFixed(0)} tokens/s`);
    const latency = await crossProcessLatency(deployment);
    log(`${name}: cross-process ${latency.median.toFixed(1)} ms`);
    rows.push({ name, cc, fan, latency });
  } finally {
    await deployment.stop();
  }
}
receivers.stop();

console.log(`\nThrough nginx (round-robin, one worker), wrk -t2 -c32 -d${duration}; fan-out: ${sessionsPerRun} sessions × ${participants} back-channel participants revoked 8 at a time through the admin API:\n`);
console.log('| Store, nodes | client_credentials tokens/s | p99 | non-200 | Fan-out tokens/s | Sign-out committed by another process → first delivery, median (max) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const { name, cc, fan, latency } of rows) {
  console.log(`| ${name} | ${cc.rate.toFixed(0)} | ${cc.p99} | ${cc.non200} | ${fan.rate.toFixed(0)} (${fan.tokens} in ${fan.seconds.toFixed(1)} s) | ${latency.median.toFixed(1)} ms (${latency.max.toFixed(1)}) |`);
}
