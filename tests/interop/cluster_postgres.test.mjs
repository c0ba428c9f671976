// Three Gatehouse nodes on one PostgreSQL database behind nginx, round-robin, as
// docs/DEPLOYMENT.md runs them: flows cross nodes, the database restarts under load, a node dies
// in the middle of a fan-out — and no sign-out is lost.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import {
  CookieJar, SECRET, USER, assertHealthy, browse, startGatehouse, until,
} from './harness.mjs';
import { POST_LOGOUT, decodePayload, startReceiver } from './federation_support.mjs';
import {
  authorize, configureThrough, expectFanOutSurvivesKill, expectOneKeySet, startSlowReceivers,
} from './cluster_support.mjs';
import { freePort, startNginx, startPostgres } from './deployment_support.mjs';

const NODES = ['port-a', 'port-b', 'port-c'];

/**
 * A deployment: PostgreSQL, three nodes (`users` and `clients` registered through the first),
 * nginx in front. `env` adds settings for every node. Returns {pg, nodes, front, stop()}.
 */
async function startDeployment({ env = {}, users = [USER], clients = [] } = {}) {
  const pg = await startPostgres();
  const nodes = [];
  let front;
  try {
    const port = await freePort();
    const nodeEnv = {
      GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`,
      GATEHOUSE_STORE_BACKEND: 'postgres',
      GATEHOUSE_STORE_URL: pg.url,
      GATEHOUSE_SERVER_TRUSTED_PROXIES: '127.0.0.1',
      ...env,
    };
    nodes.push(await startGatehouse({ env: nodeEnv, node: NODES[0], users, clients }));
    for (const node of NODES.slice(1)) nodes.push(await startGatehouse({ env: nodeEnv, node }));
    front = await startNginx({ port, ports: nodes.map((n) => n.port) });
  } catch (error) {
    for (const node of nodes) await node.stop().catch(() => {});
    await pg.destroy();
    throw error;
  }
  const stop = async () => {
    await front?.stop();
    for (const node of nodes) await node.stop().catch(() => {});
    await pg.destroy();
  };
  return { pg, nodes, front, stop };
}

/**
 * Every response that came through `front` while the returned recorder is on: {method, path,
 * status, node}. openid-client and the harness both call the global fetch.
 */
function recordThrough(front) {
  const served = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const res = await realFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin === front.url) {
      served.push({ method: init.method ?? input.method ?? 'GET', path: url.pathname,
        status: res.status, node: front.nodeOf(res) });
    }
    return res;
  };
  return { served, restore: () => { globalThis.fetch = realFetch; } };
}

describe('Nodes starting together on an empty PostgreSQL database', () => {
  it('agree on one signing key per algorithm', async () => {
    const pg = await startPostgres();
    const env = { GATEHOUSE_STORE_BACKEND: 'postgres', GATEHOUSE_STORE_URL: pg.url };
    const started = await Promise.allSettled(NODES.map((node) => startGatehouse({ env, node })));
    const nodes = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
    try {
      assert.equal(nodes.length, 3, started.map((s) => s.reason?.message).join('\n'));
      await expectOneKeySet(nodes);
      assert.equal(await pg.sql('SELECT count(*) FROM signing_keys'), '2');
    } finally {
      for (const node of nodes) await node.stop();
      await pg.destroy();
    }
  });
});

describe('Three nodes on PostgreSQL behind nginx', () => {
  let deployment;
  let receivers = [];
  let recorder;

  before(async () => {
    receivers = [await startReceiver(), await startReceiver()];
    deployment = await startDeployment({
      // Key rotation is picked up by each node's upkeep: once a second here.
      env: { GATEHOUSE_SERVER_MAINTENANCE_INTERVAL_SECONDS: '1' },
      clients: receivers.map((receiver, i) => ({
        id: `app${i + 1}`, secret: SECRET, postLogoutRedirectUris: [POST_LOGOUT],
        backchannelLogoutUri: receiver.url,
      })),
    });
    recorder = recordThrough(deployment.front);
  });

  after(async () => {
    recorder?.restore();
    await deployment?.stop();
    for (const receiver of receivers) receiver.close();
  });

  const configure = (clientId) => configureThrough(deployment.front, clientId);
  const lastServed = (method, path) =>
    recorder.served.filter((s) => s.method === method && s.path === path).at(-1);

  // nginx's one worker takes the nodes in turn: after a request that node i answered, the next
  // goes to i + 1. Cheap requests move the turn on until `node` is next.
  async function nextRequestTo(node) {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${deployment.front.url}/healthz`);
      if ((deployment.front.nodeOf(res) + 1) % 3 === node) return;
    }
    assert.fail(`nginx does not take the nodes in turn: ${JSON.stringify(recorder.served.slice(-3))}`);
  }

  async function signOut(config, idToken, jar) {
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT, state: 'bye',
    });
    let res = await browse(logout, jar);
    for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400; hop++) {
      const next = new URL(res.headers.get('location'), logout);
      if (next.origin !== deployment.front.url) break;
      res = await browse(next, jar);
    }
    return res;
  }

  it('openid-client signs in, redeems and refreshes on different nodes, signs out on a third: every app is told', async () => {
    const app1 = await configure('app1');
    const app2 = await configure('app2');
    const jar = new CookieJar();
    const first = await authorize(app1, jar);
    const signIn = lastServed('POST', '/login').node;
    await nextRequestTo((signIn + 1) % 3);
    const tokens = await oidc.authorizationCodeGrant(app1, first.callback, first.checks);
    const redeem = lastServed('POST', '/token').node;
    // app2 joins the session by single sign-on, wherever its requests land.
    const second = await authorize(app2, jar);
    await oidc.authorizationCodeGrant(app2, second.callback, second.checks);
    await nextRequestTo((redeem + 1) % 3);
    const refreshed = await oidc.refreshTokenGrant(app1, tokens.refresh_token);
    const refresh = lastServed('POST', '/token').node;
    assert.equal(decodePayload(refreshed.id_token).sid, tokens.claims().sid);

    const third = [0, 1, 2].find((n) => n !== signIn && n !== redeem);
    await nextRequestTo(third);
    const res = await signOut(app1, tokens.id_token, jar);
    assert.equal(res.headers.get('location'), `${POST_LOGOUT}?state=bye`);
    const logout = lastServed('GET', '/logout').node;

    assert.notEqual(redeem, signIn, 'the code is redeemed on another node than the sign-in');
    assert.notEqual(refresh, redeem, 'the refresh lands on another node than the redemption');
    assert.equal(logout, third, 'the sign-out lands on the third node');
    const sid = tokens.claims().sid;
    for (const receiver of receivers) {
      const [token] = await until('each app to get its logout token', () =>
        receiver.tokens.length > 0 && receiver.tokens);
      assert.equal(decodePayload(token).sid, sid);
    }
  });

  it("sees each person's own address behind nginx, not nginx's", async () => {
    const app1 = await configure('app1');
    const inner = globalThis.fetch;
    // As if the browser were at 198.51.100.23: nginx appends the address it sees, here the test's
    // own loopback address, which is trusted like nginx's; the hop before it is the person.
    globalThis.fetch = (input, init = {}) =>
      inner(input, { ...init, headers: { ...init.headers, 'x-forwarded-for': '198.51.100.23' } });
    try {
      await authorize(app1, new CookieJar());
    } finally {
      globalThis.fetch = inner;
    }
    const logs = deployment.nodes.map((n) => n.output()).join('\n');
    assert.match(logs, /"remote":"198\.51\.100\.23"/, 'the sign-in is logged with the person\'s address');
  });

  it('picks up a key rotation on every node', async () => {
    const kidsOf = async (node) =>
      (await (await fetch(`${node.url}/jwks`)).json()).keys.map((k) => k.kid);
    const before = new Set(await kidsOf(deployment.nodes[0]));
    await deployment.nodes[0].cli(['keys', 'rotate', '--now']);
    for (const node of deployment.nodes) {
      await until(`node ${node.port} to publish the new keys`, async () =>
        (await kidsOf(node)).filter((kid) => !before.has(kid)).length === 2);
    }
    // And signs with them, wherever the token request lands.
    const app1 = await configure('app1');
    const fresh = new Set((await kidsOf(deployment.nodes[0])).filter((kid) => !before.has(kid)));
    for (let i = 0; i < 3; i++) {
      const { callback, checks } = await authorize(app1, new CookieJar());
      const tokens = await oidc.authorizationCodeGrant(app1, callback, checks);
      const { kid } = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url'));
      assert.ok(fresh.has(kid), `ID token ${i} is signed with a new key, not ${kid}`);
    }
  });

  it('rides out a database restart under sign-ins and sign-outs: 503 meanwhile, nothing lost', async (t) => {
    const app1 = await configure('app1');
    const signedOut = [];  // sessions whose sign-out the app was told succeeded
    const failures = [];
    let unavailable = 0;
    let completedAfterRestart = 0;
    let restarted = false;
    let running = true;

    // One person after another signs in to app1, redeems the code and signs out.
    const person = async () => {
      while (running) {
        const from = recorder.served.length;
        try {
          const jar = new CookieJar();
          const { callback, checks } = await authorize(app1, jar);
          const tokens = await oidc.authorizationCodeGrant(app1, callback, checks);
          const res = await signOut(app1, tokens.id_token, jar);
          assert.equal(res.headers.get('location'), `${POST_LOGOUT}?state=bye`, `sign-out: ${res.status}`);
          signedOut.push(tokens.claims().sid);
          if (restarted) completedAfterRestart++;
        } catch (error) {
          // Refused during the outage is the contract; failing any other way is not.
          if (recorder.served.slice(from).some((s) => s.status === 503)) unavailable++;
          else failures.push(error.message);
          await sleep(100);
        }
      }
    };
    const people = [person(), person()];
    await until('sign-outs before the restart', () => signedOut.length >= 3, { timeoutMs: 60_000 });
    await deployment.pg.stop();
    await sleep(2000);
    await deployment.pg.start();
    restarted = true;
    await until('sign-outs after the restart', () => completedAfterRestart >= 4, { timeoutMs: 60_000 });
    running = false;
    await Promise.all(people);

    const serverErrors = recorder.served.filter((s) => s.status >= 500 && s.status !== 503);
    assert.deepEqual(serverErrors, [], 'only 503 while the database is away');
    assert.deepEqual(failures, []);
    assert.ok(unavailable > 0, 'some requests met the outage');
    t.diagnostic(`${signedOut.length} sign-outs, ${unavailable} flows refused with 503 during the outage`);
    // Every sign-out the app was told succeeded reaches it by the back channel.
    await until('a logout token for every sign-out', () => {
      const heard = new Set(receivers[0].tokens.map((x) => decodePayload(x).sid));
      return signedOut.every((sid) => heard.has(sid));
    }, { timeoutMs: 60_000 });
    for (const node of deployment.nodes) await assertHealthy(node);
  });
});

