// Signing in through an upstream identity provider and out of it, as a person sees it in headless
// Chromium. The upstream is a second Gatehouse named `localhost` (another site than the
// downstream Gatehouse on 127.0.0.1, so neither can read the other's cookies), reached over
// OpenID Connect or as a SAML 2.0 IdP; Mail (127.0.0.1, back-channel logout) and Docs (localhost,
// front-channel) sign in at the downstream one.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startGatehouse } from '../interop/harness.mjs';
import {
  DEMO_USER, appSpec, freePort, freshPage, launchChromium, outputs, screenshot, skipUnlessChromium,
  startDemo,
} from './apps.mjs';
import {
  eventually, expectPasswordAsked, expectSignedIn, openWithoutPassword, sectionUrl, signOut,
} from './steps.mjs';

skipUnlessChromium();

const TEST_TIMEOUT_MS = 90_000;

let browser;
before(async () => { browser = await launchChromium(); });
after(() => browser?.close());

/**
 * The upstream Gatehouse on http://localhost:<port>, Gatehouse with Mail and Docs downstream of it,
 * and the downstream registered at the upstream (front- or back-channel, as `upstreamChannel`),
 * as its OpenID Connect client or (`protocol` 'saml') its SAML service provider.
 */
async function startFederation(t, upstreamChannel, protocol = 'oidc') {
  const port = await freePort();
  const upstreamServer = await startGatehouse({
    users: [DEMO_USER],
    env: { GATEHOUSE_SERVER_LISTEN: `127.0.0.1:${port}`, GATEHOUSE_ISSUER: `http://localhost:${port}` },
  });
  t.after(() => upstreamServer.stop());
  const upstream = { ...upstreamServer, issuer: `http://localhost:${port}` };

  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-federation-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = path.join(dir, 'gatehouse.toml');
  let reachedBy = [`issuer = "${upstream.issuer}"`, 'client_id = "downstream"'];
  if (protocol === 'saml') {
    const metadataFile = path.join(dir, 'corporate-idp.xml');
    await writeFile(metadataFile, await (await fetch(`${upstream.issuer}/saml/metadata`)).text());
    reachedBy = ['protocol = "saml"', `metadata_file = "${metadataFile}"`,
      'username_claim = "username"', 'email_claim = "email"', 'name_claim = "name"'];
  }
  await writeFile(config, [
    '[[upstream]]', 'id = "corp"', 'name = "Corporate SSO"', ...reachedBy, 'link_by = "username"', '',
  ].join('\n'));
  const secret = 'downstream-secret-0123456789';
  const demo = await startDemo(t, {
    mail: appSpec('mail', {
      name: 'Mail', section: 'Inbox', host: '127.0.0.1', port: await freePort(), channels: ['back'],
    }),
    docs: appSpec('docs', {
      name: 'Docs', section: 'Documents', host: 'localhost', port: await freePort(),
      channels: ['front'], accent: '#0f7b5f',
    }),
  }, { idpEnv: { GATEHOUSE_CONFIG: config, GATEHOUSE_UPSTREAM_CORP_CLIENT_SECRET: secret } });
  const base = `${demo.idp.issuer}/upstream/corp`;
  if (protocol === 'saml') {
    const spFile = path.join(dir, 'gatehouse-sp.xml');
    await writeFile(spFile, await (await fetch(`${base}/saml`)).text());
    await upstream.cli(['saml', 'sp', 'add', '--metadata', spFile, '--name', 'Gatehouse',
      '--attributes', 'username,email,name',
      '--slo-binding', upstreamChannel === 'front' ? 'redirect' : 'soap']);
    return { ...demo, upstream };
  }
  await upstream.cli([
    'client', 'add', '--id', 'downstream', '--secret', secret, '--redirect-uri', `${base}/callback`,
    '--post-logout-redirect-uri', `${base}/signed-out`,
    `--${upstreamChannel}channel-logout-uri`, `${base}/${upstreamChannel}channel-logout`,
  ]);
  return { ...demo, upstream };
}

