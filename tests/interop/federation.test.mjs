// Federation against the real server: a second Gatehouse is the upstream identity provider. The
// person signs in to an app at the downstream Gatehouse through it, and signing out in either
// place signs them out of both, the apps included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CookieJar, REDIRECT_URI, SECRET, USER, assertHealthy, authorizationRequest, basicAuth, browse,
  decodeHtml, fetchMetadata, hiddenField, post, startGatehouse, until,
} from './harness.mjs';
import { Browser, decodePayload, startReceiver } from './federation_support.mjs';
import { SamlSp, formOf } from './saml/peers.mjs';

const POST_LOGOUT = 'https://rp.example/bye';

describe('Federation: a second Gatehouse as the upstream', () => {
  let upstream;
  let downstream;
  let receiver;
  let configDir;
  let meta;

  before(async () => {
    upstream = await startGatehouse({ users: [USER] });
    receiver = await startReceiver();
    configDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-federation-'));
    const config = path.join(configDir, 'gatehouse.toml');
    await writeFile(config, [
      '[[upstream]]', 'id = "corp"', 'name = "Corporate SSO"', `issuer = "${upstream.issuer}"`,
      'client_id = "downstream"', 'unknown_users = "provision"', '',
    ].join('\n'));
    downstream = await startGatehouse({
      env: { GATEHOUSE_CONFIG: config, GATEHOUSE_UPSTREAM_CORP_CLIENT_SECRET: SECRET },
      clients: [{
        id: 'app', secret: SECRET, postLogoutRedirectUris: [POST_LOGOUT],
        backchannelLogoutUri: receiver.url,
      }],
    });
    const base = `${downstream.issuer}/upstream/corp`;
    await upstream.cli([
      'client', 'add', '--id', 'downstream', '--secret', SECRET,
      '--redirect-uri', `${base}/callback`, '--post-logout-redirect-uri', `${base}/signed-out`,
      '--backchannel-logout-uri', `${base}/backchannel-logout`,
    ]);
    meta = await fetchMetadata(downstream.issuer);
  });

  after(async () => {
    await downstream?.stop();
    await upstream?.stop();
    receiver?.close();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  // Signs in to the app through the upstream (idp_hint skips the choice); the app's tokens.
  async function signIn(browser) {
    const { url: authorize, verifier } =
      authorizationRequest(meta, { client_id: 'app', idp_hint: 'corp' });
    const { url, res } = await browser.walk(authorize, { credentials: USER });
    assert.ok(url, `expected the app's callback, got ${res?.status} ${await res?.text()}`);
    assert.equal(`${url.origin}${url.pathname}`, REDIRECT_URI);
    const tokens = await post(meta.token_endpoint, {
      grant_type: 'authorization_code', code: url.searchParams.get('code'),
      redirect_uri: REDIRECT_URI, code_verifier: verifier,
    }, { authorization: basicAuth('app', SECRET) });
    assert.equal(tokens.status, 200, tokens.text);
    return tokens.json;
  }

  function endSession(idToken) {
    const logout = new URL(meta.end_session_endpoint);
    logout.search = new URLSearchParams({
      id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT, state: 'app-state',
    });
    return logout;
  }

  const events = async () => downstream.cli(['events', '--limit', '1000']);

  it('signs in through the upstream and states it in the ID token', async () => {
    const claims = decodePayload((await signIn(new Browser())).id_token);
    assert.equal(claims.idp, 'corp');
    assert.deepEqual(claims.amr, ['pwd'], 'the upstream password sign-in');
    const sessions = JSON.parse(await downstream.cli(['session', 'list', '--json'])).sessions;
    const mine = sessions.find((x) => x.sid === claims.sid);
    assert.equal(mine.idp, 'corp');
    assert.equal(mine.upstream.id, 'corp');
    assert.ok(mine.upstream.session_id, 'the upstream sid is recorded');
  });

  it("passes the app's prompt=login on: the upstream asks for the password again", async () => {
    const browser = new Browser();
    await signIn(browser);
    const asked = [];
    const again = authorizationRequest(meta, { client_id: 'app', idp_hint: 'corp', prompt: 'login' });
    const { url } = await browser.walk(again.url, {
      credentials: USER,
      answer: () => undefined,
      leaves: (u) => {
        if (u.pathname === '/login') asked.push(u.origin);
        return u.origin === 'https://rp.example';
      },
    });
    assert.ok(url?.searchParams.get('code'), 'signed in again');
    assert.deepEqual(asked, [downstream.issuer, upstream.issuer].map((i) => new URL(i).origin),
      'Gatehouse hands over to the upstream, which asks for the password');
  });

  it('signs out downstream, then upstream, then back to the app with its state', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);

    const logout = endSession(tokens.id_token);
    const out = await browser.walk(logout);
    assert.equal(out.url?.href, `${POST_LOGOUT}?state=app-state`,
      `ended at ${out.url ?? out.res?.status}: ${await out.res?.text()}`);
    // The upstream session is gone: its home page no longer knows the browser.
    const home = await (await browser.request(`${upstream.issuer}/`)).text();
    assert.match(home, /not signed in/);
    assert.match(await events(), /upstream\.logout_redirected/);
    assert.match(await events(), /upstream\.logout_confirmed/);
    const metrics = await (await fetch(`${downstream.issuer}/metrics`)).text();
    assert.match(metrics, /^gatehouse_upstream_logouts_total\{outcome="confirmed"\} [1-9]/m);
  });

  it('is signed out, with its apps, when the person signs out at the upstream', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    const sid = decodePayload(tokens.id_token).sid;
    const before = receiver.tokens.length;

    // "Sign out" on the upstream's home page.
    const home = await (await browser.request(`${upstream.issuer}/`)).text();
    const res = await browser.request(`${upstream.issuer}/logout/confirm`, {
      method: 'POST', form: { csrf_token: hiddenField(home, 'csrf_token') },
    });
    assert.equal(res.status, 200, await res.text());
    // The upstream's back-channel logout reaches the downstream, which tells the app.
    const [token] = await until('the app to get its logout token', () =>
      receiver.tokens.length > before && receiver.tokens.slice(before));
    assert.equal(decodePayload(token).sid, sid);
    const sessions = await downstream.cli(['session', 'list', '--all']);
    assert.match(sessions, new RegExp(`${sid}.*upstream_logout`));
    assert.match(await events(), /upstream\.logout_received/);
    const metrics = await (await fetch(`${downstream.issuer}/metrics`)).text();
    assert.match(metrics, /^gatehouse_upstream_logouts_total\{outcome="received"\} [1-9]/m);
    await assertHealthy(downstream);
  });

  it('takes a SAML app whose AuthnRequest names the upstream (Scoping) to it, and signs it out there too', async () => {
    const sp = await new SamlSp('pysaml2').register(downstream, ['--name', 'Wiki']);
    try {
      const request = await sp.call({ cmd: 'authn', binding: 'redirect', idp_hint: 'corp' });
      const browser = new Browser();
      const { res } = await browser.walk(request.url, { credentials: USER, answer: () => undefined });
      assert.equal(res?.status, 200, 'the auto-POST page to the SP');
      const { fields } = formOf(await res.text());
      const login = await sp.call({ cmd: 'acs', response: fields.SAMLResponse });
      assert.ok(login.name_id, 'pysaml2 accepted the assertion');
      const sessions = JSON.parse(await downstream.cli(['session', 'list', '--json'])).sessions;
      const session = sessions.find((s) => s.participants.some((p) => p.client_id === sp.entityId));
      assert.equal(session?.idp, 'corp', 'signed in through the upstream');

      // The SAML app's own sign-out goes through the upstream too, then gets its LogoutResponse.
      const logout = await sp.call({ cmd: 'logout', binding: 'redirect' });
      const back = await browser.walk(logout.url, {
        leaves: (url) => url.searchParams.has('SAMLResponse'),
      });
      assert.ok(back.url, `back at the SP, got ${back.res?.status}: ${await back.res?.text()}`);
      const answer = await sp.call({
        cmd: 'logout_response', binding: 'redirect', query: back.url.search.slice(1),
        message: back.url.searchParams.get('SAMLResponse'),
      });
      assert.equal(answer.status, 'urn:oasis:names:tc:SAML:2.0:status:Success');
      assert.match(await (await browser.request(`${upstream.issuer}/`)).text(), /not signed in/);
    } finally {
      await sp.stop();
    }
  });

  it('refuses a return from the upstream with a missing, forged or replayed state', async () => {
    for (const query of ['', '?state=forged']) {
      const res = await browse(`${downstream.issuer}/upstream/corp/signed-out${query}`, new CookieJar());
      assert.equal(res.status, 400);
      assert.match(decodeHtml(await res.text()), /could not be confirmed/);
    }
  });

  it('tells the person when the upstream is down, and keeps its own sign-out', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    await upstream.stop();
    upstream = undefined;

    const logout = endSession(tokens.id_token);
    const { res } = await browser.walk(logout);
    assert.equal(res?.status, 200);
    const page = decodeHtml(await res.text());
    assert.match(page, /could not be confirmed/);
    assert.ok(page.includes(`${POST_LOGOUT}?state=app-state`), 'the person can still go back');
    const sid = decodePayload(tokens.id_token).sid;
    assert.match(await downstream.cli(['session', 'list', '--all']), new RegExp(`${sid}.*rp_logout`));
  });
});
