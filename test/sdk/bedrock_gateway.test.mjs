// The `openai` SDK through the gateway to Bedrock endpoints on the mock (SigV4 signed by the
// gateway, verified by the mock): non-stream and stream, with tools, a tool round trip,
// fallback after a ThrottlingException, and a signature failure surfacing as an error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai';

import { startBedrockGateway } from './support/bedrock_gateway.mjs';

let gw;
let client;
before(async () => {
  gw = await startBedrockGateway();
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
});
after(async () => { await gw?.stop(); });

const tools = [{ type: 'function', function: { name: 'get_weather', description: 'weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];

test('non-stream text through the SigV4-signed Bedrock endpoint', async () => {
  const r = await client.chat.completions.create({
    model: 'bedrock/claude-sonnet-4-6',
    messages: [{ role: 'system', content: 'terse' }, { role: 'user', content: 'Hello from openai' }],
  });
  assert.match(r.choices[0].message.content, /^Mock answer to: Hello from openai/);
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.ok(r.usage.prompt_tokens > 0);
});

test('non-stream tools, then the tool result round trip', async () => {
  const r = await client.chat.completions.create({
    model: 'bedrock/claude-sonnet-4-6',
    messages: [{ role: 'user', content: 'use the tool for Paris' }],
    tools, tool_choice: 'required',
  });
  const c = r.choices[0];
  assert.equal(c.finish_reason, 'tool_calls');
  const call = c.message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.equal(typeof JSON.parse(call.function.arguments).city, 'string');
  const r2 = await client.chat.completions.create({
    model: 'bedrock/claude-sonnet-4-6',
    messages: [
      { role: 'user', content: 'use the tool for Paris' },
      c.message,
      { role: 'tool', tool_call_id: call.id, content: '{"temp_c":18}' },
    ],
    tools,
  });
  assert.equal(r2.choices[0].finish_reason, 'stop');
});

test('stream with tools and usage', async () => {
  const s = await client.chat.completions.create({
    model: 'bedrock/claude-sonnet-4-6',
    messages: [{ role: 'user', content: 'use the tool please' }],
    tools, tool_choice: 'required', stream: true, stream_options: { include_usage: true },
  });
  let args = '';
  let name;
  let finish;
  let usage;
  for await (const ch of s) {
    if (ch.usage) usage = ch.usage;
    const d = ch.choices[0];
    if (!d) continue;
    for (const tc of d.delta.tool_calls ?? []) {
      if (tc.function?.name) name = tc.function.name;
      args += tc.function?.arguments ?? '';
    }
    if (d.finish_reason) finish = d.finish_reason;
  }
  assert.equal(name, 'get_weather');
  assert.equal(typeof JSON.parse(args).city, 'string');
  assert.equal(finish, 'tool_calls');
  assert.ok(usage.completion_tokens > 0);
});

test('stream text', async () => {
  const s = await client.chat.completions.create({
    model: 'bedrock/claude-sonnet-4-6',
    messages: [{ role: 'user', content: 'stream some text' }],
    stream: true,
  });
  let text = '';
  for await (const ch of s) text += ch.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'Mock answer to: stream some text');
});

test('ThrottlingException on the first endpoint falls back to the next', async () => {
  const { data, response } = await client.chat.completions.create({
    model: 'bedrock/throttled',
    messages: [{ role: 'user', content: 'fallback please' }],
  }).withResponse();
  assert.match(data.choices[0].message.content, /^Mock answer to: fallback please/);
  assert.equal(response.headers.get('x-gammainfra-endpoint'), 'bedrock/claude-sonnet-4-6');
  assert.match(response.headers.get('x-gammainfra-fallback-chain'), /bedrock\/throttled/);
});

test('a wrong secret fails the mock signature check (403 InvalidSignatureException), then falls back', async () => {
  const { data, response } = await client.chat.completions.create({
    model: 'bedrock/wrong-secret',
    messages: [{ role: 'user', content: 'hi' }],
  }).withResponse();
  // The signing failure is an `auth` outcome for that endpoint: the router moves on.
  assert.notEqual(response.headers.get('x-gammainfra-endpoint'), 'bedrock/wrong-secret');
  assert.match(response.headers.get('x-gammainfra-fallback-chain'), /bedrock\/wrong-secret/);
  assert.ok(data.choices[0].message.content.length > 0);
});
