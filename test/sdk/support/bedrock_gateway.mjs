// Starts the mock upstream and `gammainfra serve` with Bedrock endpoints on that mock
// (base_url = the mock root; the codec appends /model/{id}/converse[-stream]) signed with
// SigV4 using the AWS documentation example pair, which the mock verifies.
import { configHead, startGateway } from './serve_process.mjs';

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
  return `${configHead(gatewayKey)}${ep('bedrock/claude-sonnet-4-6', 'us.anthropic.claude-sonnet-4-6-v1:0')}${ep('bedrock/throttled', 'us.anthropic.claude-sonnet-4-6-v1:0@fault=429', '    fallbacks: [bedrock/claude-sonnet-4-6]\n')}${ep('bedrock/wrong-secret', 'amazon.nova-pro-v1:0', '    aws_session_token_env: GI_TEST_AWS_TOKEN\n').replace('GI_TEST_AWS_SECRET', 'GI_TEST_AWS_BAD_SECRET')}routing:
  default_task: chat
  chains:
    chat: [bedrock/throttled, bedrock/claude-sonnet-4-6]
`;
}

export function startBedrockGateway({ timeoutMs = 15000 } = {}) {
  return startGateway({
    name: 'bedrock', apiKey: gatewayKey, configYaml, timeoutMs,
    env: {
      GI_TEST_AWS_AKID: awsAccessKeyId,
      GI_TEST_AWS_SECRET: awsSecretAccessKey,
      GI_TEST_AWS_BAD_SECRET: 'not-the-secret',
      GI_TEST_AWS_TOKEN: 'FQoGZXIvYXdzEXAMPLESESSIONTOKEN',
    },
  });
}
