// The official `openai` npm SDK through the gateway to Gemini endpoints (the gateway's
// gemini codec in front of the mock's Gemini wire format): non-stream, stream, structured
// output, and multi-turn tool use on gemini-3 that needs the thought signature, which
// OpenAI clients drop and the gateway keeps in its side store (providers.md §11.4).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai';

import { startGeminiGateway } from './support/gemini_gateway.mjs';

let gw;
before(async () => { gw = await startGeminiGateway(); });
after(async () => { await gw?.stop(); });

const client = () => new OpenAI({ apiKey: gw.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      strict: true,
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] } } },
];

async function collect(stream) {
  let content = '';
  let finish;
  let usage;
  const calls = [];
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      content += c.delta.content ?? '';
      for (const tc of c.delta.tool_calls ?? []) {
        calls[tc.index] ??= { id: tc.id, type: 'function', function: { name: '', arguments: '' } };
        if (tc.function?.name) calls[tc.index].function.name = tc.function.name;
        calls[tc.index].function.arguments += tc.function?.arguments ?? '';
      }
      finish = c.finish_reason ?? finish;
    }
  }
  return { content, finish, usage, calls };
}

describe('openai SDK → gateway → Gemini', () => {
  test('non-stream', async () => {
    const { data, response } = await client().chat.completions
      .create({ model: 'gemini/gemini-2.5-flash', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hello Gemini friend' }] })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'Mock answer to: Hello Gemini friend');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.ok(data.usage.prompt_tokens > 0);
    assert.equal(data.usage.completion_tokens_details.reasoning_tokens, 16);
    assert.equal(response.headers.get('x-gammainfra-endpoint'), 'gemini/gemini-2.5-flash');
  });

  test('stream with usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'gemini/gemini-2.5-flash',
      messages: [{ role: 'user', content: 'stream these five words please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const r = await collect(stream);
    assert.equal(r.content, 'Mock answer to: stream these five words please');
    assert.equal(r.finish, 'stop');
    assert.ok(r.usage.total_tokens > 0);
  });

  test('structured output (json_schema)', async () => {
    const r = await client().chat.completions.create({
      model: 'gemini/gemini-2.5-flash',
      messages: [{ role: 'user', content: 'A city' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'city', strict: true, schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
      },
    });
    assert.deepEqual(JSON.parse(r.choices[0].message.content), { name: 'mock-name' });
  });

  for (const streamFirst of [false, true]) {
    test(`multi-turn tool use on gemini-3 needs the thought signature (${streamFirst ? 'stream' : 'non-stream'} first turn)`, async () => {
      const messages = [{ role: 'user', content: 'Weather and time in Paris? Use the tools.' }];
      let calls;
      if (streamFirst) {
        const r = await collect(await client().chat.completions.create({ model: 'gemini/gemini-3.5-flash', messages, tools, stream: true }));
        assert.equal(r.finish, 'tool_calls');
        calls = r.calls;
      } else {
        const r = await client().chat.completions.create({ model: 'gemini/gemini-3.5-flash', messages, tools });
        assert.equal(r.choices[0].finish_reason, 'tool_calls');
        calls = r.choices[0].message.tool_calls;
      }
      assert.equal(calls.length, 2);
      assert.match(calls[0].id, /^call_[0-9A-Za-z]{24}$/);
      assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'mock-city' });
      messages.push({ role: 'assistant', content: null, tool_calls: calls });
      messages.push({ role: 'tool', tool_call_id: calls[0].id, content: '{"temp_c":18}' });
      messages.push({ role: 'tool', tool_call_id: calls[1].id, content: '14:05' });
      // Second turn streamed: the answer proves the mock verified the echoed signature.
      const r2 = await collect(await client().chat.completions.create({ model: 'gemini/gemini-3.5-flash', messages, tools, stream: true }));
      assert.equal(r2.content, 'Mock answer after 2 tool result(s): get_weather, get_time; thought signatures verified=1 skipped=0');
      assert.equal(r2.finish, 'stop');
    });
  }

  test('a request Gemini cannot express is a typed 400 naming the field', async () => {
    await assert.rejects(
      client().chat.completions.create({
        model: 'gemini/gemini-2.5-flash',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'what?' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
      }),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages[0].content[1].image_url.url',
    );
  });

  test('a blocked prompt is a typed 400 (content policy)', async () => {
    await assert.rejects(
      client().chat.completions.create({ model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: 'mock-block-prompt' }] }),
      (e) => e instanceof OpenAI.BadRequestError && e.code === 'gemini:SAFETY',
    );
  });
});
