// Starts the mock upstream and `gammainfra serve` with a temporary config whose endpoints are
// Anthropic endpoints on that mock (base_url = the mock root: the codec appends /v1/messages).
// Used by anthropic_gateway.test.mjs (the `openai` SDK through the gateway to Anthropic).
import { configHead, startGateway } from './serve_process.mjs';

export const gatewayKey = 'sk-gammainfra-test-anthropic-sdk-key';

function configYaml(mockUrl) {
  const ep = (id, model, provider = 'anthropic', base = mockUrl) => `  - id: ${id}
    provider: ${provider}
    model: "${model}"
    base_url: ${base}
    api_key_env: GI_TEST_ANTHROPIC_KEY
    prices: {input: "3.00", cached_input: "0.30", output: "15.00"}
`;
  return `${configHead(gatewayKey)}${ep('anthropic/claude-sonnet-4-6', 'claude-sonnet-4-6')}${ep('anthropic/claude-3-5-haiku', 'claude-3-5-haiku-20241022')}${ep('anthropic/busy', 'claude-sonnet-4-6@fault=overloaded')}${ep('openai/gpt-4o-mini', 'gpt-4o-mini', 'openai', mockUrl + '/v1')}routing:
  default_task: chat
  chains:
    chat: [anthropic/busy, anthropic/claude-sonnet-4-6]
`;
}

export function startAnthropicGateway({ timeoutMs = 15000 } = {}) {
  return startGateway({
    name: 'anthropic', apiKey: gatewayKey, configYaml, timeoutMs,
    env: { GI_TEST_ANTHROPIC_KEY: 'sk-ant-upstream-test' },
  });
}
