// Attacks on sign-out and abuse of the provider, each reproduced against the real binary as an
// attacker or an unlucky user would meet it. Every test here fails when its defence is removed.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CookieJar, REDIRECT_URI, SECRET, USER, authorizationRequest, basicAuth, browse, fetchMetadata,
  followAuthorization, post, signIn, startGatehouse,
} from './harness.mjs';

const run = promisify(execFile);
const CLIENT = 'mail';
const OTHER_CLIENT = 'docs';
const BOB = Object.freeze({ username: 'bob', password: 'bob-has-a-long-password-too' });

const authorizeUrl = (meta, extra = {}, clientId = CLIENT) =>
  authorizationRequest(meta, { client_id: clientId, ...extra });

function redeem(meta, callback, verifier, clientId = CLIENT) {
  return post(meta.token_endpoint, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code'),
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  }, { authorization: basicAuth(clientId, SECRET) });
}

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));

async function sessions(gh, username) {
  return JSON.parse(await gh.cli(['session', 'list', '--user', username, '--all', '--json'])).sessions;
}

// What the OP iframe would answer the RP for `sessionState` (Session Management 1.0 §3.2).
async function checkSession(meta, sessionState, clientId = CLIENT) {
  const res = await fetch(new URL('/session/check/state', meta.issuer), {
    method: 'POST',
    body: new URLSearchParams({ client_id: clientId, origin: new URL(REDIRECT_URI).origin, session_state: sessionState }),
  });
  return res.text();
}

describe('sign-out leaves nothing alive', () => {
  let gh;
  let meta;
  before(async () => {
    gh = await startGatehouse({
      users: [USER, BOB],
      clients: [{ id: CLIENT, secret: SECRET }, { id: OTHER_CLIENT, secret: SECRET }],
    });
    meta = await fetchMetadata(gh.issuer);
  });
  after(() => gh?.stop());

  it('refuses a code issued a moment before the sign-out', async () => {
    const jar = new CookieJar();
    const { url, verifier } = authorizeUrl(meta);
    const callback = await signIn(url, USER.username, USER.password, jar);
    const [session] = await sessions(gh, USER.username);
    // The attacker (or a slow app) holds the code while the user signs out everywhere.
    await gh.cli(['session', 'revoke', '--sid', session.sid]);
    const late = await redeem(meta, callback, verifier);
    assert.equal(late.status, 400, late.text);
    assert.equal(late.json.error, 'invalid_grant');
    const [after] = (await sessions(gh, USER.username)).filter((s) => s.sid === session.sid);
    assert.deepEqual(after.participants, [], 'nobody joined the ended session');
  });

  it('refuses to refresh tokens of an ended session', async () => {
    const jar = new CookieJar();
    const { url, verifier } = authorizeUrl(meta);
    const tokens = await redeem(meta, await signIn(url, USER.username, USER.password, jar), verifier);
    assert.equal(tokens.status, 200, tokens.text);
    await gh.cli(['session', 'revoke', '--sid', claims(tokens.json.id_token).sid]);
    const refreshed = await post(meta.token_endpoint, {
      grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token,
    }, { authorization: basicAuth(CLIENT, SECRET) });
    assert.equal(refreshed.status, 400, refreshed.text);
    assert.equal(refreshed.json.error, 'invalid_grant');
  });

  it('ends the first user\'s session when a second user signs in on the same browser', async () => {
    const jar = new CookieJar();
    const alice = authorizeUrl(meta);
    const aliceCallback = await signIn(alice.url, USER.username, USER.password, jar);
    const aliceTokens = await redeem(meta, aliceCallback, alice.verifier);
    const aliceSid = claims(aliceTokens.json.id_token).sid;
    const aliceState = aliceCallback.searchParams.get('session_state');
    assert.equal(await checkSession(meta, aliceState), 'unchanged');

    // Bob sits down at the same computer and signs in to another app.
    const bob = authorizeUrl(meta, { prompt: 'login' }, OTHER_CLIENT);
    const bobTokens = await redeem(meta, await signIn(bob.url, BOB.username, BOB.password, jar),
      bob.verifier, OTHER_CLIENT);
    assert.notEqual(claims(bobTokens.json.id_token).sid, aliceSid);

    const [aliceSession] = (await sessions(gh, USER.username)).filter((s) => s.sid === aliceSid);
    assert.equal(aliceSession.end_cause, 'superseded');
    assert.equal(await checkSession(meta, aliceState), 'changed', 'alice\'s app learns she is gone');
    // Its prompt=none recheck with alice's ID token is not answered for bob.
    const recheck = await followAuthorization(
      authorizeUrl(meta, { prompt: 'none', id_token_hint: aliceTokens.json.id_token }).url, { jar });
    assert.equal(recheck.searchParams.get('error'), 'login_required');
    const refreshed = await post(meta.token_endpoint, {
      grant_type: 'refresh_token', refresh_token: aliceTokens.json.refresh_token,
    }, { authorization: basicAuth(CLIENT, SECRET) });
    assert.equal(refreshed.json?.error, 'invalid_grant');
  });

  it('keeps the session and its participants when the same user re-authenticates', async () => {
    const jar = new CookieJar();
    const first = authorizeUrl(meta);
    const firstCallback = await signIn(first.url, USER.username, USER.password, jar);
    const firstId = claims((await redeem(meta, firstCallback, first.verifier)).json.id_token);
    const oldCookie = jar.get('gh_session');
    await new Promise((r) => setTimeout(r, 1100)); // auth_time has a resolution of one second

    const again = authorizeUrl(meta, { prompt: 'login' }, OTHER_CLIENT);
    const againCallback = await signIn(again.url, USER.username, USER.password, jar);
    const againId = claims((await redeem(meta, againCallback, again.verifier, OTHER_CLIENT)).json.id_token);
    assert.equal(againId.sid, firstId.sid, 'the same session');
    assert.ok(againId.auth_time > firstId.auth_time, 'auth_time moves to the new authentication');
    assert.notEqual(jar.get('gh_session'), oldCookie, 'the cookie value is replaced');
    assert.equal(await checkSession(meta, firstCallback.searchParams.get('session_state')), 'unchanged');

    const [session] = (await sessions(gh, USER.username)).filter((s) => s.sid === firstId.sid);
    assert.equal(session.end_cause, null);
    assert.deepEqual(session.participants.map((p) => p.client_id).sort(), [OTHER_CLIENT, CLIENT]);

    // The replaced cookie value no longer opens the session.
    const res = await fetch(authorizeUrl(meta, { prompt: 'none' }).url, {
      headers: { cookie: `gh_session=${oldCookie}` }, redirect: 'manual',
    });
    assert.equal(new URL(res.headers.get('location')).searchParams.get('error'), 'login_required');
  });
});

