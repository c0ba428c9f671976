// JWT access tokens (RFC 9068) for clients registered with an access-token audience, judged by
// jose against the published JWKS, and what introspection, revocation and sign-out make of them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import {
  authorizationRequest, basicAuth, browse, CookieJar, fetchMetadata, post, REDIRECT_URI, SECRET,
  signIn, startGatehouse, USER,
} from './harness.mjs';

const API = 'https://api.example/';
const SIGNED_OUT = 'https://web.example/signed-out';

describe('JWT access tokens (RFC 9068)', () => {
  let gh;
  let meta;
  let jwks;
  before(async () => {
    gh = await startGatehouse({
      users: [USER],
      clients: [
        { id: 'svc', secret: SECRET, accessTokenAudience: API },
        { id: 'web', secret: SECRET, accessTokenAudience: API, postLogoutRedirectUris: [SIGNED_OUT] },
        { id: 'other', secret: SECRET },
        { id: 'leaving', secret: SECRET, accessTokenAudience: API },
        { id: 'api', secret: SECRET, resourceServerFor: ['svc', 'web', 'leaving'] },
      ],
    });
    meta = await fetchMetadata(gh.issuer);
    jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
  });
  after(() => gh?.stop());

  // RFC 9068 §4: what a resource server checks, done by jose.
  const verify = (token) => jose.jwtVerify(token, jwks, {
    issuer: gh.issuer, audience: API, typ: 'at+jwt', algorithms: ['RS256'],
    requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
  });
  const clientCredentials = (id) => post(meta.token_endpoint, { grant_type: 'client_credentials' },
    { authorization: basicAuth(id, SECRET) });
  const introspect = (token, as = 'api') => post(meta.introspection_endpoint, { token },
    { authorization: basicAuth(as, SECRET) });
  const revoke = (token, as) => post(meta.revocation_endpoint, { token },
    { authorization: basicAuth(as, SECRET) });

  it('gives a client_credentials client a JWT about itself that jose accepts', async () => {
    const res = await clientCredentials('svc');
    assert.equal(res.status, 200);
    assert.equal(res.json.token_type, 'Bearer');
    const { payload, protectedHeader } = await verify(res.json.access_token);
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, 'svc');
    assert.equal(payload.client_id, 'svc');
    assert.equal(payload.exp - payload.iat, res.json.expires_in);
    assert.equal(payload.auth_time, undefined);
    const second = await verify((await clientCredentials('svc')).json.access_token);
    assert.notEqual(second.payload.jti, payload.jti, 'every token has its own jti');
  });

  it('is rejected by jose for another audience or as an ID token', async () => {
    const { access_token: token } = (await clientCredentials('svc')).json;
    await assert.rejects(jose.jwtVerify(token, jwks, { issuer: gh.issuer, audience: 'https://other.example/' }));
    await assert.rejects(jose.jwtVerify(token, jwks, { issuer: gh.issuer, audience: API, typ: 'JWT' }));
  });

  it('introspects as active for the resource server, then inactive once revoked', async () => {
    const { access_token: token } = (await clientCredentials('svc')).json;
    const active = await introspect(token);
    assert.equal(active.json.active, true);
    assert.equal(active.json.client_id, 'svc');
    assert.equal(active.json.aud, API, 'the audience the JWT names');
    assert.equal((await introspect(token, 'svc')).json.aud, API);
    assert.deepEqual(await introspect(token, 'other').then((r) => r.json), { active: false });
    const refused = await revoke(token, 'other');
    assert.equal(refused.json.error, 'unauthorized_client');
    assert.equal((await introspect(token)).json.active, true, 'another client cannot revoke it');
    assert.equal((await revoke(token, 'svc')).status, 200);
    assert.equal((await revoke(token, 'svc')).status, 200, 'revoking twice is fine (RFC 7009 §2.2)');
    assert.deepEqual((await introspect(token)).json, { active: false });
  });

  it('a removed client\'s unrecorded token is no longer active', async () => {
    const { access_token: token } = (await clientCredentials('leaving')).json;
    assert.equal((await introspect(token)).json.active, true);
    await gh.cli(['client', 'remove', '--id', 'leaving']);
    assert.deepEqual((await introspect(token)).json, { active: false });
  });

  it('a forged or altered token is not active', async () => {
    const { access_token: token } = (await clientCredentials('svc')).json;
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url'));
    const altered = Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url');
    assert.deepEqual((await introspect(`${header}.${altered}.${signature}`)).json, { active: false });
    const key = await jose.generateKeyPair('RS256');
    const forged = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: JSON.parse(Buffer.from(header, 'base64url')).kid })
      .sign(key.privateKey);
    assert.deepEqual((await introspect(forged)).json, { active: false });
  });

  it('an end-user\'s JWT carries who and how, works at userinfo, and dies with the session', async () => {
    const { url, verifier } = authorizationRequest(meta, { client_id: 'web' });
    const jar = new CookieJar();
    const callback = await signIn(url, USER.username, USER.password, jar);
    const config = await oidc.discovery(new URL(gh.issuer), 'web', {}, oidc.ClientSecretBasic(SECRET),
      { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.authorizationCodeGrant(config, callback,
      { pkceCodeVerifier: verifier, expectedState: callback.searchParams.get('state') });
    const { payload } = await verify(tokens.access_token);
    assert.equal(payload.sub, tokens.claims().sub);
    assert.equal(payload.client_id, 'web');
    assert.equal(payload.auth_time, tokens.claims().auth_time);
    assert.deepEqual(payload.amr, ['pwd']);
    const userinfo = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(userinfo.status, 200);
    assert.equal((await introspect(tokens.access_token)).json.active, true);

    const logout = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: SIGNED_OUT });
    let res = await browse(logout, jar);
    for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400; hop++) {
      const next = new URL(res.headers.get('location'), logout);
      if (next.origin !== new URL(gh.issuer).origin) break;
      res = await browse(next, jar);
    }
    assert.deepEqual((await introspect(tokens.access_token)).json, { active: false });
    const after = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(after.status, 401);
  });
});
