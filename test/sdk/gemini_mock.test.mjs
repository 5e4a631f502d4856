// The official `@google/genai` SDK, unmodified, against the mock's Gemini wire format:
// proves the mock speaks what the real client sends and parses (paths, x-goog-api-key,
// camelCase bodies, CRLF SSE, function calls with thought signatures echoed by the SDK's
// chat history, safety blocks, google.rpc.Status errors).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';

import { GoogleGenAI, ApiError } from '@google/genai';

import { startMock } from './support/mock_process.mjs';

let mock;
before(async () => { mock = await startMock(); });
after(async () => { await mock?.stop(); });

const ai = () => new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: mock.baseUrl } });
const tools = [{
  functionDeclarations: [
    { name: 'get_weather', description: 'Current weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] } },
  ],
}];

describe('@google/genai → mock', () => {
  test('generateContent: text, usage, model version', async () => {
    const r = await ai().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Hello there from the SDK',
      config: { systemInstruction: 'Be terse.', temperature: 0.2, maxOutputTokens: 100 },
    });
    assert.equal(r.text, 'Mock answer to: Hello there from the SDK');
    assert.equal(r.candidates[0].finishReason, 'STOP');
    assert.equal(r.modelVersion, 'gemini-2.5-flash');
    const u = r.usageMetadata;
    assert.equal(u.totalTokenCount, u.promptTokenCount + u.candidatesTokenCount + u.thoughtsTokenCount);
  });

  test('generateContentStream: CRLF SSE pieces join to the answer', async () => {
    const stream = await ai().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'one two three' });
    let text = '';
    let chunks = 0;
    let finish;
    for await (const c of stream) {
      chunks += 1;
      text += c.text ?? '';
      finish = c.candidates?.[0]?.finishReason ?? finish;
      assert.ok(c.usageMetadata, 'usage on every chunk');
    }
    assert.ok(chunks >= 3);
    assert.equal(text, 'Mock answer to: one two three');
    assert.equal(finish, 'STOP');
  });

  test('function calling round trip through the chat helper keeps the thought signature', async () => {
    const chat = ai().chats.create({ model: 'gemini-3.5-flash', config: { tools } });
    const first = await chat.sendMessage({ message: 'Weather and time in Paris? Use the tools.' });
    const calls = first.functionCalls;
    assert.equal(calls.length, 2);
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(calls[0].args, { city: 'mock-city' });
    const parts = first.candidates[0].content.parts;
    assert.ok(parts[0].thoughtSignature, 'first call part carries a signature');
    assert.equal(parts[1].thoughtSignature, undefined);
    const second = await chat.sendMessage({
      message: [
        { functionResponse: { name: 'get_weather', response: { output: '18C' } } },
        { functionResponse: { name: 'get_time', response: { output: '14:05' } } },
      ],
    });
    assert.equal(second.text,
      'Mock answer after 2 tool result(s): get_weather, get_time; thought signatures verified=1 skipped=0');
  });

  test('a replayed call without its signature is a 400 on gemini-3', async () => {
    await assert.rejects(
      ai().models.generateContent({
        model: 'gemini-3.5-flash',
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18C' } } }] },
        ],
        config: { tools },
      }),
      (e) => e instanceof ApiError && e.status === 400 && /thought_signature/.test(e.message),
    );
  });

  test('structured output: responseJsonSchema', async () => {
    const r = await ai().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'A city please',
      config: {
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', properties: { name: { type: 'string' }, pop: { type: 'integer' } }, required: ['name', 'pop'] },
      },
    });
    assert.deepEqual(JSON.parse(r.text), { name: 'mock-name', pop: 0 });
  });

  test('thinking: thought parts and thoughtsTokenCount', async () => {
    const r = await ai().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Why is the sky blue?',
      config: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } },
    });
    const parts = r.candidates[0].content.parts;
    assert.equal(parts[0].thought, true);
    assert.equal(r.text, 'Mock answer to: Why is the sky blue?');
    assert.equal(r.usageMetadata.thoughtsTokenCount, 16);
  });

  test('safety: a blocked prompt has promptFeedback and no candidates', async () => {
    const r = await ai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'mock-block-prompt now' });
    assert.equal(r.promptFeedback.blockReason, 'SAFETY');
    assert.equal(r.candidates, undefined);
    assert.equal(r.text, undefined);
  });

  test('errors: RESOURCE_EXHAUSTED with RetryInfo, UNAVAILABLE', async () => {
    await assert.rejects(
      ai().models.generateContent({ model: 'gemini-2.5-flash@fault=429,retry_after=9', contents: 'hi' }),
      (e) => e instanceof ApiError && e.status === 429 && /RESOURCE_EXHAUSTED/.test(e.message) && /9s/.test(e.message),
    );
    await assert.rejects(
      ai().models.generateContent({ model: 'mock-fault-overloaded', contents: 'hi' }),
      (e) => e instanceof ApiError && e.status === 503,
    );
  });
});
