// Starts the mock upstream and `gammainfra serve` with a temp config whose endpoints are
// Gemini endpoints on the mock (base URL `<mock>/v1beta`, the catalog convention of
// providers.md §4.1), so the openai SDK can talk to Gemini through the gateway.
import { configHead, startGateway } from './serve_process.mjs';

export const gatewayKey = 'sk-gammainfra-gemini-sdk-test-0001';

export function startGeminiGateway({ models = ['gemini-2.5-flash', 'gemini-3.5-flash'], timeoutMs = 15000 } = {}) {
  const configYaml = (mockUrl) => {
    const endpoints = models.map((m) => [
      `  - id: gemini/${m}`,
      '    provider: gemini',
      `    model: "${m}"`,
      `    base_url: ${mockUrl}/v1beta`,
      '    api_key_env: GI_TEST_GEMINI_KEY',
      '    capabilities: {vision: true, reasoning: true}',
      '    prices: {input: "0.30", cached_input: "0.03", output: "2.50"}',
    ].join('\n')).join('\n');
    const yaml = [
      configHead(gatewayKey) + endpoints,
      'routing:',
      '  default_task: chat',
      '  chains:',
      `    chat: [${models.map((m) => `gemini/${m}`).join(', ')}]`,
      '',
    ].join('\n');
    return yaml;
  };
  return startGateway({
    name: 'gemini', apiKey: gatewayKey, configYaml, timeoutMs,
    env: { GI_TEST_GEMINI_KEY: 'upstream-gemini-key' },
  });
}
