// SAML 2.0 interoperability with two service providers that are not our code: pysaml2 and lasso
// (Debian's python3-pysaml2 and python3-lasso), each validating Gatehouse's signatures with its
// own xmlsec1-based checks. They sign in, sign out over HTTP-Redirect, HTTP-POST and SOAP, are
// signed out by Gatehouse over SOAP from the durable outbox, and see PartialLogout when another SP
// of the session is down. The SPs run in tests/interop/saml/*_sp.py (see peers.mjs).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  assertHealthy, browse, browseIdp, CookieJar, decodeHtml, startGatehouse, until, USER,
} from './harness.mjs';
import { PARTIAL_LOGOUT, SamlSp, STATUS_SUCCESS } from './saml/peers.mjs';

const CREDENTIALS = { username: USER.username, password: USER.password };
const FAST_RETRIES = {
  GATEHOUSE_LOGOUT_RETRY_FIRST_DELAY_SECONDS: '1',
  GATEHOUSE_LOGOUT_RETRY_MAX_DELAY_SECONDS: '2',
};

const sessions = async (gatehouse) =>
  JSON.parse(await gatehouse.cli(['session', 'list', '--json'])).sessions;
const notifications = async (gatehouse, sid) =>
  JSON.parse(await gatehouse.cli(['logout', 'status', '--sid', sid, '--json'])).notifications;

/** Signs in to `first` with a password, then to `second` in the same IdP session. */
async function signInToTwo(gatehouse, first, second) {
  const jar = new CookieJar();
  await first.signIn(jar, { credentials: CREDENTIALS });
  const login = await second.signIn(jar);
  const session = await soleSession(gatehouse);
  assert.equal(session.participants.length, 2, 'one IdP session, two SPs, one password');
  return { jar, login, sid: session.sid };
}

/** The one live session; its participants are the SP entity IDs. */
async function soleSession(gatehouse) {
  const live = (await sessions(gatehouse)).filter((s) => s.end_cause === null);
  assert.equal(live.length, 1, JSON.stringify(live));
  return live[0];
}

describe('SAML 2.0 with pysaml2 as the service provider', () => {
  let gatehouse;
  let sp;

  before(async () => {
    gatehouse = await startGatehouse({ users: [USER] });
    sp = await new SamlSp('pysaml2').register(gatehouse, ['--name', 'Wiki', '--attributes', 'email,name']);
  });
  after(async () => {
    await sp?.stop();
    await gatehouse?.stop();
  });

  it('publishes metadata with every binding', async () => {
    const res = await fetch(`${gatehouse.issuer}/saml/metadata`);
    assert.equal(res.status, 200);
    const xml = await res.text();
    for (const binding of ['HTTP-Redirect', 'HTTP-POST', 'SOAP'])
      assert.match(xml, new RegExp(`SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}"`));
    assert.match(xml, /SingleSignOnService/);
    assert.match(xml, /X509Certificate>MII/);
  });

  it('signs in (SSO), the assertion verified by pysaml2, and signs out over HTTP-Redirect', async () => {
    const jar = new CookieJar();
    const login = await sp.signIn(jar, { credentials: CREDENTIALS });
    assert.equal(login.relayState, 'rs-1');
    assert.equal(login.sp_name_qualifier, sp.entityId);
    assert.ok(login.session_index.startsWith('_'));
    // Released attributes (pysaml2 drops names outside its converter maps, so read the XML).
    assert.match(login.xml, new RegExp(`Name="email"[^>]*><saml:AttributeValue>${USER.email}<`));
    assert.match(login.xml, new RegExp(`Name="name"[^>]*><saml:AttributeValue>${USER.name}<`));
    assert.equal((await soleSession(gatehouse)).participants.length, 1);

    const out = await sp.signOutThroughBrowser(jar, 'redirect');
    assert.equal(out.status, STATUS_SUCCESS);
    assert.equal(out.second, null);
    assert.equal(out.echoed, out.sent, 'RelayState echoed byte for byte (Bindings §3.4.3)');
    assert.equal(out.at.pathname, '/sp/sls');
    assert.equal((await sessions(gatehouse)).filter((s) => s.end_cause === null).length, 0);
    await assertHealthy(gatehouse);
  });

  it('signs in with a POSTed AuthnRequest and signs out over HTTP-POST', async () => {
    const jar = new CookieJar();
    await sp.signIn(jar, { binding: 'post', credentials: CREDENTIALS });
    const out = await sp.signOutThroughBrowser(jar, 'post');
    assert.equal(out.status, STATUS_SUCCESS);
    assert.equal(out.echoed, out.sent);
    assert.equal(out.at.pathname, '/sp/sls');
    assert.equal((await sessions(gatehouse)).filter((s) => s.end_cause === null).length, 0);
  });

  it('signs out over SOAP, pysaml2 checking the signed LogoutResponse', async () => {
    await sp.signIn(new CookieJar(), { credentials: CREDENTIALS });
    const out = await sp.call({ cmd: 'logout_soap' });
    assert.equal(out.http_status, undefined, out.body);
    assert.equal(out.status, STATUS_SUCCESS);
    assert.equal(out.second, null);
    assert.equal(out.in_response_to, out.request_id);
    assert.equal((await sessions(gatehouse)).filter((s) => s.end_cause === null).length, 0);
  });
});

