// Starts the mock upstream and `gammainfra serve` with a temporary config that points the
// gateway's endpoints at that mock. One launcher for the per-provider gateway SDK tests.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startMock } from './mock_process.mjs';
import { launch } from './process.mjs';

export function keySha256(key) {
  return crypto.createHash('sha256').update(key).digest('hex');
}

// The config every launcher starts with: loopback port 0, no access log, one gateway key
// (stored as its SHA-256); the caller appends its endpoint list and routing.
export function configHead(apiKey) {
  return `catalog: false
server:
  host: 127.0.0.1
  port: 0
logging:
  access_log: false
auth:
  keys:
    - id: sdk
      sha256: ${keySha256(apiKey)}
endpoints:
`;
}

// `configYaml(mockUrl)` returns the whole config; `env` carries the upstream credentials.
export async function startGateway({ name, apiKey, configYaml, env = {}, timeoutMs = 15000 }) {
  const mock = await startMock();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gi-sdk-${name}-`));
  const cleanup = async () => {
    await mock.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const cfg = path.join(dir, 'gateway.yaml');
    fs.writeFileSync(cfg, configYaml(mock.baseUrl));
    const serve = await launch(['serve', '--config', cfg], {
      stream: 'stderr',
      env,
      timeoutMs,
      ready: (text) => text.match(/listening on (http:\/\/\S+)/)?.[1] ?? null,
    });
    return {
      baseURL: `${serve.value.replace(/\/$/, '')}/v1`,
      apiKey,
      mockUrl: mock.baseUrl,
      stop: async () => { await serve.stop(); await cleanup(); },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
