// Interoperability: openid-client (a certified relying-party library) runs the full OpenID
// Connect code flow against the real server, and jose checks the ID token on its own, so that
// neither our code nor a single library is the only judge of the tokens.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CookieJar, REDIRECT_URI, SECRET, USER, fetchMetadata, signIn, startGatehouse,
} from './harness.mjs';

const SCOPE = 'openid profile email offline_access';
const AUTH_METHODS = {
  client_secret_basic: () => oidc.ClientSecretBasic(SECRET),
  client_secret_post: () => oidc.ClientSecretPost(SECRET),
  none: () => oidc.None(),
};
// Every client authentication method with every ID token algorithm, one registered client each.
const CASES = Object.keys(AUTH_METHODS).flatMap((method) =>
  ['RS256', 'ES256'].map((alg) => ({
    method,
    alg,
    id: `rp-${method.replaceAll('_', '-')}-${alg.toLowerCase()}`,
    confidential: method !== 'none',
  })));

// OpenID Connect Core §3.1.3.6: base64url of the left half of the SHA-256 of the access token.
const atHash = (accessToken) =>
  jose.base64url.encode(createHash('sha256').update(accessToken).digest().subarray(0, 16));

// openid-client reports server errors as ResponseBodyError; this returns its `error` code.
async function oauthError(promise) {
  try {
    await promise;
  } catch (e) {
    return e.error ?? e.cause?.error ?? e.code;
  }
  assert.fail('expected the request to be refused');
}

