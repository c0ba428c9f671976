// Single sign-on and single sign-out as a person sees them: two sample apps on gatehouse-rp
// (Mail on 127.0.0.1, the IdP's site; Docs on localhost, another site), the real IdP, and headless
// Chromium. Every assertion is about what the page shows or where the browser ends up.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEMO_USER, appSpec, freePort, freshPage, launchChromium, outputs, screenshot, skipUnlessChromium,
  startApp, startDemo, startStranger,
} from './apps.mjs';
import {
  eventually, expectPasswordAsked, expectSignedIn, openWithoutPassword, sectionUrl, signIn, signOut,
} from './steps.mjs';

skipUnlessChromium();

const TEST_TIMEOUT_MS = 90_000;
const CHECK_INTERVAL_MS = 2_000;  // the apps' session-management polling interval here

let browser;
before(async () => { browser = await launchChromium(); });
after(() => browser?.close());

async function mailAndDocs(mailChannels, docsChannels) {
  return {
    mail: appSpec('mail', {
      name: 'Mail', section: 'Inbox', host: '127.0.0.1', port: await freePort(), channels: mailChannels,
    }),
    docs: appSpec('docs', {
      name: 'Docs', section: 'Documents', host: 'localhost', port: await freePort(), channels: docsChannels,
      accent: '#0f7b5f',
    }),
  };
}

test('signing in to Mail signs in to Docs without a password (SSO)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { idp, mail, docs } = await startDemo(t, await mailAndDocs(['front'], ['back']));
  const page = await freshPage(t, browser);
  await signIn(page, mail, idp);
  await openWithoutPassword(page, docs, idp);
  // And the home page greets the person by name, with Sign out in the navigation bar.
  await page.goto(`${docs.url}/`);
  assert.equal(await page.locator('nav .user').textContent(), `Hello ${DEMO_USER.name}`);
  assert.ok(await page.locator('nav button:has-text("Sign out")').isVisible());
});

for (const channel of ['front', 'back']) {
  test(`signing out of Mail signs out of Docs (Docs told by ${channel}-channel only)`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const demo = await startDemo(t, await mailAndDocs(['front'], [channel]));
    const { idp, mail, docs } = demo;
    const page = await freshPage(t, browser);
    await signIn(page, mail, idp);
    await openWithoutPassword(page, docs, idp);
    await page.goto(sectionUrl(mail));

    const { state, landed } = await signOut(page, mail, idp);
    assert.equal(landed.origin + landed.pathname, `${mail.url}/signed-out`);
    assert.equal(landed.searchParams.get('state'), state, 'the original state comes back');

    // Seed 000: Mail's own cookie is gone, and so is the IdP session — the password is asked.
    await page.goto(sectionUrl(mail));
    await expectPasswordAsked(page, idp);
    // Docs was told: its protected page no longer opens with its old session.
    await page.goto(sectionUrl(docs));
    await expectPasswordAsked(page, idp).catch((e) => assert.fail(`${e.message}\n${outputs(demo)}`));
  });
}

test('Mail notices a sign-out in Docs through session management alone', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  // Mail registers no logout channel: only its session iframe can tell it.
  const demo = await startDemo(t, await mailAndDocs([], ['back']));
  const { idp, mail, docs } = demo;
  const mailTab = await freshPage(t, browser);
  await signIn(mailTab, mail, idp, '1-sign-in-to-mail');
  await mailTab.goto(`${mail.url}/`);
  assert.equal(await mailTab.locator('nav .user').textContent(), `Hello ${DEMO_USER.name}`);

  const docsTab = await mailTab.context().newPage();
  await openWithoutPassword(docsTab, docs, idp);
  await screenshot(docsTab, '2-docs-without-password');
  await signOut(docsTab, docs, idp);
  await screenshot(docsTab, '3-signed-out-of-docs');

  // Within one polling interval (plus the prompt=none round trip) Mail shows itself signed out.
  const signedOutBy = Date.now() + CHECK_INTERVAL_MS + 8_000;
  await mailTab.bringToFront();
  await eventually('Mail to show Sign in', async () =>
    (await mailTab.locator('nav a.button:has-text("Sign in")').count()) === 1, signedOutBy - Date.now())
    .catch((e) => assert.fail(`${e.message}\n${outputs(demo)}`));
  assert.equal(mailTab.url(), `${mail.url}/`);
  assert.match(await mailTab.locator('main').textContent(), /You are not signed in/);
  await screenshot(mailTab, '4-mail-signed-out');
});

