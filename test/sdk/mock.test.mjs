// The official provider SDKs pointed at `gammainfra mock-upstream`: proves the mock speaks the
// real OpenAI, Groq and Mistral wire formats (their SDKs parse and validate what it sends).
//   GI_BINARY=/path/to/gammainfra node --test   (default: ../../build/release/gammainfra)
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai';
import Groq from 'groq-sdk';
import { Mistral } from '@mistralai/mistralai';
import * as mistralErrors from '@mistralai/mistralai/models/errors';

import { startMock } from './support/mock_process.mjs';

let mock;
before(async () => { mock = await startMock(); });
after(async () => { await mock?.stop(); });

const weatherTools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
        required: ['city', 'unit'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
    },
  },
];
const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];

describe('openai SDK → mock /v1', () => {
  const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.baseUrl}/v1`, maxRetries: 0 });

  test('non-stream', async () => {
    const r = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, 'gpt-4o-mini');
    assert.equal(r.choices[0].message.content, 'Mock answer to: What is the weather in Paris?');
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  });

  test('stream with include_usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini', messages: ask, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage = null;
    let finish = null;
    let first = true;
    for await (const chunk of stream) {
      if (first) assert.equal(chunk.choices[0].delta.role, 'assistant');
      first = false;
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        finish = c.finish_reason ?? finish;
      }
    }
    assert.equal(text, 'Mock answer to: What is the weather in Paris?');
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.total_tokens > 0);
  });

  test('parallel tool calls, streamed and accumulated by the SDK helper', async () => {
    const runner = client().chat.completions.stream({
      model: 'gpt-4o-mini', messages: ask, tools: weatherTools, tool_choice: 'required',
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0].message.tool_calls;
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
    assert.equal(calls.length, 2);
    assert.match(calls[0].id, /^call_[A-Za-z0-9]{24}$/);
    assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'mock-city', unit: 'celsius' });
    assert.deepEqual(JSON.parse(calls[1].function.arguments), { tz: 'mock-tz' });
  });

  test('response_format json_schema', async () => {
    const r = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: ask,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'forecast', strict: true,
          schema: {
            type: 'object', additionalProperties: false, required: ['temp', 'sky'],
            properties: { temp: { type: 'number' }, sky: { type: 'string', enum: ['clear', 'cloudy'] } },
          },
        },
      },
    });
    assert.deepEqual(JSON.parse(r.choices[0].message.content), { temp: 0, sky: 'clear' });
  });

  test('error statuses surface as typed errors', async () => {
    await assert.rejects(client().chat.completions.create({ model: 'mock-fault-429', messages: ask }), (e) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.status, 429);
      assert.equal(e.code, 'rate_limit_exceeded');
      assert.equal(e.headers.get('retry-after'), '1');
      return true;
    });
    await assert.rejects(client().chat.completions.create({ model: 'mock-fault-context_length', messages: ask }),
      (e) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded');
    await assert.rejects(client().chat.completions.create({ model: 'mock-fault-500', messages: ask }),
      (e) => e instanceof OpenAI.InternalServerError && e.status === 500);
    const noKey = new OpenAI({ apiKey: 'unused', baseURL: `${mock.baseUrl}/v1`, maxRetries: 0, defaultHeaders: { Authorization: null } });
    await assert.rejects(noKey.chat.completions.create({ model: 'm', messages: ask }),
      (e) => e instanceof OpenAI.AuthenticationError);
  });

  test('mid-stream error event becomes an APIError', async () => {
    const stream = await client().chat.completions.create({ model: 'm@stream_error,after=3', messages: ask, stream: true });
    await assert.rejects((async () => { for await (const _ of stream) { /* drain */ } })(),
      (e) => e instanceof OpenAI.APIError);
  });
});

describe('groq-sdk → mock /groq', () => {
  const client = () => new Groq({ apiKey: 'gsk_test', baseURL: `${mock.baseUrl}/groq`, maxRetries: 0 });

  test('non-stream', async () => {
    const r = await client().chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: ask });
    assert.equal(r.choices[0].message.content, 'Mock answer to: What is the weather in Paris?');
    assert.ok(r.usage.total_tokens > 0);
    assert.match(r.x_groq.id, /^req_/);
  });

  test('stream: usage in x_groq on the final chunk', async () => {
    const stream = await client().chat.completions.create({
      model: 'llama-3.3-70b-versatile', messages: ask, stream: true,
    });
    let text = '';
    let usage = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.x_groq?.usage) usage = chunk.x_groq.usage;
    }
    assert.equal(text, 'Mock answer to: What is the weather in Paris?');
    assert.ok(usage && usage.total_tokens > 0);
  });

  test('tool calls', async () => {
    const r = await client().chat.completions.create({
      model: 'llama-3.3-70b-versatile', messages: ask, tools: weatherTools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const calls = r.choices[0].message.tool_calls;
    assert.equal(calls.length, 1);
    assert.equal(calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'mock-city', unit: 'celsius' });
  });

  test('429 and 503 are typed errors', async () => {
    await assert.rejects(client().chat.completions.create({ model: 'mock-fault-429', messages: ask }),
      (e) => e instanceof Groq.RateLimitError && e.status === 429);
    await assert.rejects(client().chat.completions.create({ model: 'mock-fault-503', messages: ask }),
      (e) => e instanceof Groq.InternalServerError && e.status === 503);
    await assert.rejects(client().chat.completions.create({ model: 'm', messages: ask, logprobs: true }),
      (e) => e instanceof Groq.BadRequestError);
  });
});

describe('@mistralai/mistralai → mock /mistral', () => {
  const client = () => new Mistral({
    apiKey: 'mistral-test', serverURL: `${mock.baseUrl}/mistral`, retryConfig: { strategy: 'none' },
  });

  test('complete', async () => {
    const r = await client().chat.complete({ model: 'mistral-small-latest', messages: ask });
    assert.equal(r.choices[0].message.content, 'Mock answer to: What is the weather in Paris?');
    assert.equal(r.choices[0].finishReason, 'stop');
    assert.ok(r.usage.totalTokens > 0);
  });

  test('stream: usage on the last chunk', async () => {
    const stream = await client().chat.stream({ model: 'mistral-small-latest', messages: ask });
    let text = '';
    let usage = null;
    let finish = null;
    for await (const event of stream) {
      const c = event.data.choices[0];
      text += typeof c?.delta?.content === 'string' ? c.delta.content : '';
      finish = c?.finishReason ?? finish;
      if (event.data.usage) usage = event.data.usage;
    }
    assert.equal(text, 'Mock answer to: What is the weather in Paris?');
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.totalTokens > 0);
  });

  test('tool calls with 9-character ids, and the id rule on the way back', async () => {
    const r = await client().chat.complete({ model: 'mistral-small-latest', messages: ask, tools: weatherTools, toolChoice: 'any' });
    const calls = r.choices[0].message.toolCalls;
    assert.equal(calls.length, 2);
    for (const c of calls) assert.match(c.id, /^[A-Za-z0-9]{9}$/);
    const args = typeof calls[0].function.arguments === 'string' ? JSON.parse(calls[0].function.arguments) : calls[0].function.arguments;
    assert.deepEqual(args, { city: 'mock-city', unit: 'celsius' });

    const history = [
      ...ask,
      { role: 'assistant', content: '', toolCalls: [{ id: calls[0].id, type: 'function', function: calls[0].function }] },
      { role: 'tool', toolCallId: calls[0].id, name: 'get_weather', content: '{"temp":20}' },
    ];
    const ok = await client().chat.complete({ model: 'mistral-small-latest', messages: history, tools: weatherTools });
    assert.equal(ok.choices[0].finishReason, 'stop');
    const bad = history.map((m) => (m.role === 'tool' ? { ...m, toolCallId: 'call_0fypS1hVX' } : m));
    await assert.rejects(client().chat.complete({ model: 'mistral-small-latest', messages: bad }), (e) => {
      assert.ok(e instanceof mistralErrors.MistralError);
      assert.equal(e.statusCode, 400);
      assert.match(e.body, /must be a-z, A-Z, 0-9, with a length of 9/);
      return true;
    });
  });

  test('429 and 401 are typed errors', async () => {
    await assert.rejects(client().chat.complete({ model: 'mock-fault-429', messages: ask }),
      (e) => e instanceof mistralErrors.MistralError && e.statusCode === 429);
    await assert.rejects(client().chat.complete({ model: 'm@fault=401', messages: ask }),
      (e) => e instanceof mistralErrors.MistralError && e.statusCode === 401);
  });
});
