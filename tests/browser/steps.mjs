// What a person does in the browser tests, step by step: open an app, sign in at Gatehouse,
// sign out, and what each step must show.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_USER, screenshot } from './apps.mjs';

export const sectionUrl = (app) => `${app.url}/${app.section.toLowerCase()}`;

/** The app's protected page, signed in: its heading and the greeting in the navigation bar. */
export async function expectSignedIn(page, app) {
  assert.equal(page.url(), sectionUrl(app));
  assert.equal(await page.locator('main h1').textContent(), app.section);
  assert.equal(await page.locator('nav .user').textContent(), `Hello ${DEMO_USER.name}`);
}

/**
 * The IdP's sign-in form, right after a navigation: the person is asked for their password. Not
 * waited for, so that the app's session iframe cannot sign it out meanwhile and hide a session
 * the app should not have had.
 */
export async function expectPasswordAsked(page, idp) {
  const url = new URL(page.url());
  assert.equal(url.origin + url.pathname, `${idp.issuer}/login`, 'the IdP asks for the password');
  assert.ok(await page.locator('#password').isVisible(), 'the password field is shown');
}

/** Opens the app's protected page and signs in with the password. */
export async function signIn(page, app, idp, shot) {
  await page.goto(sectionUrl(app));
  await expectPasswordAsked(page, idp);
  await page.fill('#username', DEMO_USER.username);
  await page.fill('#password', DEMO_USER.password);
  if (shot) await screenshot(page, shot);
  await Promise.all([page.waitForURL(sectionUrl(app)), page.click('main button[type=submit]')]);
  await expectSignedIn(page, app);
}

/** Opens the app's protected page, expecting single sign-on: no password form on the way. */
export async function openWithoutPassword(page, app, idp) {
  const forms = [];
  const onResponse = (r) => { if (r.url().startsWith(`${idp.issuer}/login`)) forms.push(r.url()); };
  page.on('response', onResponse);
  await page.goto(sectionUrl(app));
  page.off('response', onResponse);
  assert.deepEqual(forms, [], 'the IdP showed no sign-in form');
  await expectSignedIn(page, app);
}

/**
 * Clicks the app's Sign out and follows the browser to the app's post-logout page; returns the
 * `state` the app sent to the IdP's end_session_endpoint and the final URL.
 */
export async function signOut(page, app, idp) {
  const [logoutRequest] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(`${idp.issuer}/logout?`)),
    page.click('nav button:has-text("Sign out")'),
  ]);
  const sent = new URL(logoutRequest.url()).searchParams;
  assert.equal(sent.get('post_logout_redirect_uri'), `${app.url}/signed-out`);
  assert.ok(sent.get('id_token_hint'), 'the app sends its ID token as hint');
  await page.waitForURL(`${app.url}/signed-out?**`, { timeout: 15_000 });
  assert.equal(await page.locator('main h1').textContent(), 'You are signed out');
  return { state: sent.get('state'), landed: new URL(page.url()) };
}

/** Polls `probe` until it is truthy or `ms` passes. */
export async function eventually(what, probe, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}
