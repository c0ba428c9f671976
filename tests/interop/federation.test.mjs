// Federation against the real server: a second Gatehouse is the upstream identity provider. The
// person signs in to an app at the downstream Gatehouse through it, and signing out in either
// place signs them out of both, the apps included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CookieJar, SECRET, USER, assertHealthy, authorizationRequest, browse, decodeHtml,
  startGatehouse,
} from './harness.mjs';
import {
  Browser, POST_LOGOUT, decodePayload, expectEndedByUpstream, signOutAtHome, startDownstream,
  startReceiver,
} from './federation_support.mjs';
import { SamlSp, formOf } from './saml/peers.mjs';

describe('Federation: a second Gatehouse as the upstream', () => {
  let upstream;
  let started;
  let downstream;
  let receiver;
  let meta;
  let signIn;
  let endSession;

  before(async () => {
    upstream = await startGatehouse({ users: [USER] });
    receiver = await startReceiver();
    started = await startDownstream({
      id: 'corp', name: 'Corporate SSO', issuer: upstream.issuer, clientId: 'downstream', receiver,
    });
    ({ meta, endSession } = started);
    downstream = started.gatehouse;
    signIn = (browser) => started.signIn(browser, { credentials: USER });
    await upstream.cli([
      'client', 'add', '--id', 'downstream', '--secret', SECRET,
      '--redirect-uri', `${started.base}/callback`,
      '--post-logout-redirect-uri', `${started.base}/signed-out`,
      '--backchannel-logout-uri', `${started.base}/backchannel-logout`,
    ]);
  });

  after(async () => {
    await started?.stop();
    await upstream?.stop();
    receiver?.close();
  });

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

    await signOutAtHome(browser, upstream.issuer);
    // The upstream's back-channel logout reaches the downstream, which tells the app.
    await expectEndedByUpstream({ downstream, receiver, before, sid });
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
