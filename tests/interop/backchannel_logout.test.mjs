// OpenID Connect Back-Channel Logout 1.0 end to end: relying parties are real HTTP receivers on
// loopback ports, registered as backchannel_logout_uri; sign-outs are made by an operator
// (`gatehouse session revoke`), and every logout token that arrives is judged by jose with all
// the checks an RP makes (§2.6). The receivers fail in the ways RPs do — 503s, a closed port, an
// IdP killed mid-delivery — and every notification must still arrive.
import assert from 'node:assert/strict';
import http from 'node:http';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import {
  CookieJar, REDIRECT_URI, SECRET, USER, fetchMetadata, signIn, startGatehouse, until,
} from './harness.mjs';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
// Retries one second apart rather than the default two, so a test waits seconds, not minutes.
const FAST_RETRIES = {
  GATEHOUSE_LOGOUT_RETRY_FIRST_DELAY_SECONDS: '1',
  GATEHOUSE_LOGOUT_RETRY_MAX_DELAY_SECONDS: '2',
};

/**
 * An RP's back-channel logout endpoint on a loopback port. Records every request and answers it
 * with the next status of `script` (200 once the script is used up), with Cache-Control: no-store
 * as §2.8 asks. While `hanging`, requests are received but never answered.
 */
class Receiver {
  requests = []; // {method, contentType, params, status}
  hanging = false;
  #server;
  #script;

  constructor(script = []) {
    this.#script = [...script];
  }

