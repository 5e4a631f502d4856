// Starts `gammainfra demo --port 0` (gateway + in-process mock providers) and parses the
// ready-to-paste exports it prints. Used by the gateway SDK tests.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { binaryPath } from './mock_process.mjs';

export function startDemo({ timeoutMs = 15000 } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gi-sdk-demo-'));
  const proc = spawn(binaryPath(), ['demo', '--port', '0', '--data-dir', dataDir],
                     { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`demo did not print its exports within ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`demo exited early (${code}): ${out}`)); });
    proc.stdout.on('data', (d) => {
      out += d;
      const base = out.match(/export OPENAI_BASE_URL=(\S+)/);
      const key = out.match(/export OPENAI_API_KEY=(\S+)/);
      if (!base || !key) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve({
        baseURL: base[1],
        apiKey: key[1],
        stop: () => new Promise((done) => {
          const cleanup = () => { fs.rmSync(dataDir, { recursive: true, force: true }); done(); };
          if (proc.exitCode !== null) return cleanup();
          proc.once('exit', cleanup);
          proc.kill('SIGTERM');
          setTimeout(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); }, 3000).unref();
        }),
      });
    });
  });
}
