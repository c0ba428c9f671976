// Sign-out fan-out benchmark (driven by bench/logout_fanout.sh): how long one sign-out takes to
// answer and to reach every back-channel participant, and how many logout tokens per second the
// IdP delivers under sustained sign-outs.
//
// Participants are made the way real ones are: one sign-in per session, then the authorization
// code flow (authorize + token exchange) for each client, which is what records a participant.
// Sign-outs are what a browser does: RP-initiated logout at the end_session_endpoint with the
// session cookie and an id_token_hint, which signs out without asking. TRIGGER=revoke uses the
// admin API (POST /admin/sessions/revoke) instead: the same SessionAuthority::End(), without the
// signed-out page.
//
// Environment: GATEHOUSE_BIN, RECEIVERS_BIN (bench/logout_receivers.cc), WORK (a scratch directory), SIZES (e.g. 1,10,100,1000), REPS,
// SUSTAINED_SESSIONS, SUSTAINED_PARTICIPANTS, SIGN_CEILING (RS256 signatures/s for all CPUs),
// TRIGGER (logout or revoke).
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  CookieJar, basicAuth, browse, followAuthorization, signIn, startGatehouse,
} from '../tests/interop/harness.mjs';
import {
  ADMIN_TOKEN, REDIRECT_URI, SECRET, USER, clientId, cpuSeconds, median, now, pool, runCli,
  startReceivers,
} from './bench_support.mjs';

const env = process.env;
const work = env.WORK;
const sizes = (env.SIZES ?? '1,10,100,1000').split(',').map(Number);
const reps = Number(env.REPS ?? 5);
const sustainedSessions = Number(env.SUSTAINED_SESSIONS ?? 80);
const sustainedParticipants = Number(env.SUSTAINED_PARTICIPANTS ?? 250);
const signCeiling = Number(env.SIGN_CEILING ?? 0);
const flowConcurrency = 4;
const signOutConcurrency = 8;
const receiverCount = Math.max(...sizes, sustainedParticipants);


const ms = (x) => x.toFixed(1);
const log = (...args) => console.error('logout_fanout:', ...args);

const run = (args) => runCli(env.GATEHOUSE_BIN, `${work}/data`, args);

// Per thread of process `pid`, seconds on a CPU and seconds runnable but waiting for one
// (/proc/…/schedstat): {tid: {cpu, queued}}. Which threads are busy tells signing (the delivery
// threads) apart from I/O, the store and the dispatcher's bookkeeping; time queued is CPU the
// rest of the machine took.
async function threadTimes(pid) {
  const threads = {};
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const schedstat = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => undefined);
    if (!schedstat) continue;
    const [cpu, queued] = schedstat.split(' ').map(Number);
    threads[tid] = { cpu: cpu / 1e9, queued: queued / 1e9 };
  }
  return threads;
}

// The pid of the process whose command line contains `needle`.
async function findPid(needle) {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle) && Number(entry) !== process.pid) return Number(entry);
  }
  throw new Error(`no process with ${needle} in its command line`);
}

// --- receivers -----------------------------------------------------------------------------------

const receivers = await startReceivers(env.RECEIVERS_BIN, receiverCount, `${work}/receivers.json`);
const { control } = receivers;
const receiverStats = receivers.stats;
const waitForTokens = receivers.waitFor;

// --- the IdP -------------------------------------------------------------------------------------

log(`registering ${receiverCount} clients, each with its own receiver`);
let t = now();
await run(['user', 'add', '--username', USER.username, '--password', USER.password]);
await pool(receiverCount, cpus().length, (i) => run(['client', 'add', '--id', clientId(i), '--secret', SECRET,
  '--redirect-uri', REDIRECT_URI, '--backchannel-logout-uri', `http://127.0.0.1:${receivers.ports[i]}/logout`]));
log(`  ${ms((now() - t) / 1000)} s`);

const adminHash = (await import('node:crypto')).createHash('sha256').update(ADMIN_TOKEN).digest('base64url');
const gh = await startGatehouse({
  dataDir: `${work}/data`,
  env: { GATEHOUSE_LOG_LEVEL: 'warn', GATEHOUSE_ADMIN_TOKEN_SHA256: adminHash },
});
const meta = await (await fetch(`${gh.issuer}/.well-known/openid-configuration`)).json();
const serverPid = await findPid(`${work}/data/port`);

