// Starts the mock upstream and `gammainfra serve` with Bedrock endpoints on that mock
// (base_url = the mock root; the codec appends /model/{id}/converse[-stream]) signed with
// SigV4 using the AWS documentation example pair, which the mock verifies.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { binaryPath, startMock } from './mock_process.mjs';

export const gatewayKey = 'sk-gammainfra-test-bedrock-sdk-key';
export const awsAccessKeyId = 'AKIDEXAMPLE';
export const awsSecretAccessKey = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

function configYaml(mockUrl) {
  const ep = (id, model, extra = '') => `  - id: ${id}
    provider: bedrock
    model: "${model}"
    base_url: ${mockUrl}
    aws_region: us-east-1
    aws_access_key_id_env: GI_TEST_AWS_AKID
    aws_secret_access_key_env: GI_TEST_AWS_SECRET
${extra}    prices: {input: "3.00", cached_input: "0.30", output: "15.00"}
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
${ep('bedrock/claude-sonnet-4-6', 'us.anthropic.claude-sonnet-4-6-v1:0')}${ep('bedrock/throttled', 'us.anthropic.claude-sonnet-4-6-v1:0@fault=429', '    fallbacks: [bedrock/claude-sonnet-4-6]\n')}${ep('bedrock/wrong-secret', 'amazon.nova-pro-v1:0', '    aws_session_token_env: GI_TEST_AWS_TOKEN\n').replace('GI_TEST_AWS_SECRET', 'GI_TEST_AWS_BAD_SECRET')}routing:
  default_task: chat
  chains:
    chat: [bedrock/throttled, bedrock/claude-sonnet-4-6]
`;
}

export async function startBedrockGateway({ timeoutMs = 15000 } = {}) {
  const mock = await startMock();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gi-sdk-bedrock-'));
  const cfg = path.join(dir, 'gateway.yaml');
  fs.writeFileSync(cfg, configYaml(mock.baseUrl));
  const proc = spawn(binaryPath(), ['serve', '--config', cfg], {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: {
      ...process.env,
      GI_TEST_AWS_AKID: awsAccessKeyId,
      GI_TEST_AWS_SECRET: awsSecretAccessKey,
      GI_TEST_AWS_BAD_SECRET: 'not-the-secret',
      GI_TEST_AWS_TOKEN: 'FQoGZXIvYXdzEXAMPLESESSIONTOKEN',
    },
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
