// The official `@anthropic-ai/sdk` npm package, unmodified, against the mock's Anthropic
// wire format (POST /v1/messages): proves the mock's format — message objects, the
// named-event stream grammar (parsed by the SDK's own MessageStream), tool_use, thinking with
// signatures echoed back, and typed errors (429, 529, 400).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';

import Anthropic from '@anthropic-ai/sdk';

import { startMock } from './support/mock_process.mjs';

let mock;
before(async () => { mock = await startMock(); });
after(async () => { await mock?.stop(); });

const client = (opts = {}) => new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.baseUrl, maxRetries: 0, ...opts });
const weather = {
  name: 'get_weather',
  description: 'Current weather',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city', 'unit'] },
};
const timeTool = { name: 'get_time', input_schema: { type: 'object', properties: {} } };

describe('@anthropic-ai/sdk → mock', () => {
  test('non-stream text message', async () => {
    const msg = await client().messages.create({
      model: 'claude-sonnet-4-6', max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello from the SDK' }],
    });
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.content[0].type, 'text');
    assert.equal(msg.content[0].text, 'Mock answer to: Hello from the SDK');
    assert.ok(msg.usage.input_tokens > 0);
    assert.ok(msg.usage.output_tokens > 0);
    assert.match(msg.id, /^msg_01/);
  });

  test('stream: SDK MessageStream accumulates text and usage', async () => {
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6', max_tokens: 100,
      messages: [{ role: 'user', content: 'Stream this answer please' }],
    });
    const types = [];
    let text = '';
    stream.on('streamEvent', (e) => types.push(e.type));
    stream.on('text', (t) => { text += t; });
    const final = await stream.finalMessage();
    assert.equal(text, 'Mock answer to: Stream this answer please');
    assert.equal(final.content[0].text, text);
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.ok(types.includes('content_block_delta'));
    assert.equal(types.at(-2), 'message_delta');
  });

  test('tools: forced tool_use with schema-valid input, stream and non-stream, then a tool_result turn', async () => {
    const c = client();
    const msg = await c.messages.create({
      model: 'claude-sonnet-4-6', max_tokens: 200, tools: [weather, timeTool], tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Paris and the time?' }],
    });
    assert.equal(msg.stop_reason, 'tool_use');
    const uses = msg.content.filter((b) => b.type === 'tool_use');
    assert.deepEqual(uses.map((u) => u.name), ['get_weather', 'get_time']);
    assert.equal(typeof uses[0].input.city, 'string');
    assert.ok(['c', 'f'].includes(uses[0].input.unit));
    assert.deepEqual(uses[1].input, {});

    const final = await c.messages.stream({
      model: 'claude-sonnet-4-6', max_tokens: 200, tools: [weather, timeTool], tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Paris and the time?' }],
    }).finalMessage();
    const streamed = final.content.filter((b) => b.type === 'tool_use');
    assert.deepEqual(streamed.map((u) => u.input), uses.map((u) => u.input));

    const next = await c.messages.create({
      model: 'claude-sonnet-4-6', max_tokens: 200, tools: [weather, timeTool],
      messages: [
        { role: 'user', content: 'Weather in Paris and the time?' },
        { role: 'assistant', content: msg.content },
        { role: 'user', content: uses.map((u) => ({ type: 'tool_result', tool_use_id: u.id, content: 'ok' })) },
      ],
    });
    assert.equal(next.stop_reason, 'end_turn');
    assert.equal(next.content[0].type, 'text');
  });

  test('thinking: blocks with signatures, echoed back unchanged on the tool turn', async () => {
    const c = client();
    const req = {
      model: 'claude-sonnet-4-6', max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weather], messages: [{ role: 'user', content: 'use the tool for Paris' }],
    };
    const first = await c.messages.stream(req).finalMessage();
    assert.equal(first.content[0].type, 'thinking');
    assert.ok(first.content[0].signature.length > 0);
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use);
    const turn2 = [...req.messages, { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '18C' }] }];
    const ok = await c.messages.create({ ...req, messages: turn2 });
    assert.equal(ok.stop_reason, 'end_turn');
    const forged = structuredClone(turn2);
    forged[1].content[0].signature = 'forged';
    await assert.rejects(c.messages.create({ ...req, messages: forged }),
      (e) => e instanceof Anthropic.BadRequestError && /signature/.test(e.message));
  });

  test('typed errors: 429 with retry-after, 529 overloaded, 400 invalid request, 401', async () => {
    await assert.rejects(
      client().messages.create({ model: 'claude-sonnet-4-6@fault=429,retry_after=3', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof Anthropic.RateLimitError && e.status === 429 && e.headers.get('retry-after') === '3' &&
             e.error?.error?.type === 'rate_limit_error');
    await assert.rejects(
      client().messages.create({ model: 'claude-sonnet-4-6@fault=overloaded', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e.status === 529 && e.error?.error?.type === 'overloaded_error');
    await assert.rejects(
      client().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [] }),
      (e) => e instanceof Anthropic.BadRequestError && e.error?.error?.type === 'invalid_request_error');
    // No credentials at all (the SDK refuses to send that, so plain fetch): 401 in Anthropic's shape.
    const res = await fetch(`${mock.baseUrl}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.type, 'authentication_error');
  });

  test('mid-stream error event surfaces as an SDK error', async () => {
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6@fault=stream_error,after=4', max_tokens: 100,
      messages: [{ role: 'user', content: 'Stream then fail please' }],
    });
    await assert.rejects(stream.finalMessage(), (e) => /overloaded|Overloaded/.test(String(e?.message ?? e)));
  });
});