  /** Listens on `port`, by default the one it had before (a receiver coming back up). */
  async listen(port = this.port ?? 0) {
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const request = { method: req.method, contentType: req.headers['content-type'], params: new URLSearchParams(body) };
        this.requests.push(request);
        if (this.hanging) return;
        request.status = this.#script.shift() ?? 200;
        res.writeHead(request.status, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise((resolve, reject) => {
      this.#server.once('error', reject).listen(port, '127.0.0.1', resolve);
    });
    this.port = this.#server.address().port;
    return this;
  }

  async close() {
    if (!this.#server?.listening) return;
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  get uri() {
    return `http://127.0.0.1:${this.port}/backchannel-logout?rp=1`;
  }

  /** Logout tokens this receiver accepted (answered 2xx). */
  accepted() {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300)
      .map((r) => r.params.get('logout_token'));
  }

  /** Waits until `predicate(this)` holds. */
  waitFor(what, predicate) {
    return until(what, () => predicate(this), {
      describe: () => `${this.requests.length} requests: ${this.requests.map((r) => r.status ?? 'unanswered')}`,
    });
  }
}

/** A receiver that is down: it had a port, and nothing listens there now. */
async function downReceiver() {
  const receiver = await new Receiver().listen();
  await receiver.close();
  return receiver;
}

/** An RP registered with gatehouse, with its receiver. */
const rp = (id, receiver, idTokenAlg = 'RS256') => ({
  id, secret: SECRET, idTokenAlg, backchannelLogoutUri: receiver.uri, receiver,
});

/**
 * Signs USER in to `client` through the code flow, in the browser session of `jar` (one sign-in
 * form per jar), so the client becomes a participant of that IdP session. Returns the ID token's
 * claims: `sid` names the session.
 */
async function signInTo(gh, client, jar) {
  const config = await oidc.discovery(new URL(gh.issuer), client.id,
    { id_token_signed_response_alg: client.idTokenAlg }, oidc.ClientSecretBasic(SECRET),
    { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await signIn(url, USER.username, USER.password, jar);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
  return tokens.claims();
}

/** Ends IdP session `sid` as an operator; the running server's dispatcher picks up the outbox. */
const revoke = (gh, sid) => gh.cli(['session', 'revoke', '--sid', sid]);

/** The outbox rows of `sid`, as `gatehouse logout status --json` reports them. */
async function notifications(gh, sid) {
  return JSON.parse(await gh.cli(['logout', 'status', '--sid', sid, '--json'])).notifications;
}

/** Waits until every outbox row of `sid` is in `status`; returns the rows. */
const settled = (gh, sid, status) => until(`notifications of ${sid} ${status}`, async () => {
  const rows = await notifications(gh, sid);
  return rows.length > 0 && rows.every((n) => n.status === status) && rows;
}, async () => JSON.stringify(await notifications(gh, sid)));

/**
 * Validates `token` as an RP must (Back-Channel Logout 1.0 §2.6) and returns its claims: the
 * signature against the OP's JWKS with the client's registered algorithm (never `none`), iss,
 * aud, iat and exp as for ID tokens, the explicit `logout+jwt` type, an `events` claim whose
 * back-channel-logout member is a JSON object, `sub` and/or `sid`, and no `nonce`.
 */
async function validateLogoutToken(token, { issuer, jwks, client }) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
    issuer,
    audience: client.id,
    algorithms: [client.idTokenAlg],
    typ: 'logout+jwt',
    requiredClaims: ['iat', 'exp', 'jti', 'events'],
    maxTokenAge: '2 minutes',
  });
  assert.ok(protectedHeader.kid, 'the header names the key');
  const event = payload.events?.[LOGOUT_EVENT];
  assert.ok(event !== null && typeof event === 'object' && !Array.isArray(event),
    `events[${LOGOUT_EVENT}] is a JSON object: ${JSON.stringify(payload.events)}`);
  assert.ok(typeof payload.sid === 'string' || typeof payload.sub === 'string', 'sub and/or sid');
  assert.equal(payload.nonce, undefined, 'a logout token never has a nonce');
  assert.ok(payload.exp > payload.iat && payload.exp - payload.iat <= 120,
    `short-lived: iat ${payload.iat}, exp ${payload.exp}`);
  return payload;
}

/** Validates every token `client`'s receiver accepted against `gh`'s keys; returns their claims. */
async function acceptedClaims(gh, client) {
  const jwks = jose.createRemoteJWKSet(new URL((await fetchMetadata(gh.issuer)).jwks_uri));
  return Promise.all(client.receiver.accepted()
    .map((token) => validateLogoutToken(token, { issuer: gh.issuer, jwks, client })));
}

describe('back-channel logout delivery', () => {
  const ok = new Receiver();
  const okEs = new Receiver();
  const flaky = new Receiver([503, 503]);
  const rejecting = new Receiver([400]);
  let down;
  let clients;
  let gh;

  before(async () => {
    for (const r of [ok, okEs, flaky, rejecting]) await r.listen();
    down = await downReceiver();
    clients = {
      ok: rp('rp-bcl-rs256', ok),
      okEs: rp('rp-bcl-es256', okEs, 'ES256'),
      flaky: rp('rp-bcl-flaky', flaky),
      rejecting: rp('rp-bcl-rejecting', rejecting),
      down: rp('rp-bcl-down', down),
    };
    gh = await startGatehouse({ users: [USER], clients: Object.values(clients), env: FAST_RETRIES });
  });
  after(async () => {
    await gh?.stop();
    for (const r of [ok, okEs, flaky, rejecting, down]) await r?.close();
  });

  it('POSTs each participant a logout token that passes every RP check of §2.6', async () => {
    const meta = await fetchMetadata(gh.issuer);
    assert.equal(meta.backchannel_logout_supported, true);
    assert.equal(meta.backchannel_logout_session_supported, true, 'sid in logout tokens');
    const jar = new CookieJar();
    const idToken = await signInTo(gh, clients.ok, jar);
    assert.equal((await signInTo(gh, clients.okEs, jar)).sid, idToken.sid, 'one IdP session');
    await revoke(gh, idToken.sid);

    for (const client of [clients.ok, clients.okEs]) {
      await client.receiver.waitFor(`${client.id}'s logout token`, (r) => r.accepted().length === 1);
      const [request] = client.receiver.requests;
      assert.equal(request.method, 'POST');
      assert.equal(request.contentType, 'application/x-www-form-urlencoded');
      assert.deepEqual([...request.params.keys()], ['logout_token']);
      const [claims] = await acceptedClaims(gh, client);
      assert.equal(claims.sid, idToken.sid);
      assert.equal(claims.sub, idToken.sub);
    }
    assert.equal((await settled(gh, idToken.sid, 'delivered')).length, 2);
  });

  it('retries a participant answering 503 until it accepts, with a fresh token each time', async () => {
    const { sid } = await signInTo(gh, clients.flaky, new CookieJar());
    await revoke(gh, sid);

    await flaky.waitFor('the third attempt', (r) => r.accepted().length === 1);
    assert.deepEqual(flaky.requests.map((r) => r.status), [503, 503, 200]);
    const tokens = flaky.requests.map((r) => r.params.get('logout_token'));
    assert.equal(new Set(tokens.map((t) => jose.decodeJwt(t).jti)).size, 3, 'a new jti per attempt');
    const [claims] = await acceptedClaims(gh, clients.flaky);
    assert.equal(claims.sid, sid);
    const [row] = await settled(gh, sid, 'delivered');
    assert.equal(row.attempts, 3);
  });

  it('delivers to a participant that was down once it comes back up', async () => {
    const { sid } = await signInTo(gh, clients.down, new CookieJar());
    await revoke(gh, sid);
    await until('an attempt on the closed port', async () => (await notifications(gh, sid))[0]?.attempts >= 1);

    await down.listen();
    await down.waitFor('the delivery after coming back up', (r) => r.accepted().length === 1);
    const [claims] = await acceptedClaims(gh, clients.down);
    assert.equal(claims.sid, sid);
    const [row] = await settled(gh, sid, 'delivered');
    assert.ok(row.attempts >= 2, `attempts: ${row.attempts}`);
  });

  it('gives up at once on a participant that rejects the token with 400', async () => {
    const { sid } = await signInTo(gh, clients.rejecting, new CookieJar());
    await revoke(gh, sid);
    const [row] = await settled(gh, sid, 'failed');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error, /^HTTP 400/);
    await sleep(2_500); // longer than a retry would wait
    assert.equal(rejecting.requests.length, 1, 'a rejected token is not resent (§2.5)');
  });
});