test('the next person signing in on a shared computer signs the previous one out of every app', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const next = { username: 'next', password: 'the-next-persons-password', name: 'Next Person', email: 'next@example.com' };
  const demo = await startDemo(t, await mailAndDocs([], ['back']), { users: [DEMO_USER, next] });
  const { idp, mail, docs } = demo;
  const mailTab = await freshPage(t, browser);
  await signIn(mailTab, mail, idp);
  await mailTab.goto(`${mail.url}/`);
  const docsTab = await mailTab.context().newPage();
  await openWithoutPassword(docsTab, docs, idp);

  // The next person signs in at Gatehouse in the same browser.
  await docsTab.goto(`${idp.issuer}/login`);
  await docsTab.fill('#username', next.username);
  await docsTab.fill('#password', next.password);
  await Promise.all([docsTab.waitForURL(`${idp.issuer}/`), docsTab.click('main button[type=submit]')]);
  assert.match(await docsTab.locator('main').textContent(), /signed in to Gatehouse as next/);

  // Mail's session check says "changed" and its recheck is not answered for the next person.
  await mailTab.bringToFront();
  await eventually('Mail to show Sign in', async () =>
    (await mailTab.locator('nav a.button:has-text("Sign in")').count()) === 1, CHECK_INTERVAL_MS + 8_000)
    .catch((e) => assert.fail(`${e.message}\n${outputs(demo)}`));
  // Docs was told by back channel: the previous person's Docs session is gone, and opening Docs
  // now signs in the next person.
  await docsTab.goto(sectionUrl(docs));
  await docsTab.waitForURL(sectionUrl(docs));
  assert.equal(await docsTab.locator('nav .user').textContent(), `Hello ${next.name}`);
});

test('an unregistered post-logout redirect never happens; a forged logout link asks first', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { idp, mail } = await startDemo(t, await mailAndDocs(['front'], ['back']));
  const stranger = await startStranger(t,
    `<!doctype html><title>Prizes</title><a id="prize" href="${idp.issuer}/logout">Claim your prize</a>`);
  const page = await freshPage(t, browser);
  await signIn(page, mail, idp);

  // A link on another site to the IdP's logout, without id_token_hint: a confirmation, no sign-out.
  await page.goto(stranger.url);
  await Promise.all([page.waitForURL(`${idp.issuer}/logout**`), page.click('#prize')]);
  assert.equal(await page.locator('main h1').textContent(), 'Sign out?');
  await page.goto(sectionUrl(mail));
  await expectSignedIn(page, mail);

  // A post_logout_redirect_uri Mail never registered: signed out, but the browser stays at the IdP.
  const evil = `${stranger.url}/steal`;
  await page.goto(`${idp.issuer}/logout?client_id=mail&post_logout_redirect_uri=${encodeURIComponent(evil)}&state=s1`);
  assert.equal(await page.locator('main h1').textContent(), 'Sign out?');
  await page.click('main button[value=signout]');
  await page.waitForLoadState('load');
  await sleep(5_000);  // longer than the signed-out page waits before it continues anywhere
  assert.ok(page.url().startsWith(idp.issuer), `stayed at the IdP, not ${page.url()}`);
  assert.match(await page.locator('main').textContent(), /signed out/);
  assert.deepEqual(stranger.hits.filter((h) => h.startsWith('/steal')), []);
  await page.goto(sectionUrl(mail));
  await expectPasswordAsked(page, idp);
});

test('an app that is down at sign-out gets its back-channel logout when it is back', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-docs-sessions-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sessionFile = path.join(dir, 'sessions.jsonl');
  const specs = await mailAndDocs(['front'], ['back']);
  const demo = await startDemo(t, specs, {
    // Retries within seconds, so the test need not wait for the default backoff.
    idpEnv: { GATEHOUSE_LOGOUT_RETRY_FIRST_DELAY_SECONDS: '1', GATEHOUSE_LOGOUT_RETRY_MAX_DELAY_SECONDS: '2' },
    appOptions: { docs: { sessionFile } },
  });
  const { idp, mail, docs } = demo;
  const page = await freshPage(t, browser);
  await signIn(page, mail, idp);
  await openWithoutPassword(page, docs, idp);

  await docs.stop();
  await page.goto(sectionUrl(mail));
  await signOut(page, mail, idp);

  // Docs comes back with the sessions it had; the IdP's retry reaches it and ends the old one.
  const restarted = await startApp(specs.docs, idp.issuer, { sessionFile });
  t.after(() => restarted.stop());
  await eventually('the back-channel logout to reach Docs',
    () => /rp_backchannel_logout.*sessions[=":]+1/.test(restarted.output()), 20_000)
    .catch((e) => assert.fail(`${e.message}\n${restarted.output()}\n${idp.output()}`));
  await page.goto(sectionUrl(docs));
  await expectPasswordAsked(page, idp);
});
