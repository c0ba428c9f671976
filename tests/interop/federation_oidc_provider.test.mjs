// Federation with an OpenID Provider no one here wrote: node-oidc-provider (test-only npm
// dependency) as the upstream, with RP-Initiated and Back-Channel Logout. Sign-in through it,
// the sign-out round trip to it and back, and its own sign-out cascading to our apps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import Provider from 'oidc-provider';
import { SECRET, authorizationRequest, decodeHtml, until } from './harness.mjs';
import {
  Browser, POST_LOGOUT, decodePayload, startDownstream, startReceiver,
} from './federation_support.mjs';

// Answers node-oidc-provider's development pages like a person: any login name works, consent
// is given, and its sign-out question is answered "Yes, sign me out".
function answerOidcProvider(url, html) {
  const form = html.match(/<form[^>]*action="([^"]+)"/);
  if (!form) return undefined;
  const fields = {};
  for (const input of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = input[0].match(/name="([^"]+)"/)?.[1];
    const value = input[0].match(/value="([^"]*)"/)?.[1] ?? '';
    if (name) fields[name] = decodeHtml(value);
  }
  if (html.includes('name="login"')) Object.assign(fields, { login: 'carol', password: 'any' });
  if (html.includes('name="logout"')) fields.logout = 'yes';
  return { action: decodeHtml(form[1]), form: fields };
}

describe('Federation: node-oidc-provider as the upstream', () => {
  let op;
  let opServer;
  let gatehouse;
  let receiver;
  let downstream;
  let meta;

  before(async () => {
    opServer = http.createServer();
    await new Promise((resolve) => opServer.listen(0, '127.0.0.1', resolve));
    const opIssuer = `http://127.0.0.1:${opServer.address().port}`;
    receiver = await startReceiver();
    downstream = await startDownstream({
      id: 'op', name: 'Partner ID', issuer: opIssuer, clientId: 'gatehouse', receiver,
    });
    ({ gatehouse, meta } = downstream);
    const { base } = downstream;
    op = new Provider(opIssuer, {
      clients: [{
        client_id: 'gatehouse',
        client_secret: SECRET,
        redirect_uris: [`${base}/callback`],
        post_logout_redirect_uris: [`${base}/signed-out`],
        backchannel_logout_uri: `${base}/backchannel-logout`,
        backchannel_logout_session_required: true,
      }],
      features: {
        devInteractions: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        backchannelLogout: { enabled: true },
      },
      findAccount: (ctx, id) => ({
        accountId: id,
        claims: () => ({ sub: id, preferred_username: id }),
      }),
      claims: { openid: ['sub'], profile: ['preferred_username'] },
      cookies: { keys: ['federation test cookie key, not a secret'] },
      // Its SSRF guard refuses loopback addresses, where Gatehouse listens in this test.
      fetch: (url, { dispatcher, ...options }) => fetch(url, options),
    });
    opServer.on('request', op.callback());
  });

  after(async () => {
    await downstream?.stop();
    opServer?.close();
    opServer?.closeAllConnections();
    receiver?.close();
  });

  const signIn = (browser) => downstream.signIn(browser, { answer: answerOidcProvider });

  it('signs in through node-oidc-provider and out again, ending on the app with its state', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    assert.equal(decodePayload(tokens.id_token).idp, 'op');

    const out = await browser.walk(downstream.endSession(tokens.id_token),
      { answer: answerOidcProvider });
    assert.equal(out.url?.href, `${POST_LOGOUT}?state=app-state`,
      `ended at ${out.url ?? out.res?.status}: ${await out.res?.text()}`);
    // The upstream session is gone: signing in again asks for the login again.
    const again = authorizationRequest(meta, { client_id: 'app', idp_hint: 'op' }).url;
    let asked = false;
    await browser.walk(again, {
      answer: (url, html) => {
        asked ||= html.includes('name="login"');
        return answerOidcProvider(url, html);
      },
    });
    assert.ok(asked, 'node-oidc-provider asked for the login again');
  });

  it('signs the person out of Gatehouse and its apps when they sign out at node-oidc-provider', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    const sid = decodePayload(tokens.id_token).sid;
    const before = receiver.tokens.length;
    // Sign-out at the provider itself, without any of our apps involved.
    await browser.walk(new URL('/session/end', op.issuer), { answer: answerOidcProvider });
    const [token] = await until('the app to get its logout token', () =>
      receiver.tokens.length > before && receiver.tokens.slice(before),
    { describe: () => gatehouse.output() });
    assert.equal(decodePayload(token).sid, sid);
    assert.match(await gatehouse.cli(['session', 'list', '--all']),
      new RegExp(`${sid}.*upstream_logout`));
  });
});
