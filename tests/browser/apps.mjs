// Support for the browser tests: runs gatehouse-sample-app processes next to the IdP the interop
// harness starts, and gives each test a fresh Chromium context. Everything started here is
// stopped by the test that started it (t.after), and killed if the test process dies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { startGatehouse } from '../interop/harness.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const DEMO_USER = Object.freeze({
  username: 'demo', password: 'demo-password', name: 'Demo User', email: 'demo@example.com',
});
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LIMIT = 64 * 1024;

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function appBin() {
  const bin = process.env.GATEHOUSE_APP_BIN;
  if (!bin) throw new Error('set GATEHOUSE_APP_BIN to gatehouse-sample-app (CTest does this)');
  return bin;
}

/** A port nobody listens on right now; the apps' URLs must be known before they start. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * An app's registration and address: `host` is how the browser names it ('127.0.0.1' or
 * 'localhost', another site than the IdP's 127.0.0.1); `channels` lists 'front' and/or 'back'.
 */
export function appSpec(id, { name, section, host, port, channels = [], accent = '#2f5bd3' }) {
  const url = `http://${host}:${port}`;
  return {
    id, name, section, accent, url, port,
    secret: `${id}-secret-0123456789`,
    client: {
      id,
      secret: `${id}-secret-0123456789`,
      redirectUris: [`${url}/callback`],
      postLogoutRedirectUris: [`${url}/signed-out`],
      frontchannelLogoutUri: channels.includes('front') ? `${url}/logout/frontchannel` : undefined,
      backchannelLogoutUri: channels.includes('back') ? `${url}/logout/backchannel` : undefined,
    },
  };
}

/**
 * Starts gatehouse-sample-app for `spec` against `issuer`; with `sessionFile` its sessions survive
 * a restart, `maxPending` caps its sign-ins in progress. Resolves when it listens. Returns
 * {pid, output(), stop()}.
 */
export async function startApp(spec, issuer, { sessionFile, checkIntervalMs = 2000, maxPending } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), `gatehouse-app-${spec.id}-`));
  const portFile = path.join(dir, 'port');
  const args = ['--name', spec.name, '--section', spec.section, '--accent', spec.accent,
    '--listen', `127.0.0.1:${spec.port}`, '--base-url', spec.url, '--issuer', issuer,
    '--client-id', spec.id, '--client-secret', spec.secret, '--port-file', portFile,
    '--check-interval-ms', String(checkIntervalMs)];
  if (sessionFile) args.push('--session-file', sessionFile);
  if (maxPending) args.push('--max-pending', String(maxPending));
  const child = spawn(appBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let log = '';
  const output = () => `--- ${spec.name} output (tail) ---\n${log}--- end ---`;
  const collect = (chunk) => { log = (log + chunk).slice(-OUTPUT_LIMIT); };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    resolve({ code, signal });
  }));

  let stopped;
  const stop = () => (stopped ??= (async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const { code, signal } = await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
    assert.equal(code, 0, `${spec.name} exited with ${code ?? signal} after SIGTERM\n${output()}`);
  })());

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await readFile(portFile, 'utf8').catch(() => ''))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop().catch(() => {});
      throw new Error(`${spec.name} did not start\n${output()}`);
    }
    await sleep(50);
  }
  return { pid: child.pid, output, stop };
}

/**
 * The IdP (with the demo user and the apps' registrations) and the apps, all stopped after the
 * test. `apps` maps a key to an appSpec; the result maps it to {…spec, …startApp()}.
 */
export async function startDemo(t, apps, { idpEnv = {}, appOptions = {}, users = [DEMO_USER] } = {}) {
  const idp = await startGatehouse({
    users,
    clients: Object.values(apps).map((a) => a.client),
    env: idpEnv,
  });
  t.after(() => idp.stop());
  const started = { idp };
  for (const [key, spec] of Object.entries(apps)) {
    const app = await startApp(spec, idp.issuer, appOptions[key]);
    t.after(() => app.stop());
    started[key] = { ...spec, ...app };
  }
  return started;
}

const WIKI = path.join(import.meta.dirname, '..', '..', 'apps', 'saml-wiki', 'wiki.py');

/**
 * Starts the Wiki, the demo's SAML service provider (apps/saml-wiki, on Debian's python3-lasso),
 * at http://`host`:`port` against `idp`, and registers it there with `gatehouse saml sp add`
 * (`sloBinding`: its preferred Single Logout binding, 'soap' or 'redirect'). With `hang`, its
 * sign-out endpoints never answer. Stopped after the test. Returns {url, entityId, output(), …}.
 */
export async function startWiki(t, idp, { name = 'Wiki', host = 'localhost', port, sloBinding = 'soap', hang = false }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-wiki-'));
  const url = `http://${host}:${port ?? await freePort()}`;
  const portFile = path.join(dir, 'port');
  const args = [WIKI, '--issuer', idp.issuer, '--base-url', url, '--state-dir', dir,
    '--port-file', portFile];
  if (hang) args.push('--hang');
  const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let log = '';
  const output = () => `--- ${name} output (tail) ---\n${log}--- end ---`;
  const collect = (chunk) => { log = (log + chunk).slice(-OUTPUT_LIMIT); };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', () => { running.delete(child); resolve(); }));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await readFile(portFile, 'utf8').catch(() => ''))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start\n${output()}`);
    await sleep(50);
  }
  await idp.cli(['saml', 'sp', 'add', '--metadata', path.join(dir, 'metadata.xml'), '--name', name,
    '--slo-binding', sloBinding]);
  return { name, url, entityId: `${url}/metadata`, output };
}

/** Outputs of everything a test started, for assertion messages. */
export function outputs(demo) {
  return Object.values(demo).map((p) => p.output?.() ?? '').join('\n');
}

/** Headless Chromium, launched once per test file. */
export async function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: START_TIMEOUT_MS,
  });
}

/** A fresh browser profile (no cookies, no storage) for one test, closed after it. */
export async function freshPage(t, browser) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  context.setDefaultTimeout(10_000);
  t.after(() => context.close());
  return context.newPage();
}

/** A site the IdP and the apps do not know: it counts what reaches it and serves `html` at /. */
export async function startStranger(t, html) {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? html : '<!doctype html><title>Stranger</title><p>Gotcha');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://localhost:${server.address().port}`, hits };
}

/** Saves a screenshot named `name` when GATEHOUSE_SCREENSHOT_DIR is set (the README's). */
export async function screenshot(page, name) {
  const dir = process.env.GATEHOUSE_SCREENSHOT_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

/** Ends a browser test file as skipped (CTest's SKIP_RETURN_CODE 77), saying why, without Chromium. */
export function skipUnlessChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log(`browser tests skipped: ${CHROMIUM} is absent (\`apt-get install chromium\`; ` +
    '`make test` installs it)');
  process.exit(77);
}