describe('Nodes killed in the middle of a fan-out, on PostgreSQL', () => {
  // The issue's thousand participants: on PostgreSQL they are set up in one statement.
  const PARTICIPANTS = Number(process.env.GATEHOUSE_CLUSTER_PARTICIPANTS ?? 1000);

  it('loses no logout token: the last node finishes once their leases run out', async (t) => {
    const receivers = await startSlowReceivers(PARTICIPANTS, 1000);
    const deployment = await startDeployment({
      env: {
        GATEHOUSE_LOGOUT_DELIVERY_CONNECT_TIMEOUT_MS: '500',
        GATEHOUSE_LOGOUT_DELIVERY_TIMEOUT_MS: '1500',
        GATEHOUSE_LOGOUT_DELIVERY_LEASE_SECONDS: '6',
      },
      clients: [{ id: 'rp0', secret: SECRET, backchannelLogoutUri: receivers.url(0) }],
    });
    const { pg, nodes, front } = deployment;
    try {
      const config = await configureThrough(front, 'rp0');
      const jar = new CookieJar();
      const { callback, checks } = await authorize(config, jar);
      const tokens = await oidc.authorizationCodeGrant(config, callback, checks);
      const sid = tokens.claims().sid;
      // The other apps of the session, registered and joined in the database directly: a
      // thousand sign-ins would test sign-in, not the fan-out.
      const backchannel = receivers.url(0).replace(/\/0$/, '/');
      await pg.sql(`
        INSERT INTO clients (id, name, frontchannel_logout_session_required, backchannel_logout_uri,
          backchannel_logout_session_required, id_token_signed_response_alg, created_at)
        SELECT 'rp' || i, 'RP ' || i, false, '${backchannel}' || i, true, 'RS256', 0
        FROM generate_series(1, ${PARTICIPANTS - 1}) i;
        INSERT INTO participants (sid, client_id, protocol, first_seen_at, last_seen_at)
        SELECT '${sid}', 'rp' || i, 'oidc', 0, 0 FROM generate_series(1, ${PARTICIPANTS - 1}) i;`);

      const logout = new URL(`${front.url}/logout`);
      logout.search = new URLSearchParams({ id_token_hint: tokens.id_token });
      const res = await browse(logout, jar);
      assert.ok(res.status < 400, `sign-out: ${res.status}`);
      // Every node woke (LISTEN/NOTIFY) and claimed a share, at most 512 rows each: once more
      // than 512 tokens arrived, the nodes other than the survivor have some in flight.
      const survivor = (front.nodeOf(res) + 2) % 3;
      await expectFanOutSurvivesKill({
        t, sid, receivers, participants: PARTICIPANTS, survivor: nodes[survivor],
        kill: () => Promise.all(nodes.filter((_, i) => i !== survivor).map((n) => n.kill())),
        killed: 2,
        killAfterArrivals: Math.min(513, PARTICIPANTS),
      });
    } finally {
      await deployment.stop();
      receivers.close();
    }
  });
});