describe('openid-client and jose against gatehouse', () => {
  let gh;
  before(async () => {
    gh = await startGatehouse({
      users: [USER],
      clients: [...CASES.map((c) => ({
        id: c.id,
        secret: c.confidential ? SECRET : undefined,
        idTokenAlg: c.alg,
      })),
      { id: 'rp-code-only', secret: SECRET, grantTypes: ['authorization_code'] },
      { id: 'svc-only', secret: SECRET, grantTypes: ['client_credentials'] }],
    });
  });
  after(() => gh?.stop());

  const configure = ({ id, alg, method }) =>
    oidc.discovery(new URL(gh.issuer), id, { id_token_signed_response_alg: alg },
      AUTH_METHODS[method](), { execute: [oidc.allowInsecureRequests] });

  it('publishes discovery metadata and a public-only JWKS', async () => {
    const meta = await fetchMetadata(gh.issuer);
    assert.equal(meta.issuer, gh.issuer);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint',
      'jwks_uri', 'revocation_endpoint', 'introspection_endpoint'])
      assert.ok(meta[endpoint]?.startsWith(`${gh.issuer}/`), `${endpoint}: ${meta[endpoint]}`);
    assert.ok(meta.code_challenge_methods_supported.includes('S256'));
    for (const alg of ['RS256', 'ES256'])
      assert.ok(meta.id_token_signing_alg_values_supported.includes(alg), alg);
    for (const method of Object.keys(AUTH_METHODS))
      assert.ok(meta.token_endpoint_auth_methods_supported.includes(method), method);

    const jwks = await (await fetch(meta.jwks_uri)).json();
    const algs = jwks.keys.map((k) => k.alg);
    assert.ok(algs.includes('RS256') && algs.includes('ES256'), `JWKS algs: ${algs}`);
    for (const key of jwks.keys) {
      assert.ok(key.kid, 'every key has a kid');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        assert.equal(key[secret], undefined, `JWKS leaks private member ${secret}`);
    }
  });

  // One authorization code flow as a relying party runs it: PKCE, state and nonce, a browser
  // sign-in (skipped by the IdP when `jar` already holds a fresh session), and the code exchange
  // with openid-client's checks. `extra` adds authorization request parameters.
  async function codeFlow(config, { jar = new CookieJar(), extra = {} } = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    const callback = await signIn(url, USER.username, USER.password, jar);
    assert.equal(callback.searchParams.get('iss'), gh.issuer, 'RFC 9207 iss in the response');
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    return { tokens, nonce };
  }

  for (const c of CASES) {
    it(`${c.method} client, ${c.alg} ID token: code flow with PKCE, userinfo, refresh, revoke`, async () => {
      const config = await configure(c);
      const { tokens, nonce } = await codeFlow(config);
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.refresh_token, 'offline_access was granted a refresh token');
      const { sub } = tokens.claims();

      // The same ID token, judged by jose against the published keys alone.
      const jwks = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
      const { payload, protectedHeader } = await jose.jwtVerify(tokens.id_token, jwks, {
        issuer: gh.issuer,
        audience: c.id,
        algorithms: [c.alg],
      });
      assert.ok(protectedHeader.kid, 'ID token names its key');
      assert.equal(payload.sub, sub);
      assert.equal(payload.nonce, nonce);
      assert.equal(payload.at_hash, atHash(tokens.access_token));
      assert.ok(typeof payload.sid === 'string' && payload.sid.length > 0, 'sid claim');
      assert.ok(Number.isInteger(payload.auth_time), 'auth_time claim');
      assert.ok(payload.auth_time <= payload.iat && payload.iat - payload.auth_time < 300,
        `auth_time ${payload.auth_time} vs iat ${payload.iat}`);

      const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
      assert.equal(info.name, USER.name);
      assert.equal(info.email, USER.email);

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
      assert.notEqual(refreshed.access_token, tokens.access_token);
      if (refreshed.id_token) assert.equal(refreshed.claims().sub, sub);
      // (Reuse of a rotated-out refresh token is in negative.test.mjs: it revokes the grant.)
      const accessToken = refreshed.access_token;
      const refreshToken = refreshed.refresh_token ?? tokens.refresh_token;

      if (c.confidential) {
        const active = await oidc.tokenIntrospection(config, accessToken);
        assert.equal(active.active, true);
        assert.equal(active.client_id, c.id);
        assert.equal(active.sub, sub);
        assert.ok(active.scope.split(' ').includes('openid'), `scope ${active.scope}`);
      }

      await oidc.tokenRevocation(config, accessToken);
      if (c.confidential) assert.equal((await oidc.tokenIntrospection(config, accessToken)).active, false);
      await assert.rejects(oidc.fetchUserInfo(config, accessToken, sub), 'revoked access token');

      await oidc.tokenRevocation(config, refreshToken);
      assert.equal(await oauthError(oidc.refreshTokenGrant(config, refreshToken)), 'invalid_grant');
    });
  }

  // OpenID Connect Core §3.1.2.1: prompt=login and max_age=0 both demand a fresh sign-in even
  // with a session; the new ID token's auth_time shows whether it happened.
  const reauthentications = [
    ['prompt=login', { prompt: 'login' }],
    ['max_age=0', { max_age: '0' }],
  ];
  for (const [name, extra] of reauthentications) {
    it(`${name} forces a fresh sign-in`, async () => {
      const config = await configure(CASES[0]);
      const jar = new CookieJar();
      const first = (await codeFlow(config, { jar })).tokens.claims();
      await sleep(1_100); // auth_time has a resolution of one second
      const again = (await codeFlow(config, { jar, extra })).tokens.claims();
      assert.equal(again.sub, first.sub);
      assert.ok(again.auth_time > first.auth_time, `auth_time ${again.auth_time} after ${first.auth_time}`);
    });
  }

  for (const c of CASES.filter((x) => x.confidential && x.alg === 'RS256')) {
    it(`${c.method} client: client_credentials grant`, async () => {
      const config = await configure(c);
      const tokens = await oidc.clientCredentialsGrant(config);
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.access_token);
      assert.equal(tokens.id_token, undefined, 'no ID token without a user');
      const active = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(active.active, true);
      assert.equal(active.client_id, c.id);
    });
  }

  // RFC 7591 grant_types, registered with `client add --grant-type`.
  it('gives a client registered for the code grant alone no refresh token and no other grant', async () => {
    const config = await configure({ id: 'rp-code-only', alg: 'RS256', method: 'client_secret_basic' });
    const { tokens } = await codeFlow(config);
    assert.ok(tokens.access_token && tokens.id_token);
    assert.equal(tokens.refresh_token, undefined, 'not registered for refresh_token');
    assert.equal(await oauthError(oidc.clientCredentialsGrant(config)), 'unauthorized_client');
  });

  it('refuses a code to a client registered for client_credentials alone', async () => {
    const config = await configure({ id: 'svc-only', alg: 'RS256', method: 'client_secret_basic' });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid', state: 'st-svc',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location'));
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    assert.equal(location.searchParams.get('error'), 'unauthorized_client');
    assert.equal(location.searchParams.get('state'), 'st-svc');
    assert.ok((await oidc.clientCredentialsGrant(config)).access_token);
  });

  it('refuses client_credentials for a public client', async () => {
    const config = await configure(CASES.find((c) => !c.confidential));
    const error = await oauthError(oidc.clientCredentialsGrant(config));
    assert.ok(['unauthorized_client', 'invalid_client'].includes(error), error);
  });
});
