// What the federation suites share: a browser that spans several sites, and a back-channel
// logout receiver standing in for an app.
import http from 'node:http';
import { CookieJar, browse, loginForm } from './harness.mjs';

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

