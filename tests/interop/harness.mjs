// Harness for black-box tests: runs the real `gatehouse` binary on an ephemeral loopback port with
// a throw-away data directory, and plays the browser (cookie jar + sign-in form) so that
// independent clients can drive the OpenID Connect flows end to end.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const CLI_TIMEOUT_MS = 60_000; // argon2 under the sanitizers is slow
const OUTPUT_LIMIT = 64 * 1024; // keep the tail of the server's log for failure messages

// Fixtures shared by the test files. The redirect URI is never contacted: the harness stops at
// the redirect that would send the browser there, so the tests stay on loopback.
export const REDIRECT_URI = 'https://rp.example/callback';
export const USER = Object.freeze({
  username: 'alice',
  password: 'correct horse battery staple',
  name: 'Alice Example',
  email: 'alice@example.com',
});
export const SECRET = 'interop-secret-0123456789';

// Every server still running, so that a crash of the test process does not leak one.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function gatehouseBin() {
  const bin = process.env.GATEHOUSE_BIN;
  if (!bin) throw new Error('set GATEHOUSE_BIN to the gatehouse binary (CTest does this)');
  return bin;
}

// The server refuses unknown GATEHOUSE_* variables (a typo must not fall back to a default), so
// the child gets none of ours — GATEHOUSE_BIN included — only the ones the test sets.
function childEnv(overrides) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_')) env[k] = v;
  return { ...env, ...overrides };
}

function runCli(args, env) {
  return new Promise((resolve, reject) => {
    execFile(gatehouseBin(), args, { env, timeout: CLI_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`gatehouse ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function clientArgs(c) {
  const args = ['client', 'add', '--id', c.id];
  args.push(...(c.secret ? ['--secret', c.secret] : ['--public']));
  for (const uri of c.redirectUris ?? [REDIRECT_URI]) args.push('--redirect-uri', uri);
  for (const uri of c.postLogoutRedirectUris ?? []) args.push('--post-logout-redirect-uri', uri);
  if (c.idTokenAlg) args.push('--id-token-alg', c.idTokenAlg);
  if (c.frontchannelLogoutUri) args.push('--frontchannel-logout-uri', c.frontchannelLogoutUri);
  if (c.backchannelLogoutUri) args.push('--backchannel-logout-uri', c.backchannelLogoutUri);
  for (const origin of c.webOrigins ?? []) args.push('--web-origin', origin);
  for (const id of c.resourceServerFor ?? []) args.push('--resource-server-for', id);
  if (c.accessTokenAudience) args.push('--access-token-audience', c.accessTokenAudience);
  for (const grant of c.grantTypes ?? []) args.push('--grant-type', grant);
  return args;
}

function userArgs(u) {
  const args = ['user', 'add', '--username', u.username, '--password', u.password];
  if (u.name) args.push('--name', u.name);
  if (u.email) args.push('--email', u.email);
  return args;
}

// Polls `probe` until it returns a truthy value, the child dies, or the deadline passes.
async function waitFor(what, probe, child, output, deadline) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`gatehouse exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}\n${output()}`);
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output()}`);
    await sleep(50);
  }
}

/**
 * Starts `gatehouse serve` with its own data directory, after registering `users` and `clients`
 * ({id, secret | public, redirectUris, postLogoutRedirectUris, idTokenAlg, frontchannelLogoutUri,
 * backchannelLogoutUri, webOrigins, resourceServerFor, accessTokenAudience})
 * with the CLI. `env` adds GATEHOUSE_* settings. With `dataDir`, serves an existing data
 * directory (a restart, or another node on the same database: each names its `node`, the file
 * its port is written to), which then stays for the caller to remove. `launcher` is a command the
 * server runs under (e.g. prlimit with its options and `--`). Returns {issuer, url (the node's own
 * address), port, pid, dataDir, output(), cli(args), stop(), kill()}: `cli` runs a `gatehouse` command on the same data
 * directory and resolves to its stdout; `kill` ends the server with SIGKILL, as a crash would,
 * and keeps the data directory.
 */
export async function startGatehouse({
  env = {}, clients = [], users = [], dataDir: reuse, launcher = [], node = 'port',
} = {}) {
  const dataDir = reuse ?? await mkdtemp(path.join(tmpdir(), 'gatehouse-interop-'));
  const removeDataDir = () => (reuse ? undefined : rm(dataDir, { recursive: true, force: true }));
  const portFile = path.join(dataDir, node);
  const serverEnv = childEnv({
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_SERVER_LISTEN: '127.0.0.1:0',
    GATEHOUSE_LOG_FORMAT: 'json',
    ...env,
  });
  let child;
  let log = '';
  const output = () => `--- gatehouse output (tail) ---\n${log}--- end ---`;
  try {
    await rm(portFile, { force: true }); // a killed predecessor's port is not ours
    for (const u of users) await runCli(userArgs(u), serverEnv);
    for (const c of clients) await runCli(clientArgs(c), serverEnv);

    const command = [...launcher, gatehouseBin(), 'serve', '--port-file', portFile];
    child = spawn(command[0], command.slice(1), {
      env: serverEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }));
    const collect = (chunk) => { log = (log + chunk).slice(-OUTPUT_LIMIT); };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);

    const deadline = Date.now() + START_TIMEOUT_MS;
    const port = await waitFor('the port file', async () => {
      const n = Number.parseInt(await readFile(portFile, 'utf8'), 10);
      return n > 0 ? n : undefined;
    }, child, output, deadline);
    // The node's own address; the issuer is another when GATEHOUSE_ISSUER names a front (a load
    // balancer, another host name).
    const url = `http://127.0.0.1:${port}`;
    const issuer = env.GATEHOUSE_ISSUER ?? url;
    await waitFor('/healthz', async () => (await fetch(`${url}/healthz`)).status === 200,
      child, output, deadline);

    let stopped;
    // Graceful shutdown is part of the contract: SIGTERM must finish with exit code 0.
    const stop = () => (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const { code, signal } = await exited;
      clearTimeout(timer);
      await removeDataDir();
      assert.equal(signal, null, `gatehouse was killed by ${signal} instead of exiting on SIGTERM\n${output()}`);
      assert.equal(code, 0, `gatehouse exited with ${code} after SIGTERM\n${output()}`);
    })());
    const kill = () => (stopped ??= (async () => {
      child.kill('SIGKILL');
      await exited;
    })());
    return {
      issuer, url, port, dataDir, output, stop, kill, pid: child.pid,
      cli: (args) => runCli(args, serverEnv),
      alive: () => child.exitCode === null && child.signalCode === null,
    };
  } catch (error) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await removeDataDir();
    throw error;
  }
}

