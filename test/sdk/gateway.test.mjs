// The official `openai` npm SDK, unmodified, pointed at the gateway (`gammainfra demo`: the
// gateway in front of in-process mock providers). Proves the gateway speaks OpenAI's wire
// format exactly: responses, streams, tool calls, structured output, typed errors, and the
// X-GammaInfra-* headers readable through withResponse().
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai';

import { startDemo } from './support/gateway_process.mjs';

let gw;
before(async () => { gw = await startDemo(); });
after(async () => { await gw?.stop(); });

const client = (opts = {}) => new OpenAI({ apiKey: gw.apiKey, baseURL: gw.baseURL, maxRetries: 0, ...opts });
const ask = [{ role: 'user', content: 'What is the weather in Paris and the time in Tokyo?' }];
const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
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
    function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] } },
  },
];

describe('openai SDK → gateway', () => {
  test('non-stream with an explicit endpoint: body and headers', async () => {
    const { data, response } = await client().chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: ask })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.match(data.choices[0].message.content, /^Mock answer to:/);
    const rid = response.headers.get('x-gammainfra-request-id');
    assert.match(rid, /^gi-[0-9A-Z]{26}$/);
    assert.equal(data.id, `chatcmpl-${rid}`);
    assert.equal(response.headers.get('x-gammainfra-endpoint'), 'openai/gpt-4o-mini');
    assert.match(response.headers.get('x-gammainfra-cost-usd'), /^\d+(\.\d{1,9})?$/);
    assert.match(response.headers.get('x-gammainfra-router-version'), /\+cfg\.[0-9a-f]+$/);
    assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
  });

  test('the demo\'s failing endpoint cascades invisibly (chain in the headers)', async () => {
    // Pinned to the endpoint that is always down: the answer comes from the task chain.
    const { data, response } = await client().chat.completions
      .create({ model: 'demo/down', messages: ask })
      .withResponse();
    assert.equal(data.choices[0].message.role, 'assistant');
    const chain = response.headers.get('x-gammainfra-fallback-chain');
    assert.match(chain, /^demo\/down;error=503;ms=\d+, .*;ok;ms=\d+/);
    assert.notEqual(response.headers.get('x-gammainfra-endpoint'), 'demo/down');
  });

  test('model "auto" answers from the task chain', async () => {
    const { data, response } = await client().chat.completions
      .create({ model: 'auto', messages: ask })
      .withResponse();
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.match(response.headers.get('x-gammainfra-fallback-chain'), /;ok;ms=\d+/);
    assert.ok(response.headers.get('x-gammainfra-task'));
  });

  test('stream with include_usage: text, one finish, usage with cost, x_gammainfra', async () => {
    const stream = await client().chat.completions.create({
      model: 'auto', messages: ask, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let finishes = 0;
    let usage = null;
    let x = null;
    for await (const chunk of stream) {
      if (chunk.x_gammainfra) x = chunk.x_gammainfra;
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.delta?.content ?? '';
        if (c.finish_reason) finishes += 1;
      }
    }
    assert.match(text, /^Mock answer to:/);
    assert.equal(finishes, 1);
    assert.ok(usage && usage.total_tokens > 0);
    assert.match(usage.cost_usd, /^\d+(\.\d{1,9})?$/);
    assert.equal(x.cost_usd, usage.cost_usd);
    assert.match(x.fallback_chain, /;ok/);
  });

  test('stream without include_usage has no usage chunk', async () => {
    const stream = await client().chat.completions.create({ model: 'openai/gpt-4o-mini', messages: ask, stream: true });
    for await (const chunk of stream) {
      assert.ok(chunk.choices.length > 0);
      assert.ok(chunk.usage === undefined || chunk.usage === null);
    }
  });

  test('parallel tool calls, non-stream and stream (helper accumulates by index)', async () => {
    const r = await client().chat.completions.create({
      model: 'openai/gpt-4o-mini', messages: ask, tools, tool_choice: 'required',
    });
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
    const calls = r.choices[0].message.tool_calls;
    assert.equal(calls.length, 2);
    const weather = JSON.parse(calls.find((c) => c.function.name === 'get_weather').function.arguments);
    assert.ok(['celsius', 'fahrenheit'].includes(weather.unit));

    const runner = client().chat.completions.stream({
      model: 'openai/gpt-4o-mini', messages: ask, tools, tool_choice: 'required',
    });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0].message.tool_calls;
    assert.equal(streamed.length, 2);
    for (const c of streamed) JSON.parse(c.function.arguments);
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  test('tool result round trip', async () => {
    const first = await client().chat.completions.create({
      model: 'openai/gpt-4o-mini', messages: ask, tools: [tools[0]], tool_choice: 'required',
    });
    const call = first.choices[0].message.tool_calls[0];
    const r = await client().chat.completions.create({
      model: 'openai/gpt-4o-mini',
      tools: [tools[0]],
      messages: [...ask, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' }],
    });
    assert.equal(r.choices[0].finish_reason, 'stop');
  });

  test('response_format json_schema gives parseable JSON', async () => {
    const r = await client().chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Give me a city as JSON' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city', strict: true,
          schema: { type: 'object', properties: { name: { type: 'string' }, population: { type: 'integer' } }, required: ['name', 'population'], additionalProperties: false },
        },
      },
    });
    const v = JSON.parse(r.choices[0].message.content);
    assert.equal(typeof v.name, 'string');
    assert.equal(typeof v.population, 'number');
  });

  test('errors surface as the SDK\'s typed errors', async () => {
    await assert.rejects(
      new OpenAI({ apiKey: 'sk-gammainfra-wrong', baseURL: gw.baseURL, maxRetries: 0 })
        .chat.completions.create({ model: 'auto', messages: ask }),
      (e) => e instanceof OpenAI.AuthenticationError && e.status === 401,
    );
    await assert.rejects(
      client().chat.completions.create({ model: 'no-such-model', messages: ask }),
      (e) => e instanceof OpenAI.NotFoundError && e.status === 404 && e.param === 'model',
    );
    await assert.rejects(
      client().chat.completions.create({ model: 'auto', messages: ask, temperature: 7 }),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'temperature',
    );
    await assert.rejects(
      client().chat.completions.create({ model: 'auto', messages: [] }),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'messages',
    );
  });

  test('models list', async () => {
    const ids = [];
    for await (const m of client().models.list()) ids.push(m.id);
    assert.ok(ids.includes('auto'));
    assert.ok(ids.includes('openai/gpt-4o-mini'));
    assert.ok(ids.includes('gpt-4o-mini'));
  });
});
