// The parts of a real multi-node deployment, run on loopback for a test: a throwaway PostgreSQL
// (tests/support/throwaway-postgres.sh) and nginx from Debian as the load balancer, both as
// the user running the test, in temporary directories they leave with.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './harness.mjs';

const SCRIPT = fileURLToPath(new URL('../support/throwaway-postgres.sh', import.meta.url));

const run = (file, args, options = {}) => new Promise((resolve, reject) => {
  execFile(file, args, { timeout: 90_000, ...options }, (error, stdout, stderr) => {
    if (error) reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`));
    else resolve(stdout.trim());
  });
});

/**
 * A PostgreSQL server of the test's own. Returns {url, sql(text) → psql's output, stop(),
 * start(), destroy()}; `stop` is a fast shutdown (sessions cut off), as a database restart does.
 */
export async function startPostgres() {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'gatehouse-pg-')), 'pg');
  const url = await run('bash', [SCRIPT, 'start', dir]);
  return {
    url,
    sql: (text) => run('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', text]),
    stop: () => run('bash', [SCRIPT, 'stop', dir]),
    start: () => run('bash', [SCRIPT, 'start', dir]),
    destroy: async () => {
      await run('bash', [SCRIPT, 'destroy', dir]);
      await rm(path.dirname(dir), { recursive: true, force: true });
    },
  };
}

/** A loopback port free at the moment of asking (for servers that cannot be given port 0). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * nginx on `port`, balancing round-robin over `ports` (one worker, so turns are strict), as
 * docs/DEPLOYMENT.md configures it, plus an `X-Upstream` header naming the node that answered.
 * Returns {url, nodeOf(response) → index into ports, stop(), log()}.
 */
export async function startNginx({ port, ports }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-nginx-'));
  // Under root nginx's worker runs as an unprivileged user, which must reach its temp paths.
  await chmod(dir, 0o755);
  for (const temp of ['body', 'proxy']) {
    await mkdir(path.join(dir, temp));
    await chmod(path.join(dir, temp), 0o777);
  }
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/proxy;
  uwsgi_temp_path ${dir}/proxy;
  scgi_temp_path ${dir}/proxy;
  upstream gatehouse {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://gatehouse;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`);
  const child = spawn('/usr/sbin/nginx', ['-e', path.join(dir, 'error.log'), '-p', dir, '-c', conf,
    '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
  const url = `http://127.0.0.1:${port}`;
  await until('nginx to listen', async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    return fetch(`${url}/healthz`).then(() => true, () => false);
  });
  const addresses = ports.map((p) => `127.0.0.1:${p}`);
  return {
    url,
    nodeOf: (res) => addresses.indexOf(res.headers.get('x-upstream')),
    stop: async () => {
      child.kill('SIGQUIT');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      await rm(dir, { recursive: true, force: true });
    },
    log: () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => ''),
  };
}
