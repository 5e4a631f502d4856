// Starts the mock upstream and `gammainfra serve` with a temporary config whose endpoints are
// Anthropic endpoints on that mock (base_url = the mock root: the codec appends /v1/messages).
// Used by anthropic_gateway.test.mjs (the `openai` SDK through the gateway to Anthropic).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { binaryPath, startMock } from './mock_process.mjs';

export const gatewayKey = 'sk-gammainfra-test-anthropic-sdk-key';

function configYaml(mockUrl) {
  const ep = (id, model, provider = 'anthropic', base = mockUrl) => `  - id: ${id}
    provider: ${provider}
    model: "${model}"
    base_url: ${base}
    api_key_env: GI_TEST_ANTHROPIC_KEY
    prices: {input: "3.00", cached_input: "0.30", output: "15.00"}
`;
  const sha = crypto.createHash('sha256').update(gatewayKey).digest('hex');
  return `catalog: false
server:
  host: 127.0.0.1
  port: 0
logging:
  access_log: false
auth:
  keys:
    - id: sdk
      sha256: ${sha}
endpoints:
${ep('anthropic/claude-sonnet-4-6', 'claude-sonnet-4-6')}${ep('anthropic/claude-3-5-haiku', 'claude-3-5-haiku-20241022')}${ep('anthropic/busy', 'claude-sonnet-4-6@fault=overloaded')}${ep('openai/gpt-4o-mini', 'gpt-4o-mini', 'openai', mockUrl + '/v1')}routing:
  default_task: chat
  chains:
    chat: [anthropic/busy, anthropic/claude-sonnet-4-6]
`;
}

export async function startAnthropicGateway({ timeoutMs = 15000 } = {}) {
  const mock = await startMock();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gi-sdk-anthropic-'));
  const cfg = path.join(dir, 'gateway.yaml');
  fs.writeFileSync(cfg, configYaml(mock.baseUrl));
  const proc = spawn(binaryPath(), ['serve', '--config', cfg], {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env, GI_TEST_ANTHROPIC_KEY: 'sk-ant-upstream-test' },
  });
  const cleanup = async () => {
    await new Promise((done) => {
      if (proc.exitCode !== null) return done();
      proc.once('exit', () => done());
      proc.kill('SIGTERM');
      setTimeout(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); }, 3000).unref();
    });
    await mock.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const baseURL = await new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited early (${code}): ${err}`)); });
      proc.stderr.on('data', (d) => {
        err += d;
        const m = err.match(/listening on (http:\/\/[^\s]+)/);
        if (!m) return;
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve(m[1].replace(/\/$/, '') + '/v1');
      });
    });
    return { baseURL, apiKey: gatewayKey, mockUrl: mock.baseUrl, stop: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
