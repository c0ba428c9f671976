// Hostile and mistaken requests against the real server, sent with plain fetch so that the exact
// status, headers and body are judged. After every case the server must still be healthy.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CookieJar, REDIRECT_URI, SECRET, USER, assertHealthy, basicAuth, browse, fetchMetadata,
  followAuthorization, post, rawRequest, signIn, startGatehouse,
} from './harness.mjs';

const CLIENT = 'rp-negative';
const OTHER_CLIENT = 'rp-other';
const CLIENTS = [{ id: CLIENT, secret: SECRET }, { id: OTHER_CLIENT, secret: SECRET }];
const AUTH = { authorization: basicAuth(CLIENT, SECRET) };

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

// An authorization request for CLIENT; `extra` adds or overrides parameters.
function authorizeUrl(meta, challenge, extra = {}) {
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT_URI,
    scope: 'openid offline_access',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return url;
}

// Signs in and returns {code, verifier} for a fresh authorization.
async function authorize(meta) {
  const { verifier, challenge } = pkce();
  const callback = await signIn(authorizeUrl(meta, challenge), USER.username, USER.password);
  const code = callback.searchParams.get('code');
  assert.ok(code, `no code in ${callback}`);
  return { code, verifier };
}

const exchange = (meta, code, verifier, auth = AUTH) => post(meta.token_endpoint, {
  grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier,
}, auth);

const introspect = async (meta, token) =>
  (await post(meta.introspection_endpoint, { token }, AUTH)).json;

function assertOAuthError(res, status, error) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.error, error, res.text);
  assert.match(res.headers.get('cache-control') ?? '', /no-store/, 'errors are not cached');
}

// RFC 6749 §4.1.2.1: without a trusted client and redirect_uri the error is shown, not redirected.
async function assertErrorPage(res, what) {
  assert.equal(res.status, 400, what);
  assert.equal(res.headers.get('location'), null, what);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, what);
  await res.body?.cancel();
}