/** Opens Mail, chooses "Sign in with Corporate SSO" and signs in there with the password. */
async function signInThroughUpstream(page, { mail, idp, upstream }, shots = {}) {
  await page.goto(sectionUrl(mail));
  await expectPasswordAsked(page, idp);
  if (shots.choice) await screenshot(page, shots.choice);
  await page.click('a:has-text("Sign in with Corporate SSO")');
  await expectPasswordAsked(page, upstream);
  await page.fill('#username', DEMO_USER.username);
  await page.fill('#password', DEMO_USER.password);
  if (shots.upstream) await screenshot(page, shots.upstream);
  await Promise.all([page.waitForURL(sectionUrl(mail)), page.click('main button[type=submit]')]);
  await expectSignedIn(page, mail);
}

// Where the browser goes to sign out of the upstream, by how Gatehouse reaches it.
const UPSTREAM_SIGN_OUT = { oidc: '/logout?', saml: '/saml/slo?SAMLRequest=' };

for (const protocol of ['oidc', 'saml']) {
  const shots = protocol === 'oidc';

  test(`${protocol}: signing out of Mail signs out of the upstream too, and lands back on Mail with its state`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const demo = await startFederation(t, 'back', protocol);
    const { mail, idp, upstream } = demo;
    const page = await freshPage(t, browser);
    await signInThroughUpstream(page, demo, shots
      ? { choice: '8-sign-in-with-corporate-sso', upstream: '9-corporate-sso-sign-in' } : {});

    const upstreamVisits = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${upstream.issuer}${UPSTREAM_SIGN_OUT[protocol]}`)) upstreamVisits.push(r.url());
    });
    const { state, landed } = await signOut(page, mail, idp);
    assert.equal(landed.searchParams.get('state'), state, 'Mail got its own state back');
    assert.equal(upstreamVisits.length, 1, 'the browser went through the upstream sign-out');
    if (protocol === 'oidc')
      assert.equal(new URL(upstreamVisits[0]).searchParams.get('post_logout_redirect_uri'),
        `${idp.issuer}/upstream/corp/signed-out`);

    // Both sessions are gone: the upstream asks for the password again.
    await page.goto(sectionUrl(mail));
    await expectPasswordAsked(page, idp);
    await page.click('a:has-text("Sign in with Corporate SSO")');
    await expectPasswordAsked(page, upstream).catch((e) => assert.fail(`${e.message}\n${outputs(demo)}`));
    if (shots) await screenshot(page, '10-corporate-sso-asks-again');
  });

  test(`${protocol}: signing out at the upstream signs out of Mail (back-channel) and Docs (front-channel)`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const demo = await startFederation(t, 'front', protocol);
    const { mail, docs, idp, upstream } = demo;
    const page = await freshPage(t, browser);
    await signInThroughUpstream(page, demo);
    await openWithoutPassword(page, docs, idp);
    const docsFrontChannel = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${docs.url}/logout/frontchannel`)) docsFrontChannel.push(r.url());
    });

    // The upstream's own home page and its Sign out button: its signed-out page frames
    // Gatehouse's front-channel endpoint (OIDC) or SAML SLO endpoint with a LogoutRequest, which
    // frames Docs' and tells Mail over the back channel.
    await page.goto(`${upstream.issuer}/`);
    await Promise.all([
      page.waitForURL(`${upstream.issuer}/logout/confirm`),
      page.click('main button:text-is("Sign out")'),
    ]);
    await page.waitForLoadState('load');
    await eventually('Gatehouse to end the session', async () =>
      /upstream_logout/.test(await idp.cli(['session', 'list', '--all'])), 10_000);
    await eventually("Docs' front-channel logout to load", () => docsFrontChannel.length > 0, 10_000);

    for (const app of [mail, docs]) {
      await page.goto(sectionUrl(app));
      await expectPasswordAsked(page, idp).catch((e) => assert.fail(`${app.name}: ${e.message}\n${outputs(demo)}`));
    }
  });
}
