// The attacks on SAML Single Logout (saml-slo.md §2) against the real server: a service provider
// the test controls (saml/forge.mjs) signs in, then sends LogoutRequests that are unsigned, signed
// with another key, rearranged by XML Signature Wrapping, aimed at the wrong principal, replayed,
// stale, misaddressed, hostile XML, oversized or malformed. Each gets the right SAML status or
// HTTP error, the victim's session survives every one, and the server keeps serving. Then the
// seed's Entra-style LogoutRequest, signed, signs the person out.
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { assertHealthy, browse, browseIdp, CookieJar, startGatehouse, USER } from './harness.mjs';
import { formOf } from './saml/peers.mjs';
import {
  authnRequest, forgedSp, logoutRequest, newId, PERSISTENT, redirectQuery, signEnveloped,
  soapEnvelope,
} from './saml/forge.mjs';

const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';

describe('SAML Single Logout refuses forged and hostile requests', () => {
  let gatehouse;
  let sp;
  let other; // the same SP's entityID, another key: what an attacker without the key can sign
  let jar;
  let victim; // { nameId, sessionIndex } from the assertion Gatehouse issued
  let slo;

  before(async () => {
    gatehouse = await startGatehouse({ users: [USER] });
    slo = `${gatehouse.issuer}/saml/slo`;
    sp = await forgedSp(gatehouse.dataDir, 'http://forged-sp.test');
    await gatehouse.cli(['saml', 'sp', 'add', '--metadata', sp.metadataFile, '--name', 'Forged']);
    other = await forgedSp(gatehouse.dataDir, 'http://forged-sp.test', 'attacker');

    jar = new CookieJar();
    const query = redirectQuery(authnRequest(sp, `${gatehouse.issuer}/saml/sso`), { sp, relayState: 'x' });
    const { res } = await browseIdp(`${gatehouse.issuer}/saml/sso?${query}`, {
      jar, credentials: { username: USER.username, password: USER.password },
    });
    assert.equal(res?.status, 200, 'an auto-POST page with the Response');
    const xml = Buffer.from(formOf(await res.text()).fields.SAMLResponse, 'base64').toString();
    victim = {
      nameId: xml.match(/<saml:NameID[^>]*>([^<]+)</)[1],
      nameIdAttributes: xml.match(/<saml:NameID ([^>]*)>/)[1],
      sessionIndex: xml.match(/SessionIndex="([^"]+)"/)[1],
    };
  });
  after(() => gatehouse?.stop());

  const liveSessions = async () => JSON.parse(await gatehouse.cli(['session', 'list', '--json']))
    .sessions.filter((s) => s.end_cause === null).length;

  /** A LogoutRequest for the victim's session, with `overrides`. */
  const request = (overrides = {}) => logoutRequest({
    issuer: sp.entityId, destination: slo, nameId: victim.nameId,
    nameIdAttributes: victim.nameIdAttributes, sessionIndex: victim.sessionIndex, ...overrides,
  });
  const postSoap = (xml) => fetch(slo, {
    method: 'POST', headers: { 'content-type': 'text/xml' }, body: soapEnvelope(xml),
  });

  /** Sends `xml` over SOAP and expects an HTTP error `status` (a SOAP fault). */
  async function refusedOverSoap(xml, status, why) {
    const res = await postSoap(xml);
    const body = await res.text();
    assert.equal(res.status, status, `${why}: ${body}`);
    assert.match(body, /<SOAP-ENV:Fault>/, why);
    assert.equal(await liveSessions(), 1, `${why}: the session survives`);
  }

  /** Sends `xml` over SOAP and expects a LogoutResponse with second-level `second`. */
  async function answeredOverSoap(xml, second, why) {
    const res = await postSoap(xml);
    const body = await res.text();
    assert.equal(res.status, 200, `${why}: ${body}`);
    assert.match(body, new RegExp(`StatusCode Value="${STATUS}Requester"><samlp:StatusCode Value="${STATUS}${second}"`), why);
    assert.equal(await liveSessions(), 1, `${why}: the session survives`);
  }

  it('refuses an unsigned request from an SP whose requests must be signed', async () => {
    await refusedOverSoap(request(), 403, 'unsigned SOAP');
    const res = await browse(`${slo}?${redirectQuery(request())}`, jar);
    assert.equal(res.status, 403, 'unsigned Redirect');
    assert.equal(await liveSessions(), 1);
  });

  it('refuses a request signed with another key', async () => {
    await refusedOverSoap(await signEnveloped(other, request()), 403, 'enveloped, other key');
    const res = await browse(`${slo}?${redirectQuery(request(), { sp: other })}`, jar);
    assert.equal(res.status, 403, 'Redirect, other key');
    assert.equal(await liveSessions(), 1);
  });

  it('refuses XML Signature Wrapping in four arrangements', async () => {
    // The SP's genuinely signed request, for a principal that has no session here.
    const signed = await signEnveloped(sp, request({ id: '_orig', nameId: 'nobody', sessionIndex: '_none' }));
    const signature = signed.match(/<ds:Signature[\s\S]*<\/ds:Signature>/)[0];
    const unsignedOriginal = signed.replace(signature, '');
    const evil = (id, inner = '') => request({ id, extra: inner });
    const wrapped = {
      // 1: the signature (over _orig) moved into an evil root; the original inside ds:Object.
      'signature in an evil root, original in ds:Object':
        evil('_evil').replace('</saml:Issuer>', `</saml:Issuer>${signature.replace('</ds:Signature>',
          `<ds:Object>${unsignedOriginal}</ds:Object></ds:Signature>`)}`),
      // 2: the signed original as the last child of an evil, unsigned root.
      'signed original inside an evil root':
        evil('_evil').replace('</samlp:LogoutRequest>', `${signed}</samlp:LogoutRequest>`),
      // 3: an evil root that takes the original's ID and signature; the original in Extensions.
      'evil root with the same ID, original in Extensions':
        evil('_orig', `<samlp:Extensions>${unsignedOriginal}</samlp:Extensions>`)
          .replace('</saml:Issuer>', `</saml:Issuer>${signature}`),
      // 4: the signed original in the Extensions of an evil root without a signature of its own.
      'signed original in the Extensions of an evil root':
        evil('_evil', `<samlp:Extensions>${signed}</samlp:Extensions>`),
      // 5: the signed request with its NameID and SessionIndex changed after signing.
      'content changed after signing':
        signed.replace('>nobody<', `>${victim.nameId}<`).replace('>_none<', `>${victim.sessionIndex}<`),
    };
    for (const [name, xml] of Object.entries(wrapped)) {
      const res = await postSoap(xml);
      const body = await res.text();
      assert.ok(res.status === 400 || res.status === 403, `${name}: ${res.status} ${body}`);
      assert.equal(await liveSessions(), 1, `${name}: the session survives`);
    }
  });

  it('does not read a NameID split by a comment as its first part', async () => {
    // exc-c14n drops comments, so the signature holds; the value is "<victim>.evil", not the victim.
    const xml = await signEnveloped(sp, request({ nameId: `${victim.nameId}<!---->.evil` }));
    const res = await postSoap(xml);
    const body = await res.text();
    assert.ok(res.status === 400 || /UnknownPrincipal/.test(body), `${res.status} ${body}`);
    assert.equal(await liveSessions(), 1);
  });

  it('answers UnknownPrincipal for a wrong NameID or SessionIndex, and refuses a replay', async () => {
    const wrongName = await signEnveloped(sp, request({ nameId: 'someone-else' }));
    await answeredOverSoap(wrongName, 'UnknownPrincipal', 'wrong NameID');
    await answeredOverSoap(await signEnveloped(sp, request({ sessionIndex: '_another' })),
      'UnknownPrincipal', 'wrong SessionIndex');
    await answeredOverSoap(await signEnveloped(sp, request({ nameIdAttributes: `Format="${PERSISTENT}" SPNameQualifier="http://elsewhere.test"` })),
      'UnknownPrincipal', 'wrong SPNameQualifier');
    await refusedOverSoap(wrongName, 400, 'the same ID again');
  });

  it('refuses a wrong Issuer, a stale IssueInstant and a wrong Destination', async () => {
    await refusedOverSoap(await signEnveloped(sp, request({ issuer: 'http://unknown-sp.test/metadata' })),
      403, 'unregistered Issuer');
    const stale = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await refusedOverSoap(await signEnveloped(sp, request({ issueInstant: stale })), 400, 'stale');
    const future = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await refusedOverSoap(await signEnveloped(sp, request({ issueInstant: future })), 400, 'future');
    await refusedOverSoap(await signEnveloped(sp, request({ destination: 'http://other-idp.test/slo' })),
      400, 'wrong Destination');
  });

  it('refuses XXE, billion laughs, oversized and malformed XML', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${request({ nameId: '&x;' })}`;
    const laughs = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>${request({ nameId: '&d;' })}`;
    for (const [name, body] of [['XXE', xxe], ['billion laughs', laughs]]) {
      const res = await fetch(slo, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      assert.equal(res.status, 400, name);
      await res.body?.cancel();
    }
    await refusedOverSoap(request().replace('</saml:Issuer>', '</saml:Issue>'), 400, 'malformed');
    const big = await postSoap(request({ extra: `<samlp:Extensions>${'x'.repeat(200_000)}</samlp:Extensions>` }));
    assert.equal(big.status, 413, 'larger than the body limit');
    await big.body?.cancel();
    assert.equal(await liveSessions(), 1);
  });

  it('refuses a DEFLATE bomb and a RelayState that is not a plain value on HTTP-Redirect', async () => {
    const bomb = deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 'a'));
    const cases = {
      'DEFLATE bomb': redirectQuery('', { deflated: bomb }),
      'RelayState with a control character': redirectQuery(request(), { sp, relayState: 'a\nb' }),
      'RelayState over 512 bytes': redirectQuery(request(), { sp, relayState: 'r'.repeat(600) }),
      'two SAMLRequests': `${redirectQuery(request())}&${redirectQuery(request())}`,
    };
    for (const [name, query] of Object.entries(cases)) {
      const res = await browse(`${slo}?${query}`, jar);
      assert.ok(res.status === 400 || res.status === 414 || res.status === 431, `${name}: ${res.status}`);
      await res.body?.cancel();
    }
    assert.equal(await liveSessions(), 1);
    await assertHealthy(gatehouse);
  });

  it("accepts the seed's Entra-style LogoutRequest, signed, with lower-case percent-encoding", async () => {
    // Seed 002's shape: default namespaces, no Destination, no SessionIndex, an "id…" ID; the
    // session is the browser's, and the NameID must match it exactly.
    const seed = `<samlp:LogoutRequest xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="id${newId().slice(1)}" Version="2.0" IssueInstant="${new Date().toISOString()}" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">
  <Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${sp.entityId}</Issuer>
  <NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">${victim.nameId}</NameID>
</samlp:LogoutRequest>`;
    const query = redirectQuery(seed, { sp, relayState: 'seed/rs?x=1', lowerCase: true });
    assert.match(query, /%2f/, 'lower-case escapes');
    const { url } = await browseIdp(`${slo}?${query}`, { jar });
    assert.ok(url, 'redirected back to the SP with a LogoutResponse');
    assert.equal(url.origin + url.pathname, `${sp.base}/sls`);
    assert.equal(url.searchParams.get('RelayState'), 'seed/rs?x=1');
    const response = inflateRawSync(Buffer.from(url.searchParams.get('SAMLResponse'), 'base64'))
      .toString();
    assert.match(response, new RegExp(`StatusCode Value="${STATUS}Success"/>`));
    assert.equal(await liveSessions(), 0, 'the person is signed out');
    await assertHealthy(gatehouse);
  });
});
