// Starts `gammainfra mock-upstream --port 0` and parses the printed base URL.
import { launch } from './process.mjs';

export { binaryPath } from './process.mjs';

export async function startMock({ timeoutMs = 10000 } = {}) {
  const { value, stop } = await launch(['mock-upstream', '--port', '0'], {
    stream: 'stdout',
    timeoutMs,
    ready: (text) => text.match(/mock-upstream listening on (http:\/\/\S+)/)?.[1] ?? null,
  });
  return { baseUrl: value, stop };
}
