// The official @aws-sdk/client-bedrock-runtime against the mock: proves the mock's Converse /
// ConverseStream wire format (JSON and binary event-stream) and that its SigV4 check accepts
// signatures from an independent signer (the SDK's, which signs its amz-sdk-* and
// x-amz-content-sha256 headers too) and rejects a wrong secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';

import { NodeHttpHandler } from '@smithy/node-http-handler';

import { startMock } from './support/mock_process.mjs';

let mock;
before(async () => { mock = await startMock(); });
after(async () => { await mock?.stop(); });

function client(secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region = 'us-east-1', sessionToken) {
  return new BedrockRuntimeClient({
    region,
    endpoint: mock.baseUrl,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret, sessionToken },
    maxAttempts: 1,
    // The client defaults to HTTP/2 for Bedrock Runtime; the mock (like the gateway's
    // upstream client) speaks HTTP/1.1 on plain TCP.
    requestHandler: new NodeHttpHandler(),
  });
}

const tools = {
  tools: [{ toolSpec: { name: 'get_weather', description: 'Current weather',
    inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }],
};

test('Converse: text answer, usage, stopReason (SigV4 accepted)', async () => {
  const r = await client().send(new ConverseCommand({
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    system: [{ text: 'Be terse.' }],
    messages: [{ role: 'user', content: [{ text: 'Hello there mock' }] }],
    inferenceConfig: { maxTokens: 64 },
  }));
  assert.equal(r.stopReason, 'end_turn');
  assert.match(r.output.message.content[0].text, /^Mock answer to: Hello there mock/);
  assert.ok(r.usage.inputTokens > 0);
  assert.equal(r.usage.totalTokens, r.usage.inputTokens + r.usage.outputTokens);
});

test('Converse: inference profile id with session token in another region, forced tool', async () => {
  const r = await client(undefined, 'eu-west-1', 'FQoGZXIvYXdzEXAMPLESESSIONTOKEN').send(new ConverseCommand({
    modelId: 'eu.amazon.nova-lite-v1:0',
    messages: [{ role: 'user', content: [{ text: 'weather in Paris?' }] }],
    toolConfig: { ...tools, toolChoice: { tool: { name: 'get_weather' } } },
  }));
  assert.equal(r.stopReason, 'tool_use');
  const tu = r.output.message.content.find((b) => b.toolUse).toolUse;
  assert.equal(tu.name, 'get_weather');
  assert.equal(typeof tu.input.city, 'string');
  assert.match(tu.toolUseId, /^[a-zA-Z0-9_-]{1,64}$/);
});

test('ConverseStream: binary event stream decoded by the SDK (text)', async () => {
  const r = await client().send(new ConverseStreamCommand({
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    messages: [{ role: 'user', content: [{ text: 'stream me something' }] }],
  }));
  let text = '';
  const kinds = [];
  for await (const ev of r.stream) {
    const k = Object.keys(ev).find((x) => ev[x] !== undefined);
    kinds.push(k);
    if (ev.contentBlockDelta?.delta?.text) text += ev.contentBlockDelta.delta.text;
    if (ev.messageStop) assert.equal(ev.messageStop.stopReason, 'end_turn');
    if (ev.metadata) assert.ok(ev.metadata.usage.outputTokens > 0);
  }
  assert.equal(text, 'Mock answer to: stream me something');
  assert.equal(kinds[0], 'messageStart');
  assert.deepEqual(kinds.slice(-2), ['messageStop', 'metadata']);
});

test('ConverseStream: tool use arrives as contentBlockStart + input fragments', async () => {
  const r = await client().send(new ConverseStreamCommand({
    modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    messages: [{ role: 'user', content: [{ text: 'use the tool' }] }],
    toolConfig: { ...tools, toolChoice: { any: {} } },
  }));
  let input = '';
  let name;
  for await (const ev of r.stream) {
    if (ev.contentBlockStart?.start?.toolUse) name = ev.contentBlockStart.start.toolUse.name;
    if (ev.contentBlockDelta?.delta?.toolUse) input += ev.contentBlockDelta.delta.toolUse.input;
  }
  assert.equal(name, 'get_weather');
  assert.equal(typeof JSON.parse(input).city, 'string');
});

test('ConverseStream: a mid-stream throttlingException frame surfaces as the SDK error', async () => {
  const r = await client().send(new ConverseStreamCommand({
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0@fault=stream_error,after=2',
    messages: [{ role: 'user', content: [{ text: 'hello' }] }],
  }));
  await assert.rejects(async () => { for await (const _ of r.stream) { /* drain */ } },
    (e) => e.name === 'ThrottlingException');
});

test('wrong secret: 403 InvalidSignatureException', async () => {
  await assert.rejects(client('wrong').send(new ConverseCommand({
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
  })), (e) => e.name === 'InvalidSignatureException' && e.$metadata.httpStatusCode === 403);
});

test('HTTP errors are typed: ThrottlingException 429, ValidationException for toolUse without toolConfig', async () => {
  await assert.rejects(client().send(new ConverseCommand({
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0@fault=429',
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
  })), (e) => e.name === 'ThrottlingException' && e.$metadata.httpStatusCode === 429);
  await assert.rejects(client().send(new ConverseCommand({
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    messages: [
      { role: 'user', content: [{ text: 'hi' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'x', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'ok' }] } }] },
    ],
  })), (e) => e.name === 'ValidationException' && /toolConfig/.test(e.message));
});
