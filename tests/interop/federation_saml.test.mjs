// Federation with SAML 2.0 upstreams against the real server, Gatehouse being their service
// provider: a second Gatehouse's SAML IdP, and pysaml2's IdP (Debian's python3-pysaml2), which no
// one here wrote. The person signs in to an app through the upstream, and signing out in either
// place signs them out of both, the apps included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  CookieJar, USER, assertHealthy, browse, decodeHtml, startGatehouse,
} from './harness.mjs';
import {
  Browser, POST_LOGOUT, autoPost, decodePayload, expectEndedByUpstream, signOutAtHome,
  startDownstream, startReceiver,
} from './federation_support.mjs';
import { PeerProcess } from './saml/peers.mjs';

const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** Registers the downstream's SP metadata for upstream `id` at the upstream Gatehouse. */
async function registerSp(upstream, started) {
  const metadata = await (await fetch(`${started.base}/saml`)).text();
  const file = path.join(upstream.dataDir, 'downstream-sp.xml');
  await writeFile(file, metadata);
  await upstream.cli(['saml', 'sp', 'add', '--metadata', file, '--name', 'Downstream',
    '--attributes', 'username,email,name']);
}

describe('Federation: a second Gatehouse as the SAML upstream', () => {
  let upstream;
  let started;
  let downstream;
  let receiver;

  before(async () => {
    upstream = await startGatehouse({ users: [USER] });
    receiver = await startReceiver();
    started = await startDownstream({
      id: 'corp', name: 'Corporate SSO', receiver,
      samlMetadata: await (await fetch(`${upstream.issuer}/saml/metadata`)).text(),
      settings: ['username_claim = "username"', 'email_claim = "email"', 'name_claim = "name"'],
    });
    downstream = started.gatehouse;
    await registerSp(upstream, started);
  });

  after(async () => {
    await started?.stop();
    await upstream?.stop();
    receiver?.close();
  });

  const signIn = (browser) => started.signIn(browser, { credentials: USER, answer: autoPost });
  const events = async () => downstream.cli(['events', '--limit', '1000']);

  it('signs in through the upstream with a signed AuthnRequest and states it in the ID token', async () => {
    const claims = decodePayload((await signIn(new Browser())).id_token);
    assert.equal(claims.idp, 'corp');
    assert.deepEqual(claims.amr, ['pwd'], 'from the PasswordProtectedTransport context');
    assert.equal(claims.acr, 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport');
    const sessions = JSON.parse(await downstream.cli(['session', 'list', '--json'])).sessions;
    const mine = sessions.find((x) => x.sid === claims.sid);
    assert.equal(mine.idp, 'corp');
    assert.ok(mine.upstream.session_id, 'the SessionIndex is recorded');
    assert.equal(mine.upstream.saml.name_id_format,
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'the NameID exactly as asserted');
    // The upstream's own view: its SP (us) took part in its session.
    const theirs = JSON.parse(await upstream.cli(['session', 'list', '--json'])).sessions;
    assert.ok(theirs.some((s) => s.participants.some((p) => p.client_id === `${started.base}/saml`)));
  });

  it('signs out downstream, then upstream with a LogoutRequest, then back to the app with its state', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    const out = await browser.walk(started.endSession(tokens.id_token), { answer: autoPost });
    assert.equal(out.url?.href, `${POST_LOGOUT}?state=app-state`,
      `ended at ${out.url ?? out.res?.status}: ${await out.res?.text()}`);
    const home = await (await browser.request(`${upstream.issuer}/`)).text();
    assert.match(home, /not signed in/, 'the upstream session is gone');
    assert.match(await events(), /upstream\.logout_confirmed/);
  });

  it('is signed out, with its apps, when the person signs out at the upstream (SOAP)', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    const sid = decodePayload(tokens.id_token).sid;
    const before = receiver.tokens.length;

    await signOutAtHome(browser, upstream.issuer);
    await expectEndedByUpstream({ downstream, receiver, before, sid });
    await assertHealthy(downstream);
  });

  // A LogoutResponse to the LogoutRequest the browser carries in `url`, as the IdP would answer,
  // unsigned: what a forger could send.
  function forgedAnswer(url) {
    const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest'), 'base64')).toString();
    const id = request.match(/ ID="([^"]+)"/)[1];
    return Buffer.from(
      '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ' +
      `xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_forged" Version="2.0" ` +
      `IssueInstant="${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}" InResponseTo="${id}">` +
      `<saml:Issuer>${upstream.issuer}/saml/metadata</saml:Issuer><samlp:Status>` +
      `<samlp:StatusCode Value="${STATUS_SUCCESS}"/></samlp:Status></samlp:LogoutResponse>`,
    ).toString('base64');
  }

  it('does not take an unsigned LogoutResponse, or a missing or forged RelayState, for a confirmation', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    const out = await browser.walk(started.endSession(tokens.id_token), {
      leaves: (url) => url.href.startsWith(`${upstream.issuer}/saml/slo?`),
    });
    assert.ok(out.url, `on the way to the upstream, got ${out.res?.status}`);
    const relayState = out.url.searchParams.get('RelayState');
    const answer = (fields) => browse(`${started.base}/saml/slo`, new CookieJar(), {
      method: 'POST', form: { SAMLResponse: forgedAnswer(out.url), ...fields },
    });
    for (const fields of [{}, { RelayState: 'forged' }]) {
      const res = await answer(fields);
      assert.equal(res.status, 400);
      assert.match(decodeHtml(await res.text()), /could not be confirmed/);
    }
    const res = await answer({ RelayState: relayState });
    const page = decodeHtml(await res.text());
    assert.match(page, /could not be confirmed: its answer was not signed by it/);
    assert.ok(page.includes(`${POST_LOGOUT}?state=app-state`), 'the person can still go back');
    assert.match(await events(), /upstream\.logout_failed.*the message must be signed/);
    // Our own sign-out stands.
    assert.match(await downstream.cli(['session', 'list', '--all']),
      new RegExp(`${decodePayload(tokens.id_token).sid}.*rp_logout`));
  });

  it('tells the person when the upstream is down, and keeps its own sign-out', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser);
    await upstream.stop();
    upstream = undefined;
    const { res } = await browser.walk(started.endSession(tokens.id_token));
    assert.equal(res?.status, 200);
    const page = decodeHtml(await res.text());
    assert.match(page, /could not be confirmed/);
    assert.ok(page.includes(`${POST_LOGOUT}?state=app-state`), 'the person can still go back');
    const sid = decodePayload(tokens.id_token).sid;
    assert.match(await downstream.cli(['session', 'list', '--all']), new RegExp(`${sid}.*rp_logout`));
  });
});

