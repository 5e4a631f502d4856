// The official `openai` npm SDK through `gammainfra serve` to Anthropic endpoints (the mock's
// /v1/messages): non-stream and stream, tools over several turns, json_schema (native on
// 4.5+, forced tool on older models), and fallback past a 529.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai';

import { startAnthropicGateway } from './support/anthropic_gateway.mjs';

let gw;
before(async () => { gw = await startAnthropicGateway(); });
after(async () => { await gw?.stop(); });

const client = () => new OpenAI({ apiKey: gw.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
const tools = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] } } },
];
const schema = { name: 'city', strict: true, schema: { type: 'object', properties: { name: { type: 'string' }, population: { type: 'integer' } }, required: ['name', 'population'], additionalProperties: false } };

describe('openai SDK → gateway → Anthropic', () => {
  test('non-stream', async () => {
    const { data, response } = await client().chat.completions
      .create({ model: 'anthropic/claude-sonnet-4-6', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello Claude via gateway' }] })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices[0].message.content, 'Mock answer to: Hello Claude via gateway');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.ok(data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
    assert.equal(response.headers.get('x-gammainfra-endpoint'), 'anthropic/claude-sonnet-4-6');
  });

  test('stream with usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'anthropic/claude-sonnet-4-6', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream from Claude please' }],
    });
    let text = '', finish = null, usage = null, first = true;
    for await (const chunk of stream) {
      if (first) { assert.equal(chunk.choices[0].delta.role, 'assistant'); first = false; }
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.delta?.content ?? '';
        if (c.finish_reason) finish = c.finish_reason;
      }
    }
    assert.equal(text, 'Mock answer to: Stream from Claude please');
    assert.equal(finish, 'stop');
    assert.ok(usage?.total_tokens > 0);
  });

  test('tools over several turns (stream accumulation with runTools-style loop)', async () => {
    const c = client();
    const messages = [{ role: 'user', content: 'Weather in Paris and time in Tokyo?' }];
    const s = c.chat.completions.stream({ model: 'anthropic/claude-sonnet-4-6', messages, tools, tool_choice: 'required' });
    const turn1 = await s.finalChatCompletion();
    const msg = turn1.choices[0].message;
    assert.equal(turn1.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(msg.tool_calls.map((t) => t.function.name), ['get_weather', 'get_time']);
    for (const t of msg.tool_calls) assert.equal(typeof JSON.parse(t.function.arguments), 'object');
    messages.push(msg);
    for (const t of msg.tool_calls) messages.push({ role: 'tool', tool_call_id: t.id, content: `result of ${t.function.name}` });
    messages.push({ role: 'user', content: 'Now summarise' });
    const turn2 = await c.chat.completions.create({ model: 'anthropic/claude-sonnet-4-6', messages, tools });
    assert.equal(turn2.choices[0].finish_reason, 'stop');
    assert.equal(turn2.choices[0].message.content, 'Mock answer to: Now summarise');
  });

  test('json_schema: native (4.5+) and forced tool (3.5), stream and non-stream', async () => {
    const c = client();
    for (const model of ['anthropic/claude-sonnet-4-6', 'anthropic/claude-3-5-haiku']) {
      const r = await c.chat.completions.create({ model, messages: [{ role: 'user', content: 'A city' }], response_format: { type: 'json_schema', json_schema: schema } });
      assert.equal(r.choices[0].finish_reason, 'stop', model);
      const v = JSON.parse(r.choices[0].message.content);
      assert.equal(typeof v.name, 'string', model);
      assert.equal(typeof v.population, 'number', model);
      const stream = await c.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'A city' }], response_format: { type: 'json_schema', json_schema: schema } });
      let text = '';
      for await (const chunk of stream) for (const ch of chunk.choices) text += ch.delta?.content ?? '';
      assert.deepEqual(JSON.parse(text), v, model);
    }
  });

  test('529 on the first Anthropic endpoint falls back invisibly', async () => {
    const { data, response } = await client().chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Hi there' }] })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'Mock answer to: Hi there');
    assert.equal(response.headers.get('x-gammainfra-endpoint'), 'anthropic/claude-sonnet-4-6');
    assert.match(response.headers.get('x-gammainfra-fallback-chain'), /^anthropic\/busy;error=529/);
  });

  test('a request Anthropic cannot express is a 400 naming the field', async () => {
    await assert.rejects(
      client().chat.completions.create({ model: 'anthropic/claude-sonnet-4-6', n: 2, messages: [{ role: 'user', content: 'x' }] },
        { headers: { 'X-GammaInfra-Fallback': 'off' } }),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'n');
  });
});