/** Polls `probe` until it returns something truthy (returned); fails after `timeoutMs`, with
 * `describe()`'s account of the state at that moment. */
export async function until(what, probe, { timeoutMs = 20_000, describe = () => '' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; ${await describe()}`);
    await sleep(50);
  }
}

/** Asserts the server still answers /healthz and discovery (after each hostile request). */
export async function assertHealthy(gatehouse) {
  const health = await fetch(`${gatehouse.url}/healthz`);
  assert.equal(health.status, 200, `healthz after the request\n${gatehouse.output()}`);
  const discovery = await fetch(`${gatehouse.url}/.well-known/openid-configuration`);
  assert.equal(discovery.status, 200, `discovery after the request\n${gatehouse.output()}`);
  assert.equal((await discovery.json()).issuer, gatehouse.issuer);
}

/** The provider metadata, fetched with a plain client (no openid-client in the way). */
export async function fetchMetadata(issuer) {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  return res.json();
}

/** A cookie jar for one host: the IdP is the only site the tests' browser talks to. */
export class CookieJar {
  #cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get(name) {
    return this.#cookies.get(name);
  }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A browser request: no redirect following, cookies sent and remembered. */
export async function browse(url, jar, { method = 'GET', form } = {}) {
  const headers = { cookie: jar.header() };
  let body;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  jar.store(res);
  return res;
}

export const decodeHtml = (s) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e) =>
  ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e]);

// The value of hidden input `name` in the sign-in page.
export function hiddenField(html, name) {
  const input = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`));
  const value = input?.[0].match(/value="([^"]*)"/);
  assert.ok(value, `sign-in page has no ${name} field:\n${html}`);
  return decodeHtml(value[1]);
}

