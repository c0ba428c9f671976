// What the federation suites share: a browser that spans several sites, a back-channel logout
// receiver standing in for an app, and the downstream Gatehouse with its upstream.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CookieJar, REDIRECT_URI, SECRET, authorizationRequest, basicAuth, browse, fetchMetadata,
  hiddenField, loginForm, post, startGatehouse, until,
} from './harness.mjs';
import { formOf } from './saml/peers.mjs';

export const POST_LOGOUT = 'https://rp.example/bye';

/** A browser: one cookie jar per site, redirects followed across sites. */
export class Browser {
  #jars = new Map();

  jar(url) {
    const origin = new URL(url).origin;
    if (!this.#jars.has(origin)) this.#jars.set(origin, new CookieJar());
    return this.#jars.get(origin);
  }

  request(url, options) { return browse(url, this.jar(url), options); }

  /**
   * Follows redirects from `start` until one leaves for https://rp.example (returns {url}) or a
   * page answers (returns {res, url}), or `leaves(url)` says the browser has arrived. Gatehouse
   * sign-in forms are filled with `credentials`; `answer(url, html)` may answer other pages with
   * {action, form}, submitted as a POST.
   */
  async walk(start, {
    credentials, form, answer, leaves = (url) => url.origin === 'https://rp.example',
  } = {}) {
    let url = new URL(start);
    let res = await this.request(url, form ? { method: 'POST', form } : {});
    for (let hop = 0; hop < 20; hop++) {
      if (res.status === 200 && url.pathname === '/login' && credentials) {
        res = await this.request(new URL('/login', url), {
          method: 'POST', form: loginForm(await res.text(), credentials),
        });
      } else if (res.status === 200 && answer) {
        const html = await res.text();
        const reply = await answer(url, html);
        if (!reply) return { res: new Response(html, { status: 200 }), url };
        url = new URL(reply.action, url);
        res = await this.request(url, { method: 'POST', form: reply.form });
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url };
      await res.body?.cancel();
      url = new URL(location, url);
      if (leaves(url)) return { url };
      res = await this.request(url);
    }
    throw new Error(`too many redirects from ${start}`);
  }
}

/** A `walk` answer that submits auto-POST pages (SAML's HTTP-POST binding) like a browser. */
export function autoPost(url, html) {
  if (!/<form[^>]*method="post"/i.test(html) || !/name="SAML(Request|Response)"/.test(html))
    return undefined;
  const { action, fields } = formOf(html);
  return { action, form: fields };
}

/** "Sign out" on a Gatehouse's home page, as the person clicks it. */
export async function signOutAtHome(browser, issuer) {
  const home = await (await browser.request(`${issuer}/`)).text();
  const res = await browser.request(`${issuer}/logout/confirm`, {
    method: 'POST', form: { csrf_token: hiddenField(home, 'csrf_token') },
  });
  assert.equal(res.status, 200, await res.text());
}

/**
 * The session `sid` at `downstream` was ended by its upstream, and the app behind `receiver` got
 * its back-channel logout token (it had `before` of them).
 */
export async function expectEndedByUpstream({ downstream, receiver, before, sid }) {
  const [token] = await until('the app to get its logout token', () =>
    receiver.tokens.length > before && receiver.tokens.slice(before));
  assert.equal(decodePayload(token).sid, sid);
  assert.match(await downstream.cli(['session', 'list', '--all']),
    new RegExp(`${sid}.*upstream_logout`));
  assert.match(await downstream.cli(['events', '--limit', '1000']), /upstream\.logout_received/);
}

export const decodePayload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));

/** Back-channel logout tokens an app receives. */
export async function startReceiver() {
  const tokens = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      tokens.push(new URLSearchParams(body).get('logout_token'));
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { tokens, url: `http://127.0.0.1:${server.address().port}/bc`, close: () => server.close() };
}


/**
 * A Gatehouse whose one `[[upstream]]` is `id` (named `name`): an OpenID provider at `issuer`,
 * where Gatehouse is the client `clientId` with secret SECRET, or a SAML IdP described by
 * `samlMetadata` (with `settings`, more `key = "value"` lines); and an app 'app' whose
 * back-channel logouts `receiver` gets. Returns {gatehouse, meta, base (its /upstream/<id> URL),
 * signIn(browser, walkOptions) → the app's tokens, endSession(idToken) → the app's RP-initiated
 * logout URL, stop()}.
 */
export async function startDownstream({
  id, name, issuer, clientId, samlMetadata, settings = [], receiver,
}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-federation-'));
  const config = path.join(dir, 'gatehouse.toml');
  let upstream = [`issuer = "${issuer}"`, `client_id = "${clientId}"`];
  if (samlMetadata) {
    const metadataFile = path.join(dir, 'upstream-metadata.xml');
    await writeFile(metadataFile, samlMetadata);
    upstream = ['protocol = "saml"', `metadata_file = "${metadataFile}"`];
  }
  await writeFile(config, [
    '[[upstream]]', `id = "${id}"`, `name = "${name}"`, ...upstream, ...settings,
    'unknown_users = "provision"', '',
  ].join('\n'));
  const secretVariable = `GATEHOUSE_UPSTREAM_${id.toUpperCase().replaceAll('-', '_')}_CLIENT_SECRET`;
  const gatehouse = await startGatehouse({
    env: { GATEHOUSE_CONFIG: config, ...(samlMetadata ? {} : { [secretVariable]: SECRET }) },
    clients: [{
      id: 'app', secret: SECRET, postLogoutRedirectUris: [POST_LOGOUT],
      backchannelLogoutUri: receiver.url,
    }],
  });
  const meta = await fetchMetadata(gatehouse.issuer);

  // Signs in to the app through the upstream (idp_hint skips the choice).
  async function signIn(browser, walkOptions) {
    const { url: authorize, verifier } =
      authorizationRequest(meta, { client_id: 'app', idp_hint: id });
    const { url, res } = await browser.walk(authorize, walkOptions);
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

  return {
    gatehouse, meta, base: `${gatehouse.issuer}/upstream/${id}`, signIn, endSession,
    stop: async () => {
      await gatehouse.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
