// One launcher for every process the SDK tests start (`mock-upstream`, `serve`, `demo`).
//
// Two rules keep `node --test` from hanging after the tests pass:
//  - the readiness watcher detaches once it has matched, so later output (shutdown logs) can
//    never touch the listeners `stop()` relies on;
//  - `stop()` sends SIGTERM, escalates to SIGKILL after a grace period, and resolves on 'exit'
//    even when the child has already gone; a process-exit hook SIGKILLs anything left, so no
//    child can hold the runner's inherited stdio open.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const live = new Set();
process.on('exit', () => { for (const p of live) p.kill('SIGKILL'); });

export function binaryPath() {
  return process.env.GI_BINARY ?? path.resolve(here, '../../../build/release/gammainfra');
}

function exited(proc) { return proc.exitCode !== null || proc.signalCode !== null; }

// Resolves when `proc` has exited; SIGTERM first, SIGKILL after `graceMs`.
export function stopProcess(proc, graceMs = 3000) {
  return new Promise((done) => {
    if (exited(proc)) { live.delete(proc); return done(); }
    const kill = setTimeout(() => { if (!exited(proc)) proc.kill('SIGKILL'); }, graceMs);
    proc.once('exit', () => { clearTimeout(kill); live.delete(proc); done(); });
    proc.kill('SIGTERM');
  });
}

// Spawns the gateway binary with `args` and waits until `ready(text)` returns a non-null
// value for the accumulated output of `stream` ('stdout' or 'stderr'); only whole lines are
// offered, so a URL split across two reads is never taken half. The other stream is inherited.
export function launch(args, { stream = 'stdout', ready, env = {}, timeoutMs = 15000 } = {}) {
  const stdio = stream === 'stdout' ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'inherit', 'pipe'];
  const proc = spawn(binaryPath(), args, { stdio, env: { ...process.env, ...env } });
  live.add(proc);
  const name = `gammainfra ${args[0]}`;
  return new Promise((resolve, reject) => {
    let text = '';
    let settled = false;
    const fail = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopProcess(proc).finally(() => reject(new Error(`${name}: ${why}\n${text}`)));
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code, signal) => fail(`exited early (${code ?? signal})`);
    proc.once('error', (e) => fail(e.message));
    proc.once('exit', onExit);
    const onData = (d) => {
      text += d;
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      const value = complete ? ready(complete) : null;
      if (value == null || settled) return;
      settled = true;
      clearTimeout(timer);
      proc.off('exit', onExit);
      proc[stream].off('data', onData);
      proc[stream].resume();  // keep draining so the child never blocks on a full pipe
      resolve({ proc, value, stop: () => stopProcess(proc) });
    };
    proc[stream].on('data', onData);
  });
}