function authorizeUrl(client) {
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({ response_type: 'code', client_id: client, redirect_uri: REDIRECT_URI, scope: 'openid', state: 's', nonce: 'n' });
  return url;
}

async function exchange(client, callback) {
  const code = callback.searchParams.get('code');
  assert.ok(code, `no code in ${callback}`);
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client, SECRET) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).toString(),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

// A new IdP session in which clients 0..n-1 took part: {sid, jar (the browser), idToken}.
async function sessionWithParticipants(n) {
  const jar = new CookieJar();
  const first = await exchange(clientId(0), await signIn(authorizeUrl(clientId(0)), USER.username, USER.password, jar));
  const { sid } = JSON.parse(Buffer.from(first.id_token.split('.')[1], 'base64url'));
  await pool(n - 1, flowConcurrency, async (i) =>
    exchange(clientId(i + 1), await followAuthorization(authorizeUrl(clientId(i + 1)), { jar })));
  return { sid, jar, idToken: first.id_token };
}

const trigger = env.TRIGGER ?? (meta.end_session_endpoint ? 'logout' : 'revoke');

// Signs the session out; resolves once the IdP has answered.
async function signOut({ sid, jar, idToken }) {
  if (trigger === 'logout') {
    const url = new URL(meta.end_session_endpoint);
    url.search = new URLSearchParams({ id_token_hint: idToken, client_id: clientId(0) });
    const res = await browse(url, jar);
    const page = await res.text();
    assert.equal(res.status, 200, page);
    assert.ok(!page.includes('/logout/confirm'), 'signed out without a confirmation question');
    return;
  }
  const res = await fetch(`${gh.issuer}/admin/sessions/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: `sid=${encodeURIComponent(sid)}`,
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.ended[0].ended_now, true);
}

// --- (a), (b): one sign-out with N participants --------------------------------------------------

const expected = new Array(receiverCount).fill(0);
let delivered = 0;
const latencyRows = [];
for (const n of sizes) {
  const respond = [];
  const reach = [];
  let setup = 0;
  for (let r = 0; r < reps; r++) {
    t = now();
    const session = await sessionWithParticipants(n);
    setup += now() - t;
    const start = now();
    await signOut(session);
    respond.push(now() - start);
    delivered += n;
    for (let i = 0; i < n; i++) expected[i]++;
    reach.push((await waitForTokens(delivered)) - start);
  }
  log(`N=${n}: ${ms(setup / reps)} ms to set up each session (${n} code flows)`);
  latencyRows.push(`| ${n} | ${ms(median(respond))} (${ms(Math.min(...respond))}–${ms(Math.max(...respond))}) | ${ms(median(reach))} (${ms(Math.min(...reach))}–${ms(Math.max(...reach))}) | ${reps} |`);
}

// --- (c): sustained sign-outs --------------------------------------------------------------------

log(`setting up ${sustainedSessions} sessions × ${sustainedParticipants} participants`);
t = now();
const sessions = [];
for (let s = 0; s < sustainedSessions; s++) sessions.push(await sessionWithParticipants(sustainedParticipants));
const flowsPerSecond = (sustainedSessions * sustainedParticipants) / ((now() - t) / 1000);
log(`  ${ms((now() - t) / 1000)} s (${flowsPerSecond.toFixed(0)} code flows/s)`);
const tokens = sustainedSessions * sustainedParticipants;
const cpuBefore = { threads: await threadTimes(serverPid), idp: await cpuSeconds(serverPid), receivers: await cpuSeconds(receivers.pid), driver: process.cpuUsage() };
const start = now();
const signOutTimes = await pool(sessions.length, signOutConcurrency, async (i) => {
  const t0 = now();
  await signOut(sessions[i]);
  return now() - t0;
});
const allSignedOut = now() - start;
delivered += tokens;
for (let i = 0; i < sustainedParticipants; i++) expected[i] += sustainedSessions;
const elapsed = ((await waitForTokens(delivered)) - start) / 1000;
const rate = tokens / elapsed;
const threadsAfter = await threadTimes(serverPid);
const busiestThreads = Object.entries(threadsAfter)
  .map(([tid, { cpu, queued }]) => ({
    tid,
    cpu: cpu - (cpuBefore.threads[tid]?.cpu ?? 0),
    queued: queued - (cpuBefore.threads[tid]?.queued ?? 0),
  }))
  .filter((t) => t.cpu > 0.005)
  .sort((a, b) => b.cpu - a.cpu);
const timeline = await (await fetch(`${control}/timeline?from=${start}&bucket_ms=250`)).json();
const cpu = {
  idp: (await cpuSeconds(serverPid)) - cpuBefore.idp,
  receivers: (await cpuSeconds(receivers.pid)) - cpuBefore.receivers,
  driver: (() => { const u = process.cpuUsage(cpuBefore.driver); return (u.user + u.system) / 1e6; })(),
};

// --- consistency and the IdP's own account -------------------------------------------------------

await sleep(1000); // let a late duplicate show up before counting
const stats = await receiverStats();
const duplicates = stats.per_receiver.reduce((sum, got, i) => sum + Math.max(0, got - expected[i]), 0);
const missing = stats.per_receiver.reduce((sum, got, i) => sum + Math.max(0, expected[i] - got), 0);
const metrics = await (await fetch(`${gh.issuer}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
const metric = (name) => metrics.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm'))?.[1];
await gh.stop();

const how = trigger === 'logout' ? 'GET /logout with id_token_hint' : 'POST /admin/sessions/revoke';
console.log(`\nOne sign-out (${how}) with N back-channel participants; median (min–max) in ms:\n`);
console.log('| Participants | Sign-out response | All tokens received | Runs |');
console.log('|---:|---:|---:|---:|');
for (const row of latencyRows) console.log(row);
console.log(`\nSustained: ${sustainedSessions} sessions × ${sustainedParticipants} participants signed out ${signOutConcurrency} at a time` +
  ` (responses: median ${ms(median(signOutTimes))} ms, all answered after ${ms(allSignedOut)} ms):\n`);
console.log('| Logout tokens | Seconds | Delivered tokens/s | RS256 ceiling (sign/s × CPUs) | Share of ceiling |');
console.log('|---:|---:|---:|---:|---:|');
console.log(`| ${tokens} | ${elapsed.toFixed(2)} | ${rate.toFixed(0)} | ${signCeiling ? signCeiling.toFixed(0) : 'n/a'} | ${signCeiling ? `${(100 * rate / signCeiling).toFixed(0)}%` : 'n/a'} |`);
const cpuCount = cpus().length;
const signMs = signCeiling ? (1000 * cpuCount) / signCeiling : 0;
console.log(`\nCPU during the sustained phase (${elapsed.toFixed(2)} s × ${cpuCount} CPUs = ${(elapsed * cpuCount).toFixed(2)} CPU-s available):` +
  ` IdP ${cpu.idp.toFixed(2)} s (${(1000 * cpu.idp / tokens).toFixed(3)} ms per token, of which one RS256 signature is ${signMs.toFixed(3)} ms),` +
  ` receivers ${cpu.receivers.toFixed(2)} s, driver ${cpu.driver.toFixed(2)} s.`);
const idpQueued = busiestThreads.reduce((sum, t) => sum + t.queued, 0);
const projected = (perTokenCpu) => (cpuCount / perTokenCpu).toFixed(0) +
  (signCeiling ? ` (${(100 * cpuCount / perTokenCpu / signCeiling).toFixed(0)}%)` : '');
console.log(`The IdP's threads also waited ${idpQueued.toFixed(2)} s for a CPU (taken by one another, the receivers or other processes).` +
  ` At these CPU costs per token, the CPUs alone would allow ${projected((cpu.idp + cpu.receivers) / tokens)} tokens/s` +
  ` with the receivers on them, ${projected(cpu.idp / tokens)} without.`);
console.log(`IdP threads, seconds on a CPU / waiting for one: ${busiestThreads.map((t) => `${t.tid} ${t.cpu.toFixed(2)}/${t.queued.toFixed(2)}`).join(', ')}.`);
console.log(`Tokens received per 250 ms from the first sign-out on: ${timeline.join(' ')}.`);
console.log(`\nReceivers: ${stats.total} tokens, ${duplicates} duplicates, ${missing} missing, ${stats.malformed} malformed.` +
  ` IdP: delivered_total ${metric('gatehouse_logout_notifications_delivered_total')},` +
  ` retried_total ${metric('gatehouse_logout_notifications_retried_total')},` +
  ` failed_total ${metric('gatehouse_logout_notifications_failed_total')},` +
  ` pending ${metric('gatehouse_logout_notifications{status="pending"}')}.`);
receivers.stop();
// At-least-once delivery allows a duplicate; a lost or malformed token is a failure.
process.exitCode = missing || stats.malformed ? 1 : 0;
