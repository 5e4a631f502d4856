// Starts `gammainfra mock-upstream --port 0` and parses the printed base URL. Shared by the
// SDK test files (the gateway tests can start their mock the same way).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export function binaryPath() {
  return process.env.GI_BINARY ?? path.resolve(here, '../../../build/release/gammainfra');
}

export function startMock({ timeoutMs = 10000 } = {}) {
  const proc = spawn(binaryPath(), ['mock-upstream', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`mock-upstream did not print its address within ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`mock-upstream exited early (${code}): ${out}`)); });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/mock-upstream listening on (http:\/\/\S+)/);
      if (!m) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve({
        baseUrl: m[1],
        stop: () => new Promise((done) => {
          if (proc.exitCode !== null) return done();
          proc.once('exit', () => done());
          proc.kill('SIGTERM');
          setTimeout(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); }, 3000).unref();
        }),
      });
    });
  });
}
