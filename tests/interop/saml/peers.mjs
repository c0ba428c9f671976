// The SAML peers the interop tests sign in and out with: pysaml2_sp.py and lasso_sp.py, each a
// real SP library from Debian driven one JSON line at a time (pysaml2_idp.py, an IdP, is driven
// the same way), and the browser steps between them and Gatehouse.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';

import { browseIdp, decodeHtml } from '../harness.mjs';

export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
export const PARTIAL_LOGOUT = 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout';

/**
 * A SAML peer process (`<script>.py` here) driven one JSON line at a time. Debian's
 * python3-pysaml2/-lasso load only under /usr/bin/python3.
 */
export class PeerProcess {
  constructor(script) {
    this.script = script;
    this.child = spawn('/usr/bin/python3', [path.join(import.meta.dirname, `${script}.py`)],
      { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async call(request) {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    const { value, done } = await this.lines.next();
    assert.ok(!done, `${this.script} exited`);
    const answer = JSON.parse(value);
    assert.equal(answer.error, undefined, `${this.script}: ${answer.error}`);
    return answer;
  }

  async stop() {
    this.child.stdin.end();
    if (this.child.exitCode === null) await once(this.child, 'exit');
  }
}

/** One SP process: `pysaml2` or `lasso`. */
export class SamlSp extends PeerProcess {
  constructor(library) {
    super(`${library}_sp`);
    this.library = library;
  }

  /**
   * Loads Gatehouse's metadata and registers this SP's with `gatehouse saml sp add`;
   * `options` go to the SP's init (pysaml2: `slo_bindings`).
   */
  async register(gatehouse, extraArgs = [], options = {}) {
    const metadata = await (await fetch(`${gatehouse.issuer}/saml/metadata`)).text();
    const init = await this.call({ cmd: 'init', idp_metadata: metadata, ...options });
    const file = path.join(gatehouse.dataDir, `${this.library}-metadata.xml`);
    await writeFile(file, init.metadata);
    await gatehouse.cli(['saml', 'sp', 'add', '--metadata', file, ...extraArgs]);
    this.entityId = init.entity_id;
    return this;
  }

  /** Signs in through Gatehouse; the SP validates the Response. Returns what the SP accepted. */
  async signIn(jar, { binding = 'redirect', credentials } = {}) {
    const request = await this.call({ cmd: 'authn', binding });
    const { res } = await browseIdp(request.url, { jar, credentials, form: request.fields });
    assert.ok(res?.status === 200, 'an auto-POST page to the ACS');
    const { action, fields } = formOf(await res.text());
    assert.match(action, /\/acs$/);
    const login = await this.call({ cmd: 'acs', response: fields.SAMLResponse });
    login.relayState = fields.RelayState;
    login.xml = Buffer.from(fields.SAMLResponse, 'base64').toString('utf8');
    return login;
  }

  /**
   * SP-initiated sign-out through the browser (`redirect` or `post`): sends the SP's LogoutRequest
   * to Gatehouse, follows it to the LogoutResponse and has the SP validate it. Returns the SP's
   * reading of the status and the RelayState it sent and got back.
   */
  async signOutThroughBrowser(jar, binding) {
    const request = await this.call({ cmd: 'logout', binding });
    const sent = request.fields?.RelayState ?? new URL(request.url).searchParams.get('RelayState');
    const { url, res } = await browseIdp(request.url, { jar, form: request.fields });
    if (binding === 'redirect') {
      assert.ok(url, `redirected back to the SP, got ${res?.status}: ${await res?.text()}`);
      const answer = await this.call({ cmd: 'logout_response', binding, query: url.search.slice(1),
        message: url.searchParams.get('SAMLResponse') });
      return { ...answer, sent, echoed: url.searchParams.get('RelayState'), at: url };
    }
    assert.equal(res?.status, 200, 'an auto-POST page carrying the LogoutResponse');
    const { action, fields } = formOf(await res.text());
    const answer = await this.call({ cmd: 'logout_response', binding, message: fields.SAMLResponse });
    return { ...answer, sent, echoed: fields.RelayState, at: new URL(action) };
  }

  /** IdP-initiated LogoutRequests the SP's SOAP endpoint has handled so far. */
  async received() {
    return (await this.call({ cmd: 'received' })).received;
  }

}

/** The action and fields of an auto-POST form page. */
export function formOf(html) {
  const action = decodeHtml(html.match(/<form[^>]*action="([^"]*)"/)[1]);
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    fields[decodeHtml(m[1])] = decodeHtml(m[2]);
  return { action, fields };
}
