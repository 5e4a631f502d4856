#!/usr/bin/env python3
"""Writes the benchmark payloads (deterministic). Run from this directory."""
import json
import random

rng = random.Random(7)
WORDS = ("the gateway routes each request to the cheapest endpoint that can serve it while "
         "keeping latency within budget and falling back on errors \u00e9t\u00e9 na\u00efve "
         "\u65e5\u672c \"quoted\" tab\there").split(" ")

def text(n_words):
    return " ".join(rng.choice(WORDS) for _ in range(n_words))

weather_tool = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                   "unit": {"type": "string", "enum": ["c", "f"]}},
                   "required": ["city"], "additionalProperties": False},
    "strict": True}}

small = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
        {"role": "user", "content": text(60)},
    ],
    "tools": [weather_tool],
    "tool_choice": "auto",
    "temperature": 0.7,
    "max_tokens": 512,
    "stream": True,
    "stream_options": {"include_usage": True},
    "user": "user-1234",
}

msgs = [{"role": "system", "content": text(200)}]
call = 0
while len(json.dumps(msgs)) < 99_000:
    msgs.append({"role": "user", "content": [{"type": "text", "text": text(120)}]})
    call += 1
    cid = f"call_{call:04d}"
    msgs.append({"role": "assistant", "content": None, "tool_calls": [
        {"id": cid, "type": "function",
         "function": {"name": "get_weather", "arguments": json.dumps({"city": text(2)})}}]})
    msgs.append({"role": "tool", "tool_call_id": cid, "content": text(80)})
    msgs.append({"role": "assistant", "content": text(100)})
msgs.append({"role": "user", "content": "and tomorrow?"})
tools = [weather_tool] + [{"type": "function", "function": {
    "name": f"tool_{i}", "description": text(12),
    "parameters": {"type": "object", "properties": {f"p{j}": {"type": "string", "description": text(6)}
                                                    for j in range(6)}}}} for i in range(8)]
large = {"model": "auto", "messages": msgs, "tools": tools, "max_completion_tokens": 2048,
         "metadata": {"team": "bench"}}

with open("request_1k.json", "w") as f:
    json.dump(small, f, ensure_ascii=False)
with open("request_100k.json", "w") as f:
    json.dump(large, f, ensure_ascii=False)