describe('SAML 2.0 with lasso as the service provider', () => {
  let gatehouse;
  let sp;

  before(async () => {
    gatehouse = await startGatehouse({ users: [USER], env: FAST_RETRIES });
    sp = await new SamlSp('lasso').register(gatehouse, ['--name', 'Intranet']);
  });
  after(async () => {
    await sp?.stop();
    await gatehouse?.stop();
  });

  it('signs in with a POSTed AuthnRequest and signs out over SOAP', async () => {
    const jar = new CookieJar();
    const login = await sp.signIn(jar, { binding: 'post', credentials: CREDENTIALS });
    assert.equal(login.relayState, 'lasso-rs');
    assert.equal(login.format, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    assert.equal(login.sp_name_qualifier, sp.entityId);
    await soleSession(gatehouse);

    const out = await sp.call({ cmd: 'logout', binding: 'soap' });
    assert.equal(out.status, STATUS_SUCCESS);
    assert.equal(out.second, null);
    assert.equal((await sessions(gatehouse)).filter((s) => s.end_cause === null).length, 0);
    await assertHealthy(gatehouse);
  });

  it('sends a second SSO in the same session the same NameID and SessionIndex', async () => {
    const jar = new CookieJar();
    const first = await sp.signIn(jar, { credentials: CREDENTIALS });
    const second = await sp.signIn(jar);  // no password: the IdP session is there
    assert.equal(second.name_id, first.name_id);
    assert.equal(second.session_index, first.session_index, 'Single Logout still finds the SP');
    const { sid, participants } = await soleSession(gatehouse);
    assert.equal(participants.length, 1);
    await gatehouse.cli(['session', 'revoke', '--sid', sid]);
    // The session is gone: the next SSO asks for the password instead of answering.
    const request = await sp.call({ cmd: 'authn', binding: 'redirect' });
    const res = await browse(request.url, jar);
    assert.equal(res.status, 302);
    assert.match(res.headers.get('location'), /^\/login\?/);
    // lasso keeps one session: a LogoutRequest arriving during the next test would be for the
    // wrong one, so this test ends once the outbox has delivered its own.
    await until('the outbox to deliver the revocation to lasso', async () => {
      const n = await notifications(gatehouse, sid);
      return n.length === 1 && n[0].status === 'delivered';
    });
  });

  it('signs out over HTTP-Redirect and HTTP-POST, lasso checking our signatures', async () => {
    for (const binding of ['redirect', 'post']) {
      const jar = new CookieJar();
      await sp.signIn(jar, { credentials: CREDENTIALS });
      const out = await sp.signOutThroughBrowser(jar, binding);
      assert.equal(out.status, STATUS_SUCCESS, binding);
      assert.equal(out.relay_state, out.sent, `${binding}: lasso read back its RelayState`);
      assert.equal(out.at.pathname, '/lasso/sls');
    }
  });

  it('is signed out by Gatehouse over SOAP, from the outbox, when an admin ends the session', async () => {
    const jar = new CookieJar();
    const login = await sp.signIn(jar, { credentials: CREDENTIALS });
    const { sid } = await soleSession(gatehouse);
    const before = (await sp.received()).length;
    await gatehouse.cli(['session', 'revoke', '--sid', sid]);
    const [request] = (await until('lasso to receive the LogoutRequest',
      async () => { const r = await sp.received(); return r.length > before && r; })).slice(before);
    assert.equal(request.error, undefined, request.error);
    assert.equal(request.name_id, login.name_id, 'the exact NameID the assertion carried');
    assert.equal(request.sp_name_qualifier, login.sp_name_qualifier);
    assert.equal(request.session_index, login.session_index);
    const [delivery] = await until('the outbox to record the delivery', async () => {
      const n = await notifications(gatehouse, sid);
      return n.length === 1 && n[0].status === 'delivered' && n;
    });
    assert.equal(delivery.client_id, sp.entityId);
    assert.equal(delivery.channel, 'saml_soap');
  });
});

// pysaml2 is the SP reached only through the browser (it cannot do SOAP, see pysaml2_sp.py), lasso
// the one with a SOAP SingleLogoutService.
describe('SAML 2.0: one session with pysaml2 and lasso', () => {
  let gatehouse;
  let pysaml2;
  let lasso;

  before(async () => {
    gatehouse = await startGatehouse({ users: [USER], env: FAST_RETRIES });
    pysaml2 = await new SamlSp('pysaml2').register(gatehouse, ['--name', 'Wiki']);
    lasso = await new SamlSp('lasso').register(gatehouse, ['--name', 'Intranet']);
  });
  after(async () => {
    await pysaml2?.stop();
    await lasso?.stop();
    await gatehouse?.stop();
  });

  const signInToBoth = () => signInToTwo(gatehouse, pysaml2, lasso);

  it('signing out of pysaml2 signs lasso out over SOAP and answers Success', async () => {
    const { jar, login, sid } = await signInToBoth();
    const before = (await lasso.received()).length;
    const out = await pysaml2.signOutThroughBrowser(jar, 'redirect');
    assert.equal(out.status, STATUS_SUCCESS);
    assert.equal(out.second, null, 'lasso confirmed before the answer');
    assert.equal(out.echoed, out.sent);
    const [request] = (await lasso.received()).slice(before);
    assert.equal(request.name_id, login.name_id);
    assert.equal(request.session_index, login.session_index);
    const [delivery] = await notifications(gatehouse, sid);
    assert.equal(delivery.client_id, lasso.entityId);
    assert.equal(delivery.status, 'delivered');
  });

  it('signing out of lasso over HTTP-Redirect visits pysaml2 in the browser, then answers Success', async () => {
    const { jar, sid } = await signInToBoth();
    const pysaml2Login = (await sessions(gatehouse))[0];
    const request = await lasso.call({ cmd: 'logout', binding: 'redirect' });
    const { res } = await browseIdp(request.url, { jar });
    assert.equal(res?.status, 200, 'the signed-out page, since pysaml2 needs the browser');
    const page = await res.text();
    assert.match(page, /Wiki/);
    // The page's front-channel step: pysaml2's SingleLogoutService with a signed LogoutRequest.
    const frame = new URL(decodeHtml(page.match(/data-frame="([^"]+)"/)[1]));
    assert.equal(frame.origin + frame.pathname, 'http://pysaml2-sp.test/sp/sls');
    const handled = await pysaml2.call({ cmd: 'idp_logout', query: frame.search.slice(1) });
    assert.ok(handled.name_id, 'pysaml2 verified and read the LogoutRequest');
    assert.equal(handled.sp_name_qualifier, pysaml2.entityId);
    assert.ok(pysaml2Login.participants.length === 2);
    // pysaml2's signed LogoutResponse comes back to Gatehouse's SingleLogoutService.
    const back = await browse(handled.url, jar);
    assert.equal(back.status, 200, `${handled.url}: ${await back.clone().text()}`);
    assert.match(await back.text(), /confirmed the sign-out/);
    const [confirmation] = await notifications(gatehouse, sid);
    assert.equal(confirmation.client_id, pysaml2.entityId);
    assert.equal(confirmation.channel, 'saml_browser');
    assert.equal(confirmation.status, 'delivered');
    // Then the page continues to lasso's answer.
    const next = decodeHtml(page.match(/<a id="continue" href="([^"]+)"/)[1]);
    const { url } = await browseIdp(new URL(next, gatehouse.issuer).toString(), { jar });
    const answer = await lasso.call({ cmd: 'logout_response', binding: 'redirect',
      query: url.search.slice(1), message: url.searchParams.get('SAMLResponse') });
    assert.equal(answer.status, STATUS_SUCCESS);
    assert.equal(answer.second, null, 'pysaml2 confirmed its sign-out through the browser');
    assert.equal(answer.relay_state, request.url && new URL(request.url).searchParams.get('RelayState'));
  });

  it('answers a SOAP LogoutRequest with PartialLogout when another SP needs a browser', async () => {
    await signInToBoth();
    const out = await lasso.call({ cmd: 'logout', binding: 'soap' });
    assert.equal(out.status, STATUS_SUCCESS);
    assert.equal(out.second, PARTIAL_LOGOUT, 'pysaml2 could not be reached without a browser');
    assert.equal((await sessions(gatehouse)).filter((s) => s.end_cause === null).length, 0);
  });

  it('answers PartialLogout while an SP is down, and keeps retrying it', async () => {
    const { jar, sid } = await signInToBoth();
    await lasso.call({ cmd: 'soap_mode', mode: 'down' });

    const out = await pysaml2.signOutThroughBrowser(jar, 'redirect');
    assert.equal(out.status, STATUS_SUCCESS);
    assert.equal(out.second, PARTIAL_LOGOUT, 'lasso could not be confirmed');
    assert.equal(out.echoed, out.sent);
    assert.equal((await sessions(gatehouse)).filter((s) => s.end_cause === null).length, 0,
      'the IdP session ended all the same');
    const [pending] = await until('a second attempt at the SP that is down', async () => {
      const n = await notifications(gatehouse, sid);
      return n[0]?.attempts >= 2 && n;
    });
    assert.equal(pending.client_id, lasso.entityId);
    assert.equal(pending.status, 'pending');
    assert.match(pending.last_error, /connect|refused/i);
    await assertHealthy(gatehouse);
  });
});

describe('SAML 2.0: an SP whose Single Logout takes HTTP-POST only', () => {
  let gatehouse;
  let pysaml2;
  let lasso;

  before(async () => {
    gatehouse = await startGatehouse({ users: [USER] });
    pysaml2 = await new SamlSp('pysaml2').register(gatehouse, ['--name', 'Wiki'],
      { slo_bindings: ['post'] });
    lasso = await new SamlSp('lasso').register(gatehouse, ['--name', 'Intranet']);
  });
  after(async () => {
    await pysaml2?.stop();
    await lasso?.stop();
    await gatehouse?.stop();
  });

  it('is visited by the signed-out page, which posts it a signed LogoutRequest', async () => {
    const { jar, sid } = await signInToTwo(gatehouse, pysaml2, lasso);
    const pysaml2Login = (await soleSession(gatehouse)).participants;
    assert.equal(pysaml2Login.length, 2);
    const request = await lasso.call({ cmd: 'logout', binding: 'redirect' });
    const { res } = await browseIdp(request.url, { jar });
    assert.equal(res?.status, 200, 'the signed-out page, since pysaml2 needs the browser');
    const page = await res.text();
    // The page's step for pysaml2 is Gatehouse's own page, framed by the signed-out page only.
    const frame = new URL(decodeHtml(page.match(/data-frame="([^"]+)"/)[1]));
    assert.equal(frame.origin + frame.pathname, `${gatehouse.issuer}/saml/slo/frame`);
    assert.match(res.headers.get('content-security-policy'),
      new RegExp(`frame-src[^;]*${gatehouse.issuer.replace(/[.]/g, '\\.')}`));
    const step = await browse(frame, jar);
    assert.equal(step.status, 200);
    assert.match(step.headers.get('content-security-policy'), /frame-ancestors 'self'/);
    const form = await step.text();
    assert.equal(decodeHtml(form.match(/action="([^"]+)"/)[1]), 'http://pysaml2-sp.test/sp/sls');
    const message = decodeHtml(form.match(/name="SAMLRequest" value="([^"]+)"/)[1]);

    // pysaml2 checks the enveloped signature with its own code and ends its session.
    const handled = await pysaml2.call({ cmd: 'idp_logout', binding: 'post', message });
    assert.equal(handled.signed, true);
    assert.equal(handled.sp_name_qualifier, pysaml2.entityId);
    assert.equal(handled.destination, 'http://pysaml2-sp.test/sp/sls');
    const forged = Buffer.from(Buffer.from(message, 'base64').toString()
      .replace(handled.name_id, `${handled.name_id}x`)).toString('base64');
    await assert.rejects(pysaml2.call({ cmd: 'idp_logout', binding: 'post', message: forged }),
      /IncorrectlySigned/, 'pysaml2 refuses the LogoutRequest once its NameID is changed');
    // Its signed LogoutResponse, posted back by the browser, is accepted.
    const back = await browse(handled.form.url, jar, { method: 'POST', form: handled.form.fields });
    assert.equal(back.status, 200);
    assert.match(await back.text(), /confirmed the sign-out/);
    await browse(handled.form.url, jar, { method: 'POST', form: handled.form.fields });
    const confirmations = await notifications(gatehouse, sid);
    assert.deepEqual(confirmations.map((n) => [n.client_id, n.channel, n.status]),
      [[pysaml2.entityId, 'saml_browser', 'delivered']], 'recorded once, however often replayed');
    // So lasso, which started the sign-out, hears that every other SP confirmed it.
    const next = decodeHtml(page.match(/<a id="continue" href="([^"]+)"/)[1]);
    const { url } = await browseIdp(new URL(next, gatehouse.issuer).toString(), { jar });
    const answer = await lasso.call({ cmd: 'logout_response', binding: 'redirect',
      query: url.search.slice(1), message: url.searchParams.get('SAMLResponse') });
    assert.equal(answer.status, STATUS_SUCCESS);
    assert.equal(answer.second, null);
  });

  it('refuses a sign-out step it did not make, or made for another session', async () => {
    const { jar } = await signInToTwo(gatehouse, pysaml2, lasso);
    const request = await lasso.call({ cmd: 'logout', binding: 'redirect' });
    const page = await (await browseIdp(request.url, { jar })).res.text();
    const frame = new URL(decodeHtml(page.match(/data-frame="([^"]+)"/)[1]));
    const [payload, mac] = frame.searchParams.get('step').split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const other = Buffer.from(JSON.stringify({ ...claims, sid: 'another-session' })).toString('base64url');
    for (const step of [`${other}.${mac}`, `${payload}.${mac.slice(1)}`, payload, '']) {
      const res = await browse(`${gatehouse.issuer}/saml/slo/frame?step=${step}`, jar);
      assert.equal(res.status, 400, step);
      assert.doesNotMatch(await res.text(), /SAMLRequest/);
    }
    await assertHealthy(gatehouse);
  });
});

describe('SAML 2.0: keys rotate announces the next certificate before it signs', () => {
  it('lists both certificates, the signing one first, and lasso still signs in', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-rotate-'));
    const certificates = async (gh) => [...(await (await fetch(`${gh.issuer}/saml/metadata`)).text())
      .matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1]);
    let gatehouse;
    let sp;
    try {
      gatehouse = await startGatehouse({ users: [USER], dataDir });
      const [before] = await certificates(gatehouse);
      const out = await gatehouse.cli(['keys', 'rotate', '--announce-ahead', '3600']);
      assert.match(out, /RS256 signs with kid \S+ from \d{4}-/);
      await gatehouse.stop();
      gatehouse = await startGatehouse({ dataDir });  // a restart reloads the keys at once

      const listed = await certificates(gatehouse);
      assert.equal(listed.length, 2, 'the announced certificate is published');
      assert.equal(listed[0], before, 'the signing certificate comes first and still signs');
      sp = await new SamlSp('lasso').register(gatehouse, ['--name', 'Intranet']);
      const login = await sp.signIn(new CookieJar(), { credentials: CREDENTIALS });
      assert.ok(login.name_id, 'lasso verified the assertion with the pinned certificates');
    } finally {
      await sp?.stop();
      await gatehouse?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
