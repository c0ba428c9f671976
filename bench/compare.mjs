// Side by side in one run (driven by bench/compare.sh): Gatehouse, node-oidc-provider 9 (the
// ready configuration in ../shared/bench-peers/oidc-provider) and nginx serving Gatehouse's own
// discovery and JWKS bytes as static files — each measured while the others sit idle, in
// interleaved rounds, keeping each one's best sample. Prints a Markdown table with each ratio —
// discovery, JWKS, client_credentials with opaque and with RS256 JWT access tokens, and single
// sign-on flows per second for a user who already has a session (bench/sso_flows.cc: authorize →
// code → token exchange with PKCE, as an app's sign-in runs) — then the JWT rate against the
// machine's RSA-2048 signing ceiling, and Gatehouse's password sign-ins per second beside the cost
// of one argon2id check (a sign-in is bounded by it by design; no peer row).
//
// Environment: GATEHOUSE_BIN, PEER_DIR (the peer, npm-installed), LUA (client_credentials.lua),
// PASSWORD_BENCH (bench/password_bench), SSO_FLOWS (bench/sso_flows), RSA_CEILING
// (bench/rsa_ceiling.sh), WORK, DURATION (default 8s), CONNECTIONS (default 64), SSO_CONNECTIONS
// (default 32), ROUNDS (default 5).
import { execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import path from 'node:path';

import { cpuSeconds, USER } from './bench_support.mjs';
import {
  authorizationRequest, basicAuth, browse, CookieJar, fetchMetadata, loginForm, signIn,
  startGatehouse, until,
} from '../tests/interop/harness.mjs';
import { freePort } from '../tests/interop/deployment_support.mjs';

const env = process.env;
const duration = env.DURATION ?? '8s';
const connections = env.CONNECTIONS ?? '64';
const rounds = Number(env.ROUNDS ?? 5);
const CC = { id: 'cc', secret: 'cc-secret-0123456789' };  // the peer's client_credentials client
// The peer's first code + PKCE client and its registered redirect URI; Gatehouse registers the same
// (with a longer secret: it refuses secrets under 16 characters), for the code grant alone like
// the peer's, so that neither server issues a refresh token in the sign-in flow.
const RP = {
  id: 'rp0', peerSecret: 'rp0-secret', secret: 'rp0-secret-0123456789', redirectUri: 'http://127.0.0.1:18081/cb/rp0',
};
const log = (...args) => console.error('compare:', ...args);

const exec = (file, args) => new Promise((resolve, reject) => {
  execFile(file, args, { maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
    (error ? reject(new Error(`${file}: ${stderr}`)) : resolve(stdout)));
});

// wrk on `url`; `script` is a Lua script and its arguments.
async function wrk(url, script = []) {
  const [file, ...args] = script;
  const out = await exec('wrk', ['-t2', `-c${connections}`, `-d${duration}`, '--latency',
    ...(file ? ['-s', file, url, '--', ...args] : [url])]);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? out.match(/non-200 responses: (\d+)/)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} failed responses\n${out}`);
  return { rate: Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]), p99: out.match(/^\s+99%\s+(\S+)/m)[1] };
}
const clientCredentials = (base) => wrk(`${base}/token`, [env.LUA, CC.id, CC.secret]);
// RS256 JWT access tokens (RFC 9068): Gatehouse's client registered with this audience, the
// peer's resource server of the same name asked for with RFC 8707's `resource`.
const JWT_AUDIENCE = 'https://api.example/jwt';
const CC_JWT = { id: 'cc-jwt', secret: CC.secret };
const jwtClientCredentials = {
  // With the CPU time the server used, since wrk shares the machine's CPUs with it.
  gatehouse: async (base) => {
    const before = await cpuSeconds(gatehouse.pid);
    const result = await wrk(`${base}/token`, [env.LUA, CC_JWT.id, CC_JWT.secret]);
    return { ...result, cpus: (await cpuSeconds(gatehouse.pid) - before) / Number.parseFloat(duration) };
  },
  peer: (base) => wrk(`${base}/token`, [env.LUA, CC.id, CC.secret, `resource=${encodeURIComponent(JWT_AUDIENCE)}`]),
};

// Password sign-ins for `seconds`: each loop fetches the sign-in form and posts it, as a browser
// does, one loop per CPU (the server checks that many passwords at once: worker_threads / 2).
async function passwordSignIns(base, seconds) {
  let signedIn = 0;
  const deadline = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const jar = new CookieJar();
      const form = loginForm(await (await browse(`${base}/login?return_to=%2F`, jar)).text(), USER);
      const res = await browse(`${base}/login`, jar, { method: 'POST', form });
      await res.body?.cancel();
      if (res.status !== 303) throw new Error(`POST /login: ${res.status}`);
      signedIn++;
    }
  };
  await Promise.all(cpus().map(loop));
  return signedIn / seconds;
}

// Single sign-on flows on `server` ({base, authorize, secret, cookie}: the session cookie of a
// signed-in user) for DURATION: {rate, p99}.
async function ssoFlows({ base, authorize, secret, cookie }) {
  const verifier = randomBytes(32).toString('base64url');
  const { port } = new URL(base);
  const out = JSON.parse(await exec(env.SSO_FLOWS, [`--port=${port}`, `--authorize=${authorize}`,
    '--token=/token', `--client=${RP.id}`, `--authorization=${basicAuth(RP.id, secret)}`,
    `--redirect-uri=${RP.redirectUri}`, `--cookie=${cookie}`, `--verifier=${verifier}`,
    `--challenge=${createHash('sha256').update(verifier).digest('base64url')}`,
    `--connections=${env.SSO_CONNECTIONS ?? 32}`, `--seconds=${Number.parseFloat(duration)}`]));
  if (out.errors > 0) throw new Error(`${base}: ${out.errors} failed flows, e.g. ${out.first_error}`);
  return { rate: out.rate, p99: `${out.p99_ms.toFixed(2)}ms` };
}

// Signs the user in at node-oidc-provider through its development sign-in form (it takes any
// login) and returns the session cookie.
async function peerSession(base) {
  const jar = new CookieJar();
  const { url } = authorizationRequest({ authorization_endpoint: `${base}/auth` },
    { client_id: RP.id, redirect_uri: RP.redirectUri });
  let res = await browse(url, jar);
  for (let hop = 0; hop < 5 && res.status === 303; hop++) {
    const next = new URL(res.headers.get('location'), base);
    if (next.origin !== base) return jar.header();
    res = await browse(next, jar);
    if (res.status === 200) {
      const action = (await res.text()).match(/<form[^>]*action="([^"]+)"/)[1];
      res = await browse(new URL(action, base), jar, {
        method: 'POST', form: { prompt: 'login', login: USER.username, password: USER.password },
      });
    }
  }
  throw new Error(`node-oidc-provider sign-in ended at ${res.status}`);
}

// One argon2id check with Gatehouse's parameters (bench/password_bench.cc): {millis, params}.
async function passwordCheck() {
  const out = JSON.parse(await exec(env.PASSWORD_BENCH, ['--benchmark_format=json',
    '--benchmark_min_time=2']));
  return { millis: out.benchmarks[0].real_time, params: out.benchmarks[0].label };
}

// Each endpoint on each server, its best sample: {endpoint: {server: {rate, p99}}}.
const results = {};
const record = (endpoint, server, result) => {
  const best = results[endpoint]?.[server];
  if (!best || result.rate > best.rate) (results[endpoint] ??= {})[server] = result;
  log(`${server} ${endpoint}: ${result.rate.toFixed(0)}/s`);
};

// All three servers run for the whole comparison, idle while another is measured; the rounds
// interleave them, so a spell of noise on this shared machine costs each server one sample of
// several rather than a whole figure.

// --- Gatehouse ---
const gatehouse = await startGatehouse({
  env: { GATEHOUSE_LOG_LEVEL: 'warn' },
  clients: [{ id: CC.id, secret: CC.secret }, { ...CC_JWT, accessTokenAudience: JWT_AUDIENCE },
    { id: RP.id, secret: RP.secret, redirectUris: [RP.redirectUri], grantTypes: ['authorization_code'] }],
  users: [USER],
});
const gatehouseJar = new CookieJar();
await signIn(authorizationRequest(await fetchMetadata(gatehouse.issuer), { client_id: RP.id, redirect_uri: RP.redirectUri }).url,
  USER.username, USER.password, gatehouseJar);
const discoveryBytes = await (await fetch(`${gatehouse.url}/.well-known/openid-configuration`)).text();
const jwksBytes = await (await fetch(`${gatehouse.url}/jwks`)).text();

// --- node-oidc-provider ---
const peerPort = await freePort();
const peer = spawn('node', ['server.mjs'], {
  cwd: env.PEER_DIR, env: { PATH: env.PATH, PORT: String(peerPort), RP_COUNT: '1', KEYS_FILE: path.join(env.WORK, 'peer-keys.json') },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const peerBase = `http://127.0.0.1:${peerPort}`;

// --- nginx: the same bytes as static files ---
const root = path.join(env.WORK, 'static');
await mkdir(path.join(root, '.well-known'), { recursive: true });
await writeFile(path.join(root, '.well-known', 'openid-configuration'), discoveryBytes);
await writeFile(path.join(root, 'jwks'), jwksBytes);
const nginxPort = await freePort();
const conf = path.join(env.WORK, 'nginx.conf');
await writeFile(conf, `
worker_processes auto;
pid ${env.WORK}/nginx.pid;
error_log ${env.WORK}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${env.WORK}/nginx-body;
  proxy_temp_path ${env.WORK}/nginx-proxy;
  fastcgi_temp_path ${env.WORK}/nginx-proxy;
  uwsgi_temp_path ${env.WORK}/nginx-proxy;
  scgi_temp_path ${env.WORK}/nginx-proxy;
  default_type application/json;
  server {
    listen 127.0.0.1:${nginxPort};
    root ${root};
  }
}
`);
const nginx = spawn('/usr/sbin/nginx', ['-e', `${env.WORK}/nginx-error.log`, '-p', env.WORK, '-c', conf, '-g', 'daemon off;'],
  { stdio: ['ignore', 'ignore', 'inherit'] });
const nginxBase = `http://127.0.0.1:${nginxPort}`;

let signIns = 0;  // password sign-ins per second, best round
try {
  await until('node-oidc-provider to start', () =>
    fetch(`${peerBase}/.well-known/openid-configuration`).then((r) => r.ok, () => false), { timeoutMs: 30_000 });
  await until('nginx to start', () => fetch(`${nginxBase}/jwks`).then((r) => r.ok, () => false));
  const sso = {
    gatehouse: { base: gatehouse.url, authorize: '/authorize', secret: RP.secret, cookie: gatehouseJar.header() },
    peer: { base: peerBase, authorize: '/auth', secret: RP.peerSecret, cookie: await peerSession(peerBase) },
  };
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round} of ${rounds}`);
    for (const [server, base] of [['gatehouse', gatehouse.url], ['peer', peerBase], ['nginx', nginxBase]]) {
      record('discovery', server, await wrk(`${base}/.well-known/openid-configuration`));
      record('jwks', server, await wrk(`${base}/jwks`));
      if (server === 'nginx') continue;
      record('client_credentials', server, await clientCredentials(base));
      record('client_credentials_jwt', server, await jwtClientCredentials[server](base));
      record('sso', server, await ssoFlows(sso[server]));
    }
    signIns = Math.max(signIns, await passwordSignIns(gatehouse.url, Number.parseFloat(duration)));
    log(`gatehouse password sign-ins: ${signIns.toFixed(1)}/s`);
  }
} finally {
  await gatehouse.stop();
  peer.kill('SIGTERM');
  nginx.kill('SIGQUIT');
}

const ratio = (a, b) => (a && b ? `${(a.rate / b.rate).toFixed(2)}×` : '—');
const cell = (r) => (r ? `${r.rate.toFixed(0)} (p99 ${r.p99})` : '—');
console.log(`\nwrk -t2 -c${connections} -d${duration} per endpoint, one server at a time, best of ${rounds} ` +
  'interleaved rounds; requests/s (p99):\n');
console.log('| Endpoint | Gatehouse | node-oidc-provider 9 | nginx, same bytes static | Gatehouse ÷ node-oidc-provider | Gatehouse ÷ nginx |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [endpoint, name] of [['discovery', 'GET /.well-known/openid-configuration'], ['jwks', 'GET /jwks'],
  ['client_credentials', 'POST /token client_credentials (opaque)'],
  ['client_credentials_jwt', 'POST /token client_credentials (JWT, RS256)'],
  ['sso', `single sign-on flows/s (GET /authorize → POST /token, ${env.SSO_CONNECTIONS ?? 32} at once)`]]) {
  const r = results[endpoint];
  console.log(`| ${name} | ${cell(r.gatehouse)} | ${cell(r.peer)} | ${cell(r.nginx)} | ${ratio(r.gatehouse, r.peer)} | ${ratio(r.gatehouse, r.nginx)} |`);
}
const cores = cpus().length;
const rsaPerCpu = Number(await exec(env.RSA_CEILING, []));
const { rate: jwt, cpus: jwtCpus } = results.client_credentials_jwt.gatehouse;
console.log(`\nRS256 JWT access tokens: ${jwt.toFixed(0)}/s against this machine's RSA-2048 ceiling of ` +
  `${(rsaPerCpu * cores).toFixed(0)} signatures/s (openssl speed, ${rsaPerCpu.toFixed(0)} × ${cores} CPUs): ` +
  `${((100 * jwt) / (rsaPerCpu * cores)).toFixed(0)} %. The server had ${jwtCpus.toFixed(2)} of the ` +
  `${cores} CPUs (wrk the rest): ${((100 * jwt) / (rsaPerCpu * jwtCpus)).toFixed(0)} % of what those sign.`);
const check = await passwordCheck();
console.log(`\nPassword sign-ins (GET /login, then POST /login, ${cores} at once, ${duration}): ` +
  `${signIns.toFixed(1)}/s, ${(signIns / cores).toFixed(1)} per core; one argon2id check ` +
  `(${check.params}) takes ${check.millis.toFixed(1)} ms, so a core can check at most ` +
  `${(1000 / check.millis).toFixed(1)} passwords per second.`);
