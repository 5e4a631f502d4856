// Starts the mock upstream and `gammainfra serve` with a temp config whose endpoints are
// Gemini endpoints on the mock (base URL `<mock>/v1beta`, the catalog convention of
// providers.md §4.1), so the openai SDK can talk to Gemini through the gateway.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { binaryPath, startMock } from './mock_process.mjs';

export const gatewayKey = 'sk-gammainfra-gemini-sdk-test-0001';

export async function startGeminiGateway({ models = ['gemini-2.5-flash', 'gemini-3.5-flash'], timeoutMs = 15000 } = {}) {
  const mock = await startMock();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gi-sdk-gemini-'));
  const sha = crypto.createHash('sha256').update(gatewayKey).digest('hex');
  const endpoints = models.map((m) => [
    `  - id: gemini/${m}`,
    '    provider: gemini',
    `    model: "${m}"`,
    `    base_url: ${mock.baseUrl}/v1beta`,
    '    api_key_env: GI_TEST_GEMINI_KEY',
    '    capabilities: {vision: true, reasoning: true}',
    '    prices: {input: "0.30", cached_input: "0.03", output: "2.50"}',
  ].join('\n')).join('\n');
  const yaml = [
    'catalog: false',
    'server:',
    '  host: 127.0.0.1',
    '  port: 0',
    'logging:',
    '  access_log: false',
    'auth:',
    '  keys:',
    '    - id: sdk',
    `      sha256: ${sha}`,
    'endpoints:',
    endpoints,
    'routing:',
    '  default_task: chat',
    '  chains:',
    `    chat: [${models.map((m) => `gemini/${m}`).join(', ')}]`,
    '',
  ].join('\n');
  const configPath = path.join(dir, 'gateway.yaml');
  fs.writeFileSync(configPath, yaml);
  const proc = spawn(binaryPath(), ['serve', '--config', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GI_TEST_GEMINI_KEY: 'upstream-gemini-key' },
  });
  const cleanup = async () => {
    await mock.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      cleanup().finally(() => reject(new Error(`serve did not start within ${timeoutMs} ms: ${err}`)));
    }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); cleanup().finally(() => reject(e)); });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      cleanup().finally(() => reject(new Error(`serve exited early (${code}): ${err}`)));
    });
    let started = false;
    proc.stderr.on('data', (d) => {
      if (started) return;  // later output (e.g. shutdown logs) must not re-run this
      err += d;
      const m = err.match(/listening on (http:\/\/\S+)/);
      if (!m) return;
      started = true;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve({
        baseURL: `${m[1].replace(/\/$/, '')}/v1`,
        apiKey: gatewayKey,
        mockUrl: mock.baseUrl,
        stop: () => new Promise((done) => {
          const finish = () => cleanup().finally(done);
          if (proc.exitCode !== null) return finish();
          // serve drains open (keep-alive) client connections on SIGTERM; the SDK's agent may
          // hold some, so do not wait for the drain beyond a short grace period.
          const kill = setTimeout(() => proc.kill('SIGKILL'), 2000);
          proc.once('exit', () => { clearTimeout(kill); finish(); });
          proc.kill('SIGTERM');
          setTimeout(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); }, 3000).unref();
        }),
      });
    });
  });
}
