// Resident memory of the server (driven by bench/memory.sh): at start and after one password
// sign-in with a code flow, on the data directory DATA (which may hold many sessions already).
// Environment: GATEHOUSE_BIN, DATA, LABEL.
import { readFile } from 'node:fs/promises';

import { CookieJar, signIn, startGatehouse } from '../tests/interop/harness.mjs';
import { REDIRECT_URI, SECRET, USER } from './bench_support.mjs';

const env = process.env;
const rssMb = async (pid) => Number((await readFile(`/proc/${pid}/status`, 'utf8')).match(/VmRSS:\s+(\d+)/)[1]) / 1024;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

const gh = await startGatehouse({
  env: { GATEHOUSE_LOG_LEVEL: 'warn' }, dataDir: env.DATA, users: [USER],
  clients: [{ id: 'app', secret: SECRET }],
});
try {
  await settle();
  const idle = await rssMb(gh.pid);
  const url = new URL(`${gh.url}/authorize`);
  url.search = new URLSearchParams({ response_type: 'code', client_id: 'app', redirect_uri: REDIRECT_URI, scope: 'openid', state: 's', nonce: 'n' });
  await signIn(url, USER.username, USER.password, new CookieJar());
  await settle();
  console.log(`| ${env.LABEL} | ${idle.toFixed(1)} MB | ${(await rssMb(gh.pid)).toFixed(1)} MB |`);
} finally {
  await gh.stop();
}
