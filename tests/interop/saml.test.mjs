// SAML 2.0 interoperability: pysaml2 (Debian's python3-pysaml2), an SP that is not our code,
// signs in through Gatehouse and signs out over every binding; Gatehouse's messages are validated
// by pysaml2's own xmlsec1-based checks. The SP runs in tests/interop/saml/pysaml2_sp.py, driven
// line by line; it serves its SOAP SingleLogoutService on its own loopback port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, it } from 'node:test';

import { assertHealthy, browse, CookieJar, startGatehouse, USER } from './harness.mjs';

const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const PARTIAL_LOGOUT = 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout';

/** One pysaml2 service provider process. */
class PySaml2Sp {
  constructor() {
    this.child = spawn('/usr/bin/python3', [path.join(import.meta.dirname, 'saml', 'pysaml2_sp.py')],
      { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async call(request) {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    const { value, done } = await this.lines.next();
    assert.ok(!done, 'the pysaml2 SP exited');
    const answer = JSON.parse(value);
    assert.equal(answer.error, undefined, `pysaml2 SP: ${answer.error}`);
    return answer;
  }

  async stop() {
    this.child.stdin.end();
    if (this.child.exitCode === null) await once(this.child, 'exit');
  }
}

const decodeHtml = (s) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) =>
  ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]);

/** The action and fields of an auto-POST form page. */
function formOf(html) {
  const action = decodeHtml(html.match(/<form[^>]*action="([^"]*)"/)[1]);
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    fields[decodeHtml(m[1])] = decodeHtml(m[2]);
  return { action, fields };
}

/** Follows redirects at Gatehouse, signing in when the login page appears; returns the last response. */
async function browseIdp(url, jar, idp, credentials) {
  for (let hop = 0; hop < 10; hop++) {
    let res = await browse(url, jar);
    if (res.status === 200 && new URL(url).pathname === '/login') {
      const html = await res.text();
      const field = (name) => decodeHtml(html.match(new RegExp(`name="${name}" value="([^"]*)"`))[1]);
      res = await browse(new URL('/login', idp), jar, {
        method: 'POST',
        form: { csrf_token: field('csrf_token'), return_to: field('return_to'), ...credentials },
      });
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return res;
    await res.body?.cancel();
    url = new URL(location, url).toString();
    if (!url.startsWith(idp)) return { redirectedTo: url };
  }
  throw new Error('too many redirects');
}

describe('SAML 2.0 with pysaml2 as the service provider', () => {
  let gatehouse;
  let sp;
  let spDown;

  before(async () => {
    gatehouse = await startGatehouse({ users: [USER] });
    const metadata = await (await fetch(`${gatehouse.issuer}/saml/metadata`)).text();
    sp = new PySaml2Sp();
    const init = await sp.call({ cmd: 'init', idp_metadata: metadata });
    const file = path.join(gatehouse.dataDir, 'sp-metadata.xml');
    await writeFile(file, init.metadata);
    await gatehouse.cli(['saml', 'sp', 'add', '--metadata', file, '--name', 'Wiki',
      '--attributes', 'email,name']);
    sp.entityId = init.entity_id;
  });
  after(async () => {
    await sp?.stop();
    await spDown?.stop();
    await gatehouse?.stop();
  });

  async function signIn(jar, credentials) {
    const { url } = await sp.call({ cmd: 'authn' });
    const res = await browseIdp(url, jar, gatehouse.issuer, credentials);
    assert.equal(res.status, 200, 'an auto-POST page to the ACS');
    const { action, fields } = formOf(await res.text());
    assert.ok(action.endsWith('/sp/acs'));
    assert.equal(fields.RelayState, 'rs-1');
    const login = await sp.call({ cmd: 'acs', response: fields.SAMLResponse });
    login.xml = Buffer.from(fields.SAMLResponse, 'base64').toString('utf8');
    return login;
  }

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
    const login = await signIn(jar, { username: USER.username, password: USER.password });
    assert.equal(login.sp_name_qualifier, sp.entityId);
    assert.ok(login.session_index.startsWith('_'));
    // Released attributes (pysaml2 drops names outside its converter maps, so read the XML).
    assert.match(login.xml, new RegExp(`Name="email"[^>]*><saml:AttributeValue>${USER.email}<`));
    assert.match(login.xml, new RegExp(`Name="name"[^>]*><saml:AttributeValue>${USER.name}<`));
    const sessions = JSON.parse(await gatehouse.cli(['session', 'list', '--json']));
    assert.equal(sessions.sessions.length, 1);

    const { url } = await sp.call({ cmd: 'logout', binding: 'redirect' });
    const res = await browseIdp(url, jar, gatehouse.issuer);
    assert.ok(res.redirectedTo, 'redirected back to the SP with a LogoutResponse');
    const back = new URL(res.redirectedTo);
    // RelayState echoed byte for byte (Bindings §3.4.3).
    assert.equal(back.searchParams.get('RelayState'), new URL(url).searchParams.get('RelayState'));
    const answer = await sp.call({ cmd: 'logout_response', binding: 'redirect',
      message: back.searchParams.get('SAMLResponse'), query: back.search.slice(1) });
    assert.equal(answer.status, STATUS_SUCCESS);
    const after = JSON.parse(await gatehouse.cli(['session', 'list', '--json']));
    assert.equal(after.sessions.length, 0, 'the IdP session ended');
    await assertHealthy(gatehouse);
  });
});
