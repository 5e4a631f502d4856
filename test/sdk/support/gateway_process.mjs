// Starts `gammainfra demo --port 0` (gateway + in-process mock providers) and parses the
// ready-to-paste exports it prints. Used by the gateway SDK tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launch } from './process.mjs';

export async function startDemo({ timeoutMs = 15000 } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gi-sdk-demo-'));
  try {
    const { value, stop } = await launch(['demo', '--port', '0', '--data-dir', dataDir], {
      stream: 'stdout',
      timeoutMs,
      ready: (text) => {
        const base = text.match(/export OPENAI_BASE_URL=(\S+)/);
        const key = text.match(/export OPENAI_API_KEY=(\S+)/);
        return base && key ? { baseURL: base[1], apiKey: key[1] } : null;
      },
    });
    return {
      ...value,
      stop: async () => { await stop(); fs.rmSync(dataDir, { recursive: true, force: true }); },
    };
  } catch (e) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