/** pysaml2_idp.py: the upstream IdP (see the file). */
class Pysaml2Idp extends PeerProcess {
  constructor() { super('pysaml2_idp'); }

  /** Its metadata; its endpoints are at `this.origin` from then on. */
  async create() {
    const created = await this.call({ cmd: 'create' });
    this.origin = created.origin;
    return created.metadata;
  }
}

describe("Federation: pysaml2's IdP as the SAML upstream", () => {
  let idp;
  let started;
  let downstream;
  let receiver;

  before(async () => {
    idp = new Pysaml2Idp();
    receiver = await startReceiver();
    started = await startDownstream({
      id: 'pysaml2', name: 'pysaml2 IdP', receiver,
      samlMetadata: await idp.create(),
    });
    downstream = started.gatehouse;
    await idp.call({ cmd: 'trust', sp_metadata: await (await fetch(`${started.base}/saml`)).text() });
  });

  after(async () => {
    await started?.stop();
    await idp?.stop();
    receiver?.close();
  });

  // Walks from `start`, handing the browser's visits to the IdP to its process: its SSO answers
  // with an auto-POST form to our ACS, its SLO with a redirect to ours.
  async function walk(browser, start, options = {}) {
    let next = { start };
    for (let leg = 0; leg < 6; leg++) {
      const out = await browser.walk(next.start, {
        answer: autoPost, form: next.form,
        leaves: (url) => url.origin === idp.origin || url.origin === 'https://rp.example',
        ...options,
      });
      if (!out.url || out.url.origin !== idp.origin) return out;
      const query = out.url.search.slice(1);
      if (out.url.pathname === '/idp/sso') {
        const answer = await idp.call({ cmd: 'sso', query });
        next = { start: answer.url, form: answer.fields };
      } else if (out.url.searchParams.has('SAMLRequest')) {
        next = { start: (await idp.call({ cmd: 'slo', query })).url };
      } else {
        return out;
      }
    }
    throw new Error('too many legs');
  }

  // started.signIn, with the browser's walk going through the IdP process.
  const signInThroughIdp = (browser) =>
    started.signIn({ walk: (start) => walk(browser, start) });

  it('signs in through pysaml2, its signed assertion validated and its attributes mapped', async () => {
    const tokens = await signInThroughIdp(new Browser());
    const claims = decodePayload(tokens.id_token);
    assert.equal(claims.idp, 'pysaml2');
    const users = await downstream.cli(['user', 'list']);
    assert.match(users, /alice/, 'provisioned from the uid attribute');
    const sessions = JSON.parse(await downstream.cli(['session', 'list', '--json'])).sessions;
    assert.equal(sessions.find((s) => s.sid === claims.sid)?.upstream.id, 'pysaml2');
  });

  it('signs out of pysaml2 too: its next sign-in asks for the password again', async () => {
    const browser = new Browser();
    const tokens = await signInThroughIdp(browser);
    const prompts = (await idp.call({ cmd: 'session' })).prompts;
    const out = await walk(browser, started.endSession(tokens.id_token));
    assert.equal(out.url?.href, `${POST_LOGOUT}?state=app-state`,
      `ended at ${out.url ?? out.res?.status}: ${await out.res?.text()}`);
    assert.equal((await idp.call({ cmd: 'session' })).signed_in, false);
    await signInThroughIdp(browser);
    assert.equal((await idp.call({ cmd: 'session' })).prompts, prompts + 1);
  });

  it('is signed out, with its apps, when the person signs out at pysaml2 (HTTP-Redirect)', async () => {
    const browser = new Browser();
    const tokens = await signInThroughIdp(browser);
    const sid = decodePayload(tokens.id_token).sid;
    const before = receiver.tokens.length;
    const request = await idp.call({ cmd: 'logout' });
    const out = await browser.walk(request.url, {
      answer: autoPost, leaves: (url) => url.origin === idp.origin,
    });
    assert.equal(out.url?.origin, idp.origin, `back at the IdP, got ${out.res?.status}`);
    const answer = await idp.call({ cmd: 'logout_response', query: out.url.search.slice(1) });
    assert.equal(answer.status, STATUS_SUCCESS);
    assert.equal(answer.in_response_to, request.id);
    await expectEndedByUpstream({ downstream, receiver, before, sid });
  });

  it('says so when pysaml2 answers the LogoutRequest with a failure, and keeps its own sign-out', async () => {
    const browser = new Browser();
    const tokens = await signInThroughIdp(browser);
    const out = await browser.walk(started.endSession(tokens.id_token), {
      answer: autoPost, leaves: (url) => url.origin === idp.origin,
    });
    assert.equal(out.url?.origin, idp.origin);
    const failed = await idp.call({ cmd: 'slo', query: out.url.search.slice(1),
      status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
    const { res } = await browser.walk(failed.url);
    assert.equal(res?.status, 200);
    const page = decodeHtml(await res.text());
    assert.match(page, /could not be confirmed/);
    assert.ok(page.includes(`${POST_LOGOUT}?state=app-state`), 'the person can still go back');
  });
});
