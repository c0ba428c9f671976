// The operator's side of sign-out against the real binary: the `session`, `logout status` and
// `events` commands, the bearer-authenticated /admin/ API and /metrics. A revoke from either one
// must reach every participant through the running server's back-channel delivery.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CookieJar, REDIRECT_URI, SECRET, USER, basicAuth, fetchMetadata, followAuthorization, signIn,
  startGatehouse, until,
} from './harness.mjs';

const TOKEN = 'admin-token-for-the-interop-tests-0123';
const TOKEN_SHA256 = createHash('sha256').update(TOKEN).digest('base64url');
const ADMIN = { authorization: `Bearer ${TOKEN}` };

/** Back-channel logout endpoints on one loopback port: counts the tokens each client path gets. */
async function startReceiver() {
  const received = new Map();
  const server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      received.set(req.url, (received.get(req.url) ?? 0) + 1);
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    uri: (client) => `${base}/${client}`,
    count: (client) => received.get(`/${client}`) ?? 0,
    close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); },
  };
}

const get = (gh, path, headers = ADMIN) => fetch(`${gh.issuer}${path}`, { headers });
const postForm = (gh, path, form, headers = ADMIN) => fetch(`${gh.issuer}${path}`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(form).toString(),
});

describe('operator commands, admin API and metrics', () => {
  let gh;
  let meta;
  let receiver;
  const clients = ['mail', 'wiki', 'docs']; // docs has no back-channel URI

  // A new IdP session of USER in which every client took part; returns its sid.
  async function sessionWithAllClients() {
    const jar = new CookieJar();
    let sid;
    for (const [i, client] of clients.entries()) {
      const url = new URL(meta.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code', client_id: client, redirect_uri: REDIRECT_URI, scope: 'openid',
      });
      const callback = i === 0 ? await signIn(url, USER.username, USER.password, jar)
        : await followAuthorization(url, { jar });
      const res = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client, SECRET) },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: callback.searchParams.get('code'), redirect_uri: REDIRECT_URI,
        }).toString(),
      });
      assert.equal(res.status, 200);
      sid = JSON.parse(Buffer.from((await res.json()).id_token.split('.')[1], 'base64url')).sid;
    }
    return sid;
  }

  before(async () => {
    receiver = await startReceiver();
    gh = await startGatehouse({
      users: [USER],
      clients: clients.map((id) => ({
        id, secret: SECRET, backchannelLogoutUri: id === 'docs' ? undefined : receiver.uri(id),
      })),
      env: { GATEHOUSE_ADMIN_TOKEN_SHA256: TOKEN_SHA256 },
    });
    meta = await fetchMetadata(gh.issuer);
  });
  after(async () => {
    await gh?.stop();
    await receiver?.close();
  });

  it('refuses the admin API and metrics without the token, with a Bearer challenge', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${TOKEN}` }]) {
      for (const path of ['/admin/sessions', '/admin/logout-notifications', '/admin/events', '/metrics']) {
        const res = await get(gh, path, headers);
        assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b/);
        await res.body?.cancel();
      }
      const revoke = await postForm(gh, '/admin/sessions/revoke', { user: USER.username }, headers);
      assert.equal(revoke.status, 401);
      await revoke.body?.cancel();
    }
  });

  it('lists, revokes and reports from the command line; the server delivers', async () => {
    const sid = await sessionWithAllClients();
    const listed = JSON.parse(await gh.cli(['session', 'list', '--user', USER.username, '--json'])).sessions;
    const session = listed.find((s) => s.sid === sid);
    assert.ok(session, `session ${sid} listed: ${JSON.stringify(listed)}`);
    assert.equal(session.username, USER.username);
    assert.equal(session.end_cause, null);
    assert.deepEqual(session.participants.map((p) => p.client_id).sort(), [...clients].sort());
    const table = await gh.cli(['session', 'list']);
    assert.match(table, /^sid\tusername\tidp\tauth_time\tlast_seen_at\tparticipants\tend_cause$/m);
    const row = table.split('\n').find((line) => line.startsWith(`${sid}\t`))?.split('\t');
    assert.ok(row, table);
    assert.equal(row[1], USER.username);
    assert.equal(row[2], 'local', 'signed in with the password form');
    assert.deepEqual(row[5].split(',').sort(), [...clients].sort());
    assert.equal(row[6], '-');

    const ended = JSON.parse(await gh.cli(['session', 'revoke', '--sid', sid, '--json'])).ended;
    assert.equal(ended.length, 1);
    assert.equal(ended[0].ended_now, true);
    assert.equal(ended[0].end_cause, 'admin');
    const ids = ended[0].participants.filter((p) => p.notification_id !== null).map((p) => p.client_id);
    assert.deepEqual(ids.sort(), ['mail', 'wiki']);

    await until('both tokens delivered', () => receiver.count('mail') >= 1 && receiver.count('wiki') >= 1);
    const status = await until('the outbox to record the deliveries', async () => {
      const report = JSON.parse(await gh.cli(['logout', 'status', '--sid', sid, '--json']));
      return report.notifications.every((n) => n.status === 'delivered') && report;
    });
    assert.equal(status.notifications.length, 2);
    for (const n of status.notifications) {
      assert.equal(n.attempts, 1);
      assert.ok(n.delivered_at);
      assert.equal(n.next_attempt_at, null);
    }
    assert.equal(status.totals.delivered, 2);
    const text = await gh.cli(['logout', 'status', '--sid', sid]);
    assert.match(text, /^id\tsid\tclient_id\tstatus\tattempts\tnext_attempt_at\tlast_error\tdelivered_at$/m);
    assert.match(text, /^totals: pending 0, delivered 2, failed 0$/m);

    const { events } = JSON.parse(await gh.cli(['events', '--json']));
    const mine = events.filter((e) => e.sid === sid);
    assert.deepEqual(mine.map((e) => e.type).slice(0, 2), ['logout.started', 'session.ended']);
    assert.equal(mine[1].detail.cause, 'admin');
    assert.equal(mine.filter((e) => e.type === 'notification.delivered').length, 2);
    const after = JSON.parse(await gh.cli(['events', '--after', String(mine[0].id), '--limit', '1', '--json']));
    assert.equal(after.events.length, 1);
    assert.equal(after.events[0].id, mine[1].id);

    const again = JSON.parse(await gh.cli(['session', 'revoke', '--sid', sid, '--json'])).ended;
    assert.equal(again[0].ended_now, false, 'revoking twice notifies nobody twice');
  });

  it('rejects bad command lines with usage errors', async () => {
    for (const args of [['session', 'revoke'], ['session', 'revoke', '--sid', 'a', '--user', 'b'],
      ['logout', 'status', '--limit', '0'], ['events', '--after', 'x'], ['session', 'frobnicate']]) {
      await assert.rejects(gh.cli(args), /gatehouse: /, args.join(' '));
    }
    await assert.rejects(gh.cli(['session', 'revoke', '--sid', 'no-such-sid']), /no session/);
  });

  it('lists and revokes through the admin API; metrics follow', async () => {
    const before = { mail: receiver.count('mail'), wiki: receiver.count('wiki') };
    const sid = await sessionWithAllClients();

    const listed = await get(gh, `/admin/sessions?user=${USER.username}`);
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('cache-control'), 'no-store');
    assert.ok((await listed.json()).sessions.some((s) => s.sid === sid));

    const res = await postForm(gh, '/admin/sessions/revoke', { user: USER.username });
    assert.equal(res.status, 200);
    const { ended } = await res.json();
    assert.deepEqual(ended.map((e) => e.sid), [sid], 'only the active session is ended');
    await until('both tokens delivered', () =>
      receiver.count('mail') > before.mail && receiver.count('wiki') > before.wiki);

    const notifications = await until('deliveries recorded', async () => {
      const body = await (await get(gh, `/admin/logout-notifications?sid=${sid}`)).json();
      return body.notifications.every((n) => n.status === 'delivered') && body;
    });
    assert.equal(notifications.totals.delivered, 4);
    const all = await (await get(gh, '/admin/sessions?all=1')).json();
    assert.ok(all.sessions.every((s) => s.end_cause === 'admin'), JSON.stringify(all));
    const events = await (await get(gh, '/admin/events?limit=1000')).json();
    assert.ok(events.events.some((e) => e.sid === sid && e.type === 'session.ended'));
    assert.equal(events.next_after, events.events.at(-1).id);

    const metrics = await get(gh, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    // Counters are the server's own (the CLI revoke ran in another process); gauges are the outbox.
    assert.match(text, /^gatehouse_sessions_ended_total 1$/m);
    assert.match(text, /^gatehouse_logouts_started_total 1$/m);
    assert.match(text, /^gatehouse_logout_notifications_delivered_total 4$/m);
    assert.match(text, /^gatehouse_logout_notifications_failed_total 0$/m);
    assert.match(text, /^gatehouse_logout_notifications\{status="delivered"\} 4$/m);
    assert.match(text, /^gatehouse_logout_notifications\{status="pending"\} 0$/m);
  });
});

describe('without an admin token', () => {
  let gh;
  before(async () => { gh = await startGatehouse(); });
  after(() => gh?.stop());

  it('has no admin API, and metrics are open', async () => {
    for (const path of ['/admin/sessions', '/admin/events', '/admin/logout-notifications']) {
      const res = await get(gh, path, {});
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const res = await get(gh, '/metrics', {});
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^gatehouse_sessions_ended_total 0$/m);
  });
});
