// RP-Initiated Logout 1.0 against the real server: a relying party that signed a person in sends
// the browser to end_session_endpoint and gets it back, signed out, with its state; an address it
// never registered is never redirected to; without an id_token_hint the person is asked first.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CookieJar, REDIRECT_URI, SECRET, USER, authorizationRequest, basicAuth, browse, fetchMetadata,
  followAuthorization, post, signIn, startGatehouse,
} from './harness.mjs';

const CLIENT = 'rp-logout';
const SIGNED_OUT = 'https://rp.example/signed-out';

const decodeHtml = (s) => s.replace(/&(amp|quot|#39);/g, (_, e) => ({ amp: '&', quot: '"', '#39': "'" })[e]);
const field = (html, name) =>
  decodeHtml(html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? '');

const authorizeUrl = (meta, extra = {}) => authorizationRequest(meta, { client_id: CLIENT, ...extra });

// Signs in with a fresh browser and returns {jar, idToken, sessionState}.
async function signedInBrowser(meta) {
  const jar = new CookieJar();
  const { url, verifier } = authorizeUrl(meta);
  const callback = await signIn(url, USER.username, USER.password, jar);
  const tokens = await post(meta.token_endpoint, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code'),
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  }, { authorization: basicAuth(CLIENT, SECRET) });
  assert.equal(tokens.status, 200, tokens.text);
  assert.ok(jar.get('gh_opbs'), 'sign-in sets the OP browser state cookie');
  return { jar, idToken: tokens.json.id_token, sessionState: callback.searchParams.get('session_state') };
}

// Whether the browser still has an IdP session: authorize with prompt=none.
async function stillSignedIn(meta, jar) {
  const callback = await followAuthorization(authorizeUrl(meta, { prompt: 'none' }).url, { jar });
  if (callback.searchParams.get('code')) return true;
  assert.equal(callback.searchParams.get('error'), 'login_required', callback.href);
  return false;
}

function logoutUrl(meta, params) {
  const url = new URL(meta.end_session_endpoint);
  url.search = new URLSearchParams(params);
  return url;
}

describe('RP-Initiated Logout', () => {
  let gh;
  let meta;
  before(async () => {
    gh = await startGatehouse({
      users: [USER],
      clients: [{ id: CLIENT, secret: SECRET, postLogoutRedirectUris: [SIGNED_OUT] }],
    });
    meta = await fetchMetadata(gh.issuer);
  });
  after(() => gh?.stop());

  it('advertises the logout and session management metadata', () => {
    assert.equal(meta.end_session_endpoint, `${gh.issuer}/logout`);
    assert.equal(meta.check_session_iframe, `${gh.issuer}/session/check`);
    assert.equal(meta.frontchannel_logout_supported, true);
    assert.equal(meta.backchannel_logout_supported, true);
  });

  it('signs out with id_token_hint and returns to the registered URI with state', async () => {
    const { jar, idToken, sessionState } = await signedInBrowser(meta);
    assert.match(sessionState ?? '', /^[0-9a-f]{64}\./);
    const res = await browse(logoutUrl(meta, {
      id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'rp state&1',
    }), jar);
    assert.equal(res.status, 303, await res.text()); // no front-channel work: straight back
    const back = new URL(res.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, SIGNED_OUT);
    assert.equal(back.searchParams.get('state'), 'rp state&1');
    assert.equal(jar.get('gh_session'), undefined, 'the session cookie is deleted');
    assert.equal(jar.get('gh_opbs'), undefined, 'the browser state cookie is deleted');
    assert.equal(await stillSignedIn(meta, jar), false);

    // The check_session endpoint now reports the change.
    const check = await post(`${gh.issuer}/session/check/state`, {
      client_id: CLIENT, origin: new URL(REDIRECT_URI).origin, session_state: sessionState,
    });
    assert.equal(check.text, 'changed');
  });

  it('never redirects to an unregistered post_logout_redirect_uri', async () => {
    const { jar, idToken } = await signedInBrowser(meta);
    const res = await browse(logoutUrl(meta, {
      id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/', state: 's',
    }), jar);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('location'), null);
    const html = await res.text();
    assert.doesNotMatch(html, /evil\.example/);
    assert.match(html, /You are signed out/);
    assert.equal(await stillSignedIn(meta, jar), false);
  });

  it('asks before signing out when the request carries no id_token_hint', async () => {
    const { jar } = await signedInBrowser(meta);
    const res = await browse(logoutUrl(meta, {
      client_id: CLIENT, post_logout_redirect_uri: SIGNED_OUT, state: 'asked',
    }), jar);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.equal(await stillSignedIn(meta, jar), true, 'a cross-site GET alone signs nobody out');

    const form = { csrf_token: field(html, 'csrf_token'), logoutId: field(html, 'logoutId'), action: 'signout' };
    const forged = await browse(new URL('/logout/confirm', gh.issuer), new CookieJar(), { method: 'POST', form });
    assert.equal(forged.status, 403, 'the confirmation needs the CSRF cookie');

    const confirmed = await browse(new URL('/logout/confirm', gh.issuer), jar, { method: 'POST', form });
    assert.equal(confirmed.status, 303, await confirmed.text());
    assert.equal(confirmed.headers.get('location'), `${SIGNED_OUT}?state=asked`);
    assert.equal(await stillSignedIn(meta, jar), false);

    // Replayed, the form does nothing: its CSRF token was bound to the session that has ended.
    const replay = await browse(new URL('/logout/confirm', gh.issuer), jar, { method: 'POST', form });
    assert.equal(replay.status, 403);
  });
});