// Sends a request from a chosen loopback address, as if from another machine.
function fromAddress(localAddress, url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => { text += d; }).on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Fetches the sign-in page from `address` and returns the cookie header and form to post.
async function loginForm(gh, address, username, password) {
  const page = await fromAddress(address, `${gh.issuer}/login`);
  const cookie = page.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ');
  const token = page.text.match(/name="csrf_token" value="([^"]+)"/)[1];
  return {
    cookie,
    body: new URLSearchParams({ csrf_token: token, return_to: '/', username, password }).toString(),
  };
}

async function submitLogin(gh, address, form) {
  return fromAddress(address, `${gh.issuer}/login`, {
    method: 'POST',
    headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.body,
  });
}

describe('abuse and bad input', () => {
  let gh;
  let meta;
  before(async () => {
    gh = await startGatehouse({
      users: [USER, BOB],
      clients: [
        { id: CLIENT, secret: SECRET, webOrigins: ['http://127.0.0.1:9'] },
        { id: OTHER_CLIENT, secret: SECRET },
        { id: 'reports-api', secret: SECRET, resourceServerFor: [CLIENT] },
      ],
    });
    meta = await fetchMetadata(gh.issuer);
  });
  after(() => gh?.stop());

  it('slows a guessing source with 429 and Retry-After while another user signs in', async () => {
    const attacker = '127.0.0.2';
    const statuses = [];
    let retryAfter;
    for (let i = 0; i < 14; i++) {
      const res = await submitLogin(gh, attacker, await loginForm(gh, attacker, BOB.username, `guess-${i}`));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = Number(res.headers['retry-after']);
    }
    assert.ok(statuses.includes(429), `guesses were throttled: ${statuses}`);
    assert.ok(!statuses.includes(503), `no global lockout: ${statuses}`);
    assert.ok(retryAfter >= 1, 'Retry-After tells how long to wait');

    // Meanwhile alice, elsewhere, signs in at once.
    const victim = await submitLogin(gh, '127.0.0.1', await loginForm(gh, '127.0.0.1', USER.username, USER.password));
    assert.equal(victim.status, 303, victim.text);

    const metrics = await (await fetch(`${gh.issuer}/metrics`)).text();
    assert.match(metrics, /^gatehouse_logins_throttled_total [1-9]\d*$/m);
    const { events } = JSON.parse(await gh.cli(['events', '--json']));
    assert.ok(events.some((e) => e.type === 'login.throttled'), 'an audit event says so');
  });

  it('refuses a planted CSRF cookie and field pair', async () => {
    const planted = 'x';
    const res = await fromAddress('127.0.0.3', `${gh.issuer}/login`, {
      method: 'POST',
      headers: { cookie: `gh_csrf=${planted}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf_token: planted, return_to: '/', username: USER.username, password: USER.password }).toString(),
    });
    assert.equal(res.status, 403);
    assert.ok(!(res.headers['set-cookie'] ?? []).some((c) => c.startsWith('gh_session=')));
    // Nor does a full-length pair made up without the server's secret.
    const nonce = randomBytes(32).toString('base64url');
    const forged = await fromAddress('127.0.0.3', `${gh.issuer}/login`, {
      method: 'POST',
      headers: { cookie: `gh_csrf=${nonce}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf_token: nonce, return_to: '/', username: USER.username, password: USER.password }).toString(),
    });
    assert.equal(forged.status, 403);
  });

  it('names the CSRF cookie __Host- and marks it Secure behind a TLS-terminating proxy', async () => {
    const proxied = await startGatehouse({ env: { GATEHOUSE_ISSUER: 'https://id.example' } });
    try {
      const page = await fetch(`${proxied.url}/login`); // plain HTTP, as from the proxy
      const cookie = page.headers.getSetCookie().find((c) => c.includes('gh_csrf='));
      assert.match(cookie, /^__Host-gh_csrf=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /; Path=\//);
      assert.doesNotMatch(cookie, /Domain=/i);
    } finally {
      await proxied.stop();
    }
  });

  it('tells only the token\'s own client and its resource server about a token', async () => {
    const { url, verifier } = authorizeUrl(meta);
    const tokens = await redeem(meta, await signIn(url, USER.username, USER.password), verifier);
    const introspect = (client) => post(meta.introspection_endpoint, { token: tokens.json.access_token },
      { authorization: basicAuth(client, SECRET) });
    const stranger = await introspect(OTHER_CLIENT);
    assert.equal(stranger.status, 200);
    assert.deepEqual(stranger.json, { active: false }, 'no sub, sid or scope for a second client');
    const api = await introspect('reports-api');
    assert.equal(api.json.active, true);
    assert.equal(api.json.client_id, CLIENT);
    assert.equal((await introspect(CLIENT)).json.active, true);
  });

  it('answers CORS for registered web origins only (discovery and JWKS for any), and lets discovery and JWKS be cached', async () => {
    const allowed = 'http://127.0.0.1:9';
    const preflight = await fetch(meta.token_endpoint, {
      method: 'OPTIONS',
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), allowed);
    const res = await fetch(meta.userinfo_endpoint, { headers: { origin: allowed } });
    assert.equal(res.headers.get('access-control-allow-origin'), allowed);
    const other = await fetch(meta.userinfo_endpoint, { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    // Public documents: readable from any page.
    for (const path of [meta.jwks_uri, `${gh.issuer}/.well-known/openid-configuration`]) {
      const anyOrigin = await fetch(path, { headers: { origin: 'https://any.example' } });
      assert.equal(anyOrigin.headers.get('access-control-allow-origin'), '*', path);
    }
    const discovery = await fetch(`${gh.issuer}/.well-known/openid-configuration`);
    assert.match(discovery.headers.get('cache-control'), /max-age=\d+/);
    assert.match((await fetch(meta.jwks_uri)).headers.get('cache-control'), /max-age=\d+/);
  });

  it('answers 400, not 500, to invalid UTF-8 in the admin API', async () => {
    const token = 'admin-token-for-the-hardening-tests';
    const admin = await startGatehouse({
      env: { GATEHOUSE_ADMIN_TOKEN_SHA256: createHash('sha256').update(token).digest('base64url') },
    });
    try {
      const res = await fetch(`${admin.issuer}/admin/sessions/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user=%FF%FE',
      });
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error, 'invalid_request');
    } finally {
      await admin.stop();
    }
  });
});

// CPU time (user + system, in clock ticks) the process has used so far.
async function cpuTicks(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime and stime (fields 14 and 15)
}

describe('running out of file descriptors', () => {
  it('serves open connections with 150 idle ones under ulimit -n 128, and recovers', async () => {
    const gh = await startGatehouse({ launcher: ['prlimit', '--nofile=128:128', '--'] });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path) => new Promise((resolve, reject) => {
      http.get(`${gh.issuer}${path}`, { agent }, (res) => {
        res.resume().on('end', () => resolve(res.statusCode));
      }).on('error', reject);
    });
    const idle = [];
    try {
      assert.equal(await get('/healthz'), 200); // the connection that must keep being served
      for (let i = 0; i < 150; i++) {
        idle.push(await new Promise((resolve) => {
          const socket = net.connect({ host: '127.0.0.1', port: gh.port }, () => resolve(socket));
          socket.on('error', () => resolve(socket));
        }));
      }
      await sleep(1000);
      const before = await cpuTicks(gh.pid);
      await sleep(2000);
      const spent = (await cpuTicks(gh.pid)) - before;
      assert.ok(spent < 50, `the IdP idles while out of descriptors (${spent} ticks in 2 s)`);
      assert.equal(await get('/healthz'), 200, 'an open connection is still served');
      const failures = gh.output().match(/http\.accept_failed/g)?.length ?? 0;
      assert.ok(failures <= 3, `accept failures are logged once per episode, not ${failures} times`);

      for (const socket of idle) socket.destroy();
      agent.destroy();
      const fresh = await fetch(`${gh.issuer}/healthz`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(fresh.status, 200, 'new connections are served again');
    } finally {
      for (const socket of idle) socket.destroy();
      agent.destroy();
      await gh.stop();
    }
  });
});

describe('retention', () => {
  it('purges ended sessions and their events once they are older than the retention', async () => {
    const gh = await startGatehouse({
      users: [USER],
      clients: [{ id: CLIENT, secret: SECRET }],
      env: { GATEHOUSE_RETENTION_HISTORY_SECONDS: '2', GATEHOUSE_SERVER_MAINTENANCE_INTERVAL_SECONDS: '1' },
    });
    try {
      const meta = await fetchMetadata(gh.issuer);
      const { url, verifier } = authorizeUrl(meta);
      const tokens = await redeem(meta, await signIn(url, USER.username, USER.password), verifier);
      const { sid } = claims(tokens.json.id_token);
      await gh.cli(['session', 'revoke', '--sid', sid]);
      const { events } = JSON.parse(await gh.cli(['events', '--json']));
      assert.ok(events.some((e) => e.sid === sid), 'the sign-out was recorded');

      const deadline = Date.now() + 15_000;
      for (;;) {
        const left = (await sessions(gh, USER.username)).filter((s) => s.sid === sid);
        const history = JSON.parse(await gh.cli(['events', '--json'])).events.filter((e) => e.sid === sid);
        if (left.length === 0 && history.length === 0) break;
        assert.ok(Date.now() < deadline, 'history outlived its retention');
        await sleep(250);
      }
    } finally {
      await gh.stop();
    }
  });
});

describe('secrets at rest', () => {
  let parent;
  before(async () => { parent = await mkdtemp(path.join(tmpdir(), 'gatehouse-secrets-')); });
  after(() => rm(parent, { recursive: true, force: true }));

  const mode = async (file) => (await stat(file)).mode & 0o777;
  const underUmask022 = ['sh', '-c', 'umask 022; exec "$0" "$@"'];

  it('keeps the data directory and database private under umask 022, and refuses them shared', async () => {
    const dataDir = path.join(parent, 'modes');
    const gh = await startGatehouse({ dataDir, launcher: underUmask022 });
    await gh.stop();
    assert.equal(await mode(dataDir), 0o700);
    for (const file of ['gatehouse.db', 'gatehouse.db-wal', 'gatehouse.db-shm']) {
      const p = path.join(dataDir, file);
      if (existsSync(p)) assert.equal(await mode(p), 0o600, file);
    }
    await chmod(path.join(dataDir, 'gatehouse.db'), 0o644);
    await assert.rejects(startGatehouse({ dataDir, launcher: underUmask022 }),
      /gatehouse\.db is accessible to other users \(mode 644\).*chmod 600/s);
  });

  it('stores private keys encrypted when given a key, and will not start without it', async () => {
    const dataDir = path.join(parent, 'sealed');
    const key = randomBytes(32).toString('base64url');
    const withKey = { GATEHOUSE_KEYS_ENCRYPTION_KEY: key };
    const first = await startGatehouse({ dataDir, env: withKey });
    const kids = (await (await fetch(`${first.issuer}/jwks`)).json()).keys.map((k) => k.kid).sort();
    await first.stop();
    for (const file of ['gatehouse.db', 'gatehouse.db-wal']) {
      const p = path.join(dataDir, file);
      if (existsSync(p)) assert.ok(!(await readFile(p)).includes('PRIVATE KEY'), `${file} holds a plaintext key`);
    }
    await assert.rejects(startGatehouse({ dataDir }), /signing keys are encrypted/);
    await assert.rejects(
      startGatehouse({ dataDir, env: { GATEHOUSE_KEYS_ENCRYPTION_KEY: randomBytes(32).toString('base64url') } }),
      /does not decrypt/);
    const again = await startGatehouse({ dataDir, env: withKey });
    try {
      const same = (await (await fetch(`${again.issuer}/jwks`)).json()).keys.map((k) => k.kid).sort();
      assert.deepEqual(same, kids);
    } finally {
      await again.stop();
    }
  });
});

describe('command line', () => {
  it('prints an action\'s options with --help, required options or not', async () => {
    for (const [command, action, option] of [['client', 'add', '--redirect-uri'], ['session', 'revoke', '--sid'],
      ['user', 'add', '--username']]) {
      const { stdout } = await run(process.env.GATEHOUSE_BIN, [command, action, '--help']);
      assert.match(stdout, new RegExp(`Usage: gatehouse ${command} ${action}`));
      assert.ok(stdout.includes(option), `${command} ${action} --help lists ${option}`);
    }
  });
});

describe('offline access', () => {
  let gh;
  let meta;
  before(async () => {
    gh = await startGatehouse({ users: [USER], clients: [{ id: CLIENT, secret: SECRET }] });
    meta = await fetchMetadata(gh.issuer);
  });
  after(() => gh?.stop());

  async function authorizeWithConsent(jar, params, consent) {
    const { url, verifier } = authorizeUrl(meta, params);
    const first = await browse(url, jar);
    assert.equal(new URL(first.headers.get('location'), gh.issuer).pathname, '/consent',
      'offline_access asks first');
    return { callback: await followAuthorization(url, { jar, consent }), verifier };
  }

  it('asks before granting offline_access, and an admin can end the grant explicitly', async () => {
    const jar = new CookieJar();
    // Sign in first (no offline access), then ask for it.
    const plain = authorizeUrl(meta);
    await signIn(plain.url, USER.username, USER.password, jar);
    const refused = await authorizeWithConsent(jar, { scope: 'openid offline_access' }, 'deny');
    const without = await redeem(meta, refused.callback, refused.verifier);
    assert.equal(without.json.scope, 'openid', 'refused: no offline_access');

    const allowed = await authorizeWithConsent(jar, { scope: 'openid offline_access', prompt: 'consent' }, 'allow');
    const offline = await redeem(meta, allowed.callback, allowed.verifier);
    assert.equal(offline.json.scope, 'openid offline_access');

    const refresh = (token) => post(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: token },
      { authorization: basicAuth(CLIENT, SECRET) });
    await gh.cli(['session', 'revoke', '--user', USER.username]);
    const survived = await refresh(offline.json.refresh_token);
    assert.equal(survived.status, 200, 'a plain revoke keeps the offline grant (Back-Channel §2.7)');

    await gh.cli(['session', 'revoke', '--user', USER.username, '--include-offline']);
    const ended = await refresh(survived.json.refresh_token);
    assert.equal(ended.json?.error, 'invalid_grant', 'an explicit revoke ends it');

    // The consent itself is remembered until withdrawn.
    const listed = JSON.parse(await gh.cli(['consent', 'list', '--user', USER.username, '--json']));
    assert.deepEqual(listed.consents.map((c) => c.client_id), [CLIENT]);
    await gh.cli(['consent', 'revoke', '--user', USER.username, '--client', CLIENT]);
    assert.deepEqual(JSON.parse(await gh.cli(['consent', 'list', '--user', USER.username, '--json'])).consents, []);
  });
});