describe('back-channel logout across an IdP crash', () => {
  // A short lease, so that the claims the killed IdP held come back within seconds; the delivery
  // timeout stays below it, as the config requires.
  const env = {
    ...FAST_RETRIES,
    GATEHOUSE_LOGOUT_DELIVERY_LEASE_SECONDS: '3',
    GATEHOUSE_LOGOUT_DELIVERY_TIMEOUT_MS: '2500',
    GATEHOUSE_LOGOUT_DELIVERY_CONNECT_TIMEOUT_MS: '500',
  };
  const servers = [];
  const receivers = [];
  after(async () => {
    for (const s of servers) await s.stop(); // the killed one stays killed
    for (const r of receivers) await r.close();
    if (servers[0]) await rm(servers[0].dataDir, { recursive: true, force: true });
  });

  it('delivers every pending notification after a SIGKILL and restart', async () => {
    // One participant hangs (its deliveries are in flight, their claims leased, at the crash);
    // the other is down (its deliveries wait for a retry).
    const hanging = await new Receiver().listen();
    hanging.hanging = true;
    const down = await downReceiver();
    receivers.push(hanging, down);
    const clients = [rp('rp-crash-hanging', hanging), rp('rp-crash-down', down, 'ES256')];

    const first = await startGatehouse({ users: [USER], clients, env });
    servers.push(first);
    const sids = [];
    for (let i = 0; i < 2; i++) {
      const jar = new CookieJar();
      const { sid } = await signInTo(first, clients[0], jar);
      await signInTo(first, clients[1], jar);
      sids.push(sid);
    }
    for (const sid of sids) await revoke(first, sid);
    await hanging.waitFor('both deliveries in flight', (r) => r.requests.length >= 2);
    await first.kill();

    hanging.hanging = false;
    await down.listen();
    const second = await startGatehouse({ dataDir: first.dataDir, env });
    servers.push(second);

    for (const client of clients) {
      await client.receiver.waitFor(`${client.id}: a token per session`,
        (r) => new Set(r.accepted().map((t) => jose.decodeJwt(t).sid)).size === sids.length);
      const claims = await acceptedClaims(second, client);
      assert.deepEqual([...new Set(claims.map((c) => c.sid))].sort(), [...sids].sort());
    }
    // None lost, none given up: every row ends delivered (a resend after the crash is the
    // duplicate at-least-once delivery allows).
    for (const sid of sids) assert.equal((await settled(second, sid, 'delivered')).length, 2);
  });
});

describe('a session that expires', () => {
  // The shortest lifetime the configuration allows, looked for every second: the sweep, not a
  // browser coming back, must end the session and notify its participants.
  const lifetimeSeconds = 60;
  const env = {
    GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS: String(lifetimeSeconds),
    GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS: String(lifetimeSeconds),
    GATEHOUSE_SERVER_MAINTENANCE_INTERVAL_SECONDS: '1',
  };
  const receiver = new Receiver();
  let gh;
  after(async () => {
    await gh?.stop();
    await receiver.close();
  });

  it('ends on its own after its lifetime and sends its participants a logout token', async () => {
    await receiver.listen();
    const client = rp('rp-expiry', receiver);
    gh = await startGatehouse({ users: [USER], clients: [client], env });
    const { sid } = await signInTo(gh, client, new CookieJar());
    const signedIn = Date.now();

    const deadline = signedIn + (lifetimeSeconds + 30) * 1000;
    while (receiver.accepted().length === 0 && Date.now() < deadline) await sleep(250);
    const elapsed = (Date.now() - signedIn) / 1000;
    const [claims] = await acceptedClaims(gh, client);
    assert.ok(claims, `no logout token within ${lifetimeSeconds + 30} s of signing in`);
    assert.equal(claims.sid, sid);
    assert.ok(elapsed >= lifetimeSeconds - 1, `the session ended after ${elapsed} s, before its lifetime`);

    const { events } = JSON.parse(await gh.cli(['events', '--json']));
    const ended = events.find((e) => e.sid === sid && e.type === 'session.ended');
    assert.equal(ended?.detail.cause, 'expired');
  });
});