describe('negative cases', () => {
  let gh;
  let meta;
  before(async () => {
    gh = await startGatehouse({ users: [USER], clients: CLIENTS });
    meta = await fetchMetadata(gh.issuer);
  });
  after(() => gh?.stop());
  afterEach(() => assertHealthy(gh));

  it('refuses an unregistered redirect_uri with a 400 page and no redirect', async () => {
    const { challenge } = pkce();
    const bad = authorizeUrl(meta, challenge, { redirect_uri: 'https://attacker.example/cb' });
    const jar = new CookieJar();
    // Before and after signing in: neither the login page nor the attacker may be redirected to.
    for (const when of ['signed out', 'signed in']) {
      if (when === 'signed in') await signIn(authorizeUrl(meta, challenge), USER.username, USER.password, jar);
      await assertErrorPage(await browse(bad, jar), when);
    }
  });

  it('refuses a replayed code and revokes what the first exchange issued', async () => {
    const { code, verifier } = await authorize(meta);
    const first = await exchange(meta, code, verifier);
    assert.equal(first.status, 200, first.text);
    assert.equal((await introspect(meta, first.json.access_token)).active, true);

    assertOAuthError(await exchange(meta, code, verifier), 400, 'invalid_grant');
    assert.equal((await introspect(meta, first.json.access_token)).active, false,
      'RFC 6749 §4.1.2: tokens from a replayed code are revoked');
    if (first.json.refresh_token)
      assert.equal((await introspect(meta, first.json.refresh_token)).active, false, 'refresh token too');
  });

  it('revokes the whole grant when a rotated-out refresh token comes back', async () => {
    const { code, verifier } = await authorize(meta);
    const first = (await exchange(meta, code, verifier)).json;
    const refresh = (token) => post(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: token }, AUTH);
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200, second.text);
    assert.notEqual(second.json.refresh_token, first.refresh_token, 'refresh tokens rotate');

    // RFC 9700 §4.14.2: two parties hold the old token, so neither keeps the grant.
    assertOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
    assert.equal((await introspect(meta, second.json.access_token)).active, false);
    assertOAuthError(await refresh(second.json.refresh_token), 400, 'invalid_grant');
  });

  it('refuses a wrong PKCE verifier', async () => {
    const { code } = await authorize(meta);
    assertOAuthError(await exchange(meta, code, pkce().verifier), 400, 'invalid_grant');
  });

  it('refuses a wrong client secret with 401 and a challenge', async () => {
    const res = await post(meta.token_endpoint, { grant_type: 'client_credentials' },
      { authorization: basicAuth(CLIENT, `${SECRET}-wrong`) });
    assertOAuthError(res, 401, 'invalid_client');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic\b/i, 'RFC 6749 §5.2');
  });

  it('refuses a form body with bad percent-encoding', async () => {
    const res = await post(meta.token_endpoint, 'grant_type=client_credentials&scope=%zz%',
      { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' });
    assertOAuthError(res, 400, 'invalid_request');
  });

  it('refuses a JSON body at the token endpoint', async () => {
    const res = await post(meta.token_endpoint, JSON.stringify({ grant_type: 'client_credentials' }),
      { ...AUTH, 'content-type': 'application/json' });
    assertOAuthError(res, 400, 'invalid_request');
  });

  it('refuses a 64 KiB header with 431 or a close, without hanging', async () => {
    const request = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${gh.port}\r\n` +
      `X-Padding: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`;
    const { received, how } = await rawRequest(gh.port, request);
    assert.notEqual(how, 'timeout', `server neither answered nor closed; got ${JSON.stringify(received.slice(0, 200))}`);
    if (received) assert.match(received, /^HTTP\/1\.1 431 /);
  });

  it('lets exactly one of many concurrent exchanges of a code succeed', async () => {
    const { code, verifier } = await authorize(meta);
    const results = await Promise.all(Array.from({ length: 8 }, () => exchange(meta, code, verifier)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 400, 400, 400, 400, 400, 400, 400], results.map((r) => r.text).join('\n'));
  });

  it('refuses a code redeemed by another client', async () => {
    const { code, verifier } = await authorize(meta);
    const res = await exchange(meta, code, verifier, { authorization: basicAuth(OTHER_CLIENT, SECRET) });
    assertOAuthError(res, 400, 'invalid_grant');
  });

  it("does not let another client revoke a client's tokens", async () => {
    const { code, verifier } = await authorize(meta);
    const tokens = (await exchange(meta, code, verifier)).json;
    const other = { authorization: basicAuth(OTHER_CLIENT, SECRET) };
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      const res = await post(meta.revocation_endpoint, { token }, other);
      // RFC 7009 §2.1: refused (Gatehouse: 400 unauthorized_client), or 200 without effect.
      assert.ok([200, 400].includes(res.status), res.text);
      assert.equal((await introspect(meta, token)).active, true, 'still active');
    }
  });

  it('refuses an unknown client_id with a 400 page and no redirect', async () => {
    await assertErrorPage(await browse(authorizeUrl(meta, pkce().challenge, { client_id: 'nobody' }), new CookieJar()));
  });

  it('answers userinfo with an unknown token with 401 and a Bearer challenge', async () => {
    const res = await fetch(meta.userinfo_endpoint, { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b.*error="invalid_token"/);
    await res.body?.cancel();
  });

  it('refuses a sign-in without the CSRF cookie', async () => {
    const res = await post(new URL('/login', gh.issuer), {
      csrf_token: 'x'.repeat(43), return_to: '/', username: USER.username, password: USER.password,
    });
    assert.equal(res.status, 403);
    assert.ok(!(res.headers.get('set-cookie') ?? '').includes('gh_session'), 'no session was started');
  });

  it('does not let return_to leave the server', async () => {
    for (const target of ['//attacker.example/x', '/\\attacker.example', 'https://attacker.example/']) {
      const res = await fetch(new URL(`/login?return_to=${encodeURIComponent(target)}`, gh.issuer));
      const html = await res.text();
      assert.match(html, /name="return_to" value="\/"/, target);
    }
  });

  // Requests no well-behaved client sends; each must get the status, never a hang or a crash.
  const malformed = [
    ['5,000 header fields', 431, `GET /healthz HTTP/1.1\r\nHost: h\r\n${'X-A: b\r\n'.repeat(5000)}\r\n`],
    ['a 200 KB body', 413, `POST /token HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: 200000\r\n\r\n${'a'.repeat(200_000)}`],
    ['a chunked body over the limit', 413, `POST /token HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `${`10000\r\n${'a'.repeat(0x10000)}\r\n`.repeat(2)}0\r\n\r\n`],
    ['Content-Length with Transfer-Encoding', 400, `POST /token HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n` +
      `Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['an unknown HTTP version', 400, 'GET /healthz HTTP/9.9\r\n\r\n'],
    ['a TLS handshake on the plain port', 400, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'],
  ];
  for (const [name, status, bytes] of malformed) {
    it(`answers ${name} with ${status}`, async () => {
      const { received, how } = await rawRequest(gh.port, bytes);
      assert.notEqual(how, 'timeout', `no answer and no close; got ${JSON.stringify(received.slice(0, 200))}`);
      if (received || status !== 431) assert.match(received, new RegExp(`^HTTP/1\\.1 ${status} `));
    });
  }

  it('answers prompt=none without a session with login_required, state and iss', async () => {
    const { challenge } = pkce();
    const url = authorizeUrl(meta, challenge, { prompt: 'none', state: 'xyz-state' });
    const callback = await followAuthorization(url);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
    assert.equal(callback.searchParams.get('error'), 'login_required');
    assert.equal(callback.searchParams.get('state'), 'xyz-state');
    assert.equal(callback.searchParams.get('iss'), gh.issuer);
    assert.equal(callback.searchParams.get('code'), null);
  });
});

describe('expired authorization code', () => {
  let gh;
  before(async () => {
    gh = await startGatehouse({
      users: [USER],
      clients: CLIENTS,
      env: { GATEHOUSE_TOKENS_CODE_TTL_SECONDS: '5' }, // the smallest TTL the server accepts
    });
  });
  after(() => gh?.stop());
  afterEach(() => assertHealthy(gh));

  it('refuses a code after its lifetime', async () => {
    const meta = await fetchMetadata(gh.issuer);
    const { code, verifier } = await authorize(meta);
    await sleep(6_000);
    assertOAuthError(await exchange(meta, code, verifier), 400, 'invalid_grant');
  });
});
