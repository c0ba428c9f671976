// One Gatehouse session with an OpenID Connect app and a SAML app, as a person sees it in headless
// Chromium: Mail (gatehouse-rp, on 127.0.0.1) and Wiki (apps/saml-wiki on lasso, on localhost —
// another site than the IdP's, so nothing may rest on third-party cookies). One password signs in
// to both; signing out of either signs out of the other, over every channel each protocol has;
// a SAML app that hangs cannot hold the sign-out of the others.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DEMO_USER, appSpec, freePort, freshPage, launchChromium, outputs, screenshot, skipUnlessChromium,
  startDemo, startWiki,
} from './apps.mjs';
import { expectPasswordAsked, openWithoutPassword, sectionUrl, signIn, signOut } from './steps.mjs';

skipUnlessChromium();

const TEST_TIMEOUT_MS = 90_000;

let browser;
before(async () => { browser = await launchChromium(); });
after(() => browser?.close());

async function mail(channels) {
  return appSpec('mail', {
    name: 'Mail', section: 'Inbox', host: '127.0.0.1', port: await freePort(), channels,
  });
}

/** Opens Wiki's protected page: with `password`, through Gatehouse's sign-in form. */
async function openWiki(page, wiki, idp, { password = false, shot } = {}) {
  await page.goto(`${wiki.url}/pages`);
  if (password) {
    await expectPasswordAsked(page, idp);
    await page.fill('#username', DEMO_USER.username);
    await page.fill('#password', DEMO_USER.password);
    await Promise.all([page.waitForURL(`${wiki.url}/pages`), page.click('main button[type=submit]')]);
  }
  assert.equal(page.url(), `${wiki.url}/pages`, 'Wiki opened without another sign-in');
  assert.equal(await page.locator('main h1').textContent(), 'Pages');
  assert.equal(await page.locator('nav .user').textContent(), `Hello ${DEMO_USER.name}`);
  if (shot) await screenshot(page, shot);
}

/** Wiki's Sign out: a LogoutRequest to Gatehouse, and back to Wiki's signed-out page. */
async function signOutOfWiki(page, wiki) {
  await page.click('nav button:has-text("Sign out")');
  await page.waitForURL(`${wiki.url}/signed-out`, { timeout: 20_000 });
  assert.equal(await page.locator('main h1').textContent(), 'You are signed out');
}

/** The IdP session is gone and `app` no longer opens with its old session. */
async function expectSignedOutOf(page, url, idp, demo) {
  await page.goto(url);
  await expectPasswordAsked(page, idp).catch((e) => assert.fail(`${e.message}\n${outputs(demo)}`));
}

for (const channel of ['back', 'front']) {
  test(`signing out of Wiki (SAML) signs out of Mail (OIDC, ${channel}-channel)`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const demo = await startDemo(t, { mail: await mail([channel]) });
    const { idp } = demo;
    const wiki = await startWiki(t, idp, {});
    demo.wiki = wiki;
    const page = await freshPage(t, browser);
    await signIn(page, demo.mail, idp);
    await openWiki(page, wiki, idp);

    await signOutOfWiki(page, wiki);
    await expectSignedOutOf(page, sectionUrl(demo.mail), idp, demo);
    await expectSignedOutOf(page, `${wiki.url}/pages`, idp, demo);
  });
}

for (const sloBinding of ['soap', 'redirect']) {
  const how = sloBinding === 'soap' ? 'SOAP from the outbox' : 'HTTP-Redirect in the browser';
  test(`signing out of Mail (OIDC) signs out of Wiki (SAML, ${how})`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const demo = await startDemo(t, { mail: await mail(['front']) });
    const { idp } = demo;
    const wiki = await startWiki(t, idp, { sloBinding });
    demo.wiki = wiki;
    const page = await freshPage(t, browser);
    const shots = sloBinding === 'soap';
    await openWiki(page, wiki, idp, { password: true, shot: shots && '5-wiki-signed-in' });
    await openWithoutPassword(page, demo.mail, idp);
    if (shots) await screenshot(page, '6-mail-without-password');

    await signOut(page, demo.mail, idp);
    await page.goto(`${wiki.url}/pages`);
    await expectPasswordAsked(page, idp).catch((e) => assert.fail(`${e.message}\n${outputs(demo)}`));
    if (shots) {
      await page.goto(`${wiki.url}/`);
      await screenshot(page, '7-wiki-signed-out-by-mail');
    }
    await expectSignedOutOf(page, sectionUrl(demo.mail), idp, demo);
  });
}

test('a SAML app that hangs does not hold the sign-out of the others', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const demo = await startDemo(t, { mail: await mail(['front']) });
  const { idp } = demo;
  const wiki = await startWiki(t, idp, {});
  const hung = await startWiki(t, idp, { name: 'Hung', host: '127.0.0.1', sloBinding: 'redirect', hang: true });
  demo.wiki = wiki;
  demo.hung = hung;
  const page = await freshPage(t, browser);
  await signIn(page, demo.mail, idp);
  await openWiki(page, wiki, idp);
  await page.goto(`${hung.url}/pages`);
  assert.equal(page.url(), `${hung.url}/pages`);
  await page.goto(sectionUrl(demo.mail));

  const started = Date.now();
  await signOut(page, demo.mail, idp);
  assert.ok(Date.now() - started < 15_000, 'the signed-out page moved on without the hung app');
  await expectSignedOutOf(page, `${wiki.url}/pages`, idp, demo);
  await expectSignedOutOf(page, sectionUrl(demo.mail), idp, demo);
});
