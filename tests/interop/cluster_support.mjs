// What the multi-node tests share (cluster.test.mjs on one SQLite file, cluster_postgres.test.mjs
// on PostgreSQL behind nginx): a load balancer the test steers, the browser part of a code flow,
// slow back-channel receivers, and the check that a fan-out survives the death of the node
// sending it.
import assert from 'node:assert/strict';
import http from 'node:http';
import * as oidc from 'openid-client';
import { REDIRECT_URI, SECRET, USER, followAuthorization, until } from './harness.mjs';
import { decodePayload } from './federation_support.mjs';

export const SCOPE = 'openid profile offline_access';

/**
 * An HTTP load balancer on 127.0.0.1: forwards each request to one of `nodes` (their ports) —
 * the pinned one, or the next in turn — and records which node served what.
 */
export async function startBalancer() {
  const balancer = { nodes: [], pinned: undefined, served: [] };
  let turn = 0;
  const server = http.createServer((req, res) => {
    const node = balancer.pinned ?? (turn++ % balancer.nodes.length);
    balancer.served.push({ node, method: req.method, path: new URL(req.url, 'http://x').pathname });
    const upstream = http.request({
      host: '127.0.0.1', port: balancer.nodes[node], method: req.method, path: req.url,
      headers: req.headers,
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  balancer.url = `http://127.0.0.1:${server.address().port}`;
  balancer.pin = (node) => { balancer.pinned = node; };
  balancer.roundRobin = () => { balancer.pinned = undefined; };
  balancer.nodesServing = (method, path) =>
    new Set(balancer.served.filter((s) => s.method === method && s.path === path).map((s) => s.node));
  balancer.close = () => server.close();
  return balancer;
}

/** openid-client for `clientId` (secret SECRET), with the issuer behind `front` (its `url`). */
export const configureThrough = (front, clientId) => oidc.discovery(new URL(front.url), clientId,
  {}, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });

/**
 * The browser part of a code flow in `jar` (signing in when it holds no session): the callback
 * URL and the PKCE verifier, state and nonce to redeem it with.
 */
export async function authorize(config, jar) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI, scope: SCOPE, state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await followAuthorization(url, { jar, credentials: USER });
  return { callback, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
}

/**
 * Asserts that `nodes`, started together on one empty store, publish one and the same key set:
 * one RS256 and one ES256 key.
 */
export async function expectOneKeySet(nodes) {
  const kids = await Promise.all(nodes.map(async (node) => {
    const jwks = await (await fetch(`${node.url}/jwks`)).json();
    return jwks.keys.map((k) => k.kid).sort().join(' ');
  }));
  assert.equal(new Set(kids).size, 1, `every node publishes the same keys: ${kids.join(' | ')}`);
  assert.equal(kids[0].split(' ').length, 2, 'one RS256 and one ES256 key');
}

/**
 * Back-channel logout receivers for `count` apps on one server (app i at /bc/i) that answer each
 * token after `delayMs`, so that a fan-out stays in flight for that long. Records, per app, the
 * tokens that reached it.
 */
export async function startSlowReceivers(count, delayMs) {
  const tokens = Array.from({ length: count }, () => []);
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      tokens[Number(req.url.split('/')[2])]?.push(new URLSearchParams(body).get('logout_token'));
      setTimeout(() => res.writeHead(200, { 'cache-control': 'no-store' }).end(), delayMs);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { tokens, url: (i) => `${base}/bc/${i}`, close: () => server.close() };
}

/**
 * Once a sign-out of session `sid` is fanning out to `receivers` (participant i is the client
 * `rp<i>`, of `participants`), kills the nodes sending it with `kill` (as a crash would) when
 * `killAfterArrivals` tokens have arrived, and checks that the others finish it — `survivor` runs
 * `gatehouse logout status` on the shared store — with every app told at least once, and more
 * often only as far as recorded attempts and the `killed` dead nodes explain: each may have had an
 * attempt at a row under way that it never recorded. Two dead nodes can both have tried one row:
 * on a loaded machine an attempt can outlast its node's lease, the other node takes the row over,
 * and the first one's outcome is refused (logout.lease_lost) — then both are killed.
 */
export async function expectFanOutSurvivesKill({
  t, sid, receivers, participants, survivor, kill, killed = 1, killAfterArrivals = 1,
}) {
  // The receivers answer a second after a token arrives: once `killAfterArrivals` have arrived,
  // the nodes to kill have deliveries in flight whose outcome they will never record.
  await until(`${killAfterArrivals} logout tokens to arrive`, () =>
    receivers.tokens.reduce((n, x) => n + x.length, 0) >= killAfterArrivals, { timeoutMs: 60_000 });
  await kill();

  // The outbox records every delivery (the dead node's rows once its leases ran out), and
  // every app has heard.
  let rows;
  await until('the outbox to record every delivery', async () => {
    ({ notifications: rows } = JSON.parse(await survivor.cli(['logout', 'status', '--sid', sid,
      '--json', '--limit', String(participants)])));
    return rows.length === participants && rows.every((n) => n.status === 'delivered');
  }, { timeoutMs: 120_000 });
  const attempts = new Map(rows.map((n) => [n.client_id, n.attempts]));
  receivers.tokens.forEach((tokens, i) => {
    assert.ok(tokens.length > 0, 'every app heard');
    assert.ok(tokens.every((x) => decodePayload(x).sid === sid));
    // At least once; beyond that, only the attempts the outbox recorded and those the dead nodes
    // had under way.
    assert.ok(tokens.length <= attempts.get(`rp${i}`) + killed,
      `rp${i}: ${tokens.length} deliveries, ${attempts.get(`rp${i}`)} attempts recorded`);
  });
  // The sender woke at once for its own sign-out and claimed its share of the fan-out: what it
  // had sent when it died was sent again by the others once its leases ran out.
  const twice = receivers.tokens.filter((x) => x.length === 2).length;
  t.diagnostic(`${twice} of ${participants} apps heard twice: the dead node's deliveries, made ` +
    'again by the others');
  assert.ok(twice > 0, 'the other nodes took over the leases of the dead one');
}