/** The filled-in sign-in form of a Gatehouse sign-in page. */
export function loginForm(html, credentials) {
  return {
    csrf_token: hiddenField(html, 'csrf_token'),
    return_to: hiddenField(html, 'return_to'),
    username: credentials.username,
    password: credentials.password,
  };
}

/**
 * Walks the IdP like a browser from `start` (a GET, or a POST of `form`), following its redirects,
 * until it redirects away from itself — returns `{ url }` — or answers with a page that is neither
 * a redirect nor the sign-in or consent form — returns `{ res }` (an auto-POST form, an error).
 * With `credentials` it fills in the sign-in form once; without, meeting the form is an error. A
 * consent page (offline_access) is answered with `consent`: 'allow' or 'deny'.
 */
export async function browseIdp(start, {
  jar = new CookieJar(), credentials, consent = 'allow', form,
} = {}) {
  let url = new URL(start);
  const idp = url.origin;
  let signedIn = false;
  for (let hop = 0; hop < 10; hop++) {
    let res = await browse(url, jar, hop === 0 && form ? { method: 'POST', form } : {});
    if (res.status === 200 && url.pathname === '/login') {
      assert.ok(credentials && !signedIn, `unexpected sign-in page at ${url}`);
      res = await browse(new URL('/login', idp), jar, {
        method: 'POST', form: loginForm(await res.text(), credentials),
      });
      signedIn = true;
      if (res.status !== 303) assert.fail(`POST /login: ${res.status} ${await res.text()}`);
    } else if (res.status === 200 && url.pathname === '/consent') {
      const html = await res.text();
      res = await browse(new URL('/consent', idp), jar, {
        method: 'POST',
        form: {
          csrf_token: hiddenField(html, 'csrf_token'),
          request: hiddenField(html, 'request'),
          decision: consent,
        },
      });
      if (res.status !== 303) assert.fail(`POST /consent: ${res.status} ${await res.text()}`);
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return { res };
    await res.body?.cancel();
    url = new URL(location, url);
    if (url.origin !== idp) return { url };
  }
  throw new Error(`too many redirects from ${start}`);
}

/**
 * Follows an authorization request until the IdP redirects away from itself, and returns that URL
 * (the RP's redirect_uri with code or error); see browseIdp for `credentials` and `consent`.
 */
export async function followAuthorization(authorizationUrl, options = {}) {
  const { url, res } = await browseIdp(authorizationUrl, options);
  if (res) assert.fail(`expected a redirect from the IdP, got ${res.status}: ${await res.text()}`);
  return url;
}

/** Signs `username` in through /authorize → /login → /authorize; returns the callback URL. */
export function signIn(authorizationUrl, username, password, jar = new CookieJar()) {
  return followAuthorization(authorizationUrl, { jar, credentials: { username, password } });
}

/**
 * A code + PKCE authorization request to `meta`'s authorization endpoint for REDIRECT_URI;
 * `params` adds or overrides parameters (client_id is required). Returns {url, verifier}.
 */
export function authorizationRequest(meta, params) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  });
  return { url, verifier };
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
export function basicAuth(id, secret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** POSTs `body` (a form object or a ready string) and returns {status, headers, json}. */
export async function post(url, body, headers = {}) {
  const isForm = typeof body !== 'string';
  const res = await fetch(url, {
    method: 'POST',
    headers: isForm ? { 'content-type': 'application/x-www-form-urlencoded', ...headers } : headers,
    body: isForm ? new URLSearchParams(body).toString() : body,
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Sends raw bytes on a fresh connection and returns whatever the server answers before it closes
 * (or `timeoutMs` passes). A reset counts as a close: some refusals are allowed to end that way.
 */
export function rawRequest(port, bytes, timeoutMs = 5_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const done = (how) => { socket.destroy(); resolve({ received, how }); };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.on('data', (d) => { received += d.toString('latin1'); });
    socket.on('end', () => done('closed'));
    socket.on('error', (e) => done(e.code ?? 'error'));
    socket.on('connect', () => socket.write(bytes));
  });
}
