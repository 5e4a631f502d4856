// scan_chunk (stream_chunk.h): a single-pass reader of the common chat.completion.chunk
// shape. For a ~250-byte chunk simdjson's DOM parse (two stages, a tape, padding copy) cost
// ~2.8k instructions, more than the rest of the chunk's decoding; this reads the few fields
// the decoder uses straight from the bytes and validates the rest as it skips it.
//
// It mirrors scan_chunk_simd's reading exactly (the key handlers below follow
// stream_chunk_simd.cc one for one) and only accepts what simdjson accepts. Whenever that is
// not obviously so it declines rather than guess: escapes it cannot decode (lone surrogates,
// bad hex), integers beyond 18 digits or negative where one is read, exponents, nesting
// deeper than core::json_reader::max_depth (the generic reading lives there). Non-ASCII
// bytes are only possible inside strings and are checked once at the end with simdjson's
// UTF-8 validator over the whole chunk.
//
// With a chunk_memo (one per stream) most chunks are not read whole: a text chunk that only
// differs from the remembered one in its text reuses what was read from it, and any other
// chunk with the remembered head resumes at "choices" (stream_chunk.h).

#include <cstring>

#include <simdjson.h>

#include "core/ascii.h"
#include "core/json_reader.h"
#include "core/json_string_stops.h"
#include "providers/openai_compat/stream_chunk.h"

namespace gi::providers::openai_compat {

namespace {

namespace json_string_stops = core::json_string_stops;

class reader : public core::json_reader {
 public:
  reader(std::string_view in, char* scratch) : json_reader(in, scratch) {}

  bool root(fast_chunk_view& v, chunk_memo* memo);

 private:
  // wire_simd::integer: kind 1 (in `out`) / 0 (not a number); doubles, negatives and long
  // integers decline.
  bool integer(int& kind, std::int64_t& out);
  // wire_simd::read_int.
  bool read_int(std::int64_t& out) {
    int kind = 0;
    std::int64_t x = 0;
    if (!integer(kind, x)) return false;
    out = kind > 0 ? x : 0;
    return true;
  }
  // wire_simd::str: the string, or nullopt for any other value.
  bool opt_str(std::optional<std::string_view>& s) {
    if (peek() != '"') {
      s.reset();
      return skip();
    }
    return string(s.emplace());
  }

  bool finish(fast_chunk_view& v, bool have_choices, chunk_memo* memo);
  bool reuse_whole(const chunk_memo::whole_chunk& w, fast_chunk_view& v);
  void remember_whole(chunk_memo::whole_chunk& w, const fast_chunk_view& v);
  std::optional<chunk_memo::span> span_of(const std::optional<std::string_view>& s) const {
    if (!s) return std::nullopt;
    return chunk_memo::span{static_cast<std::size_t>(s->data() - begin_), s->size()};
  }
  void remember(chunk_memo& m, const char* top, const fast_chunk_view& v);
  bool resume(const chunk_memo& m, fast_chunk_view& v);
  bool choices(fast_chunk_view& v);
  bool choice(fast_choice& c, fast_chunk_view& v);
  bool delta(fast_choice& c, fast_chunk_view& v);
  bool tool(fast_tool& t);
  bool usage(core::usage& u);
};



bool reader::integer(int& kind, std::int64_t& out) {
  const char c = peek();
  if (c == '-') return false;
  if (c < '0' || c > '9') {
    kind = 0;
    return skip();
  }
  std::int64_t x = 0;
  if (c == '0') {
    ++p_;
  } else {
    const char* digits = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      if (p_ - digits == 18) return false;  // leaves no doubt about int64 / uint64 / bigint
      x = x * 10 + (*p_++ - '0');
    }
  }
  if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;  // a double
  kind = 1;
  out = x;
  return true;
}

bool reader::root(fast_chunk_view& v, chunk_memo* memo) {
  if (memo != nullptr && reuse_whole(memo->whole, v)) {
    ++memo->reused;
    return true;
  }
  const bool resumed = memo != nullptr && resume(*memo, v);
  if (resumed) ++memo->resumed;
  if (!resumed) {
    if (peek() != '{') return false;
    ++p_;
    if (peek() == '}') {
      ++p_;
      return finish(v, false, memo);
    }
  }
  depth_ = 1;
  bool have_choices = false;
  bool seen_choices = false;
  for (;;) {
    const char* const top = p_;  // a key boundary: the whole state is in `v`
    std::string_view k;
    if (peek() != '"' || !string(k) || peek() != ':') return false;
    ++p_;
    bool ok = true;
    if (k == "choices") {
      if (memo != nullptr && !seen_choices && !(resumed && top == begin_ + memo->head.size()))
        remember(*memo, top, v);
      seen_choices = true;
      have_choices = peek() == '[';
      ok = have_choices ? choices(v) : skip();
    } else if (k == "id") {
      ok = opt_str(v.id);
    } else if (k == "model") {
      ok = opt_str(v.model);
    } else if (k == "created") {
      ok = read_int(v.created);
    } else if (k == "system_fingerprint") {
      ok = opt_str(v.fingerprint);
    } else if (k == "usage") {
      if (peek() == '{') {
        ok = usage(v.usage.emplace());
      } else {
        v.usage.reset();
        ok = skip();
      }
    } else if (k == "error") {
      ok = peek() == 'n' && literal("null");  // else the general path
    } else if (k == "x_groq" && peek() == '{') {
      return false;  // Groq usage / error (§6.2)
    } else {
      ok = skip();
    }
    if (!ok) return false;
    const char c = peek();
    if (c != ',' && c != '}') return false;
    ++p_;
    if (c == '}') return finish(v, have_choices, memo);
  }
}

bool reader::finish(fast_chunk_view& v, bool have_choices, chunk_memo* memo) {
  if (peek() != '\0' || p_ != end_) return false;
  if (!have_choices) v.choice_count = v.tool_count = 0;
  // Any byte >= 0x80 sat in a string (elsewhere the grammar rejected it): check it is UTF-8
  // as simdjson would.
  if (high_ != 0 && !simdjson::validate_utf8(begin_, static_cast<std::size_t>(end_ - begin_)))
    return false;
  if (memo != nullptr) remember_whole(memo->whole, v);
  return true;
}

void reader::remember_whole(chunk_memo::whole_chunk& w, const fast_chunk_view& v) {
  const fast_choice& c = v.choices[0];
  // Without escapes every view points into the chunk, at the bytes it was read from. A
  // chunk of another shape (role, finish, usage) leaves the last text chunk remembered.
  if (out_ != scratch_ || v.choice_count != 1 || v.tool_count != 0 || !c.object ||
      !c.delta || !c.content)
    return;
  w.valid = true;
  w.bytes.assign(begin_, end_);
  w.content_offset = static_cast<std::size_t>(c.content->data() - begin_);
  w.content_size = c.content->size();
  w.id = span_of(v.id);
  w.model = span_of(v.model);
  w.fingerprint = span_of(v.fingerprint);
  w.created = v.created;
  w.usage = v.usage;
  w.choice = c;
  w.choice.reasoning_content = w.choice.reasoning = w.choice.content = w.choice.refusal =
      w.choice.finish_reason = std::nullopt;
  w.reasoning_content = span_of(c.reasoning_content);
  w.reasoning = span_of(c.reasoning);
  w.refusal = span_of(c.refusal);
  w.finish_reason = span_of(c.finish_reason);
}

// This chunk is the remembered one with other text between the content's quotes: same
// bytes before and after, and text that holds no quote, backslash or control byte (so the
// string still ends at the same closing quote and nothing else is read differently).
bool reader::reuse_whole(const chunk_memo::whole_chunk& w, fast_chunk_view& v) {
  if (!w.valid) return false;
  const std::size_t n = static_cast<std::size_t>(end_ - begin_);
  const std::size_t head = w.content_offset;
  const std::size_t tail = w.bytes.size() - head - w.content_size;  // from the closing quote
  if (n < head + tail || std::memcmp(begin_, w.bytes.data(), head) != 0 ||
      std::memcmp(end_ - tail, w.bytes.data() + head + w.content_size, tail) != 0)
    return false;
  const char* text = begin_ + head;
  const char* close = end_ - tail;
  std::uint64_t high = 0;
  if (json_string_stops::find(text, end_, high) != close) return false;
  // The rest is the remembered chunk's bytes, valid UTF-8, and the text sits between ASCII
  // quotes: the whole is valid exactly when the text is.
  if (high != 0 && !simdjson::validate_utf8(text, static_cast<std::size_t>(close - text)))
    return false;
  const std::size_t moved = n - head - tail;  // the new text's size
  auto view = [&](const std::optional<chunk_memo::span>& s) -> std::optional<std::string_view> {
    if (!s) return std::nullopt;
    const std::size_t at = s->offset < head ? s->offset : s->offset - w.content_size + moved;
    return std::string_view(begin_ + at, s->size);
  };
  v.id = view(w.id);
  v.model = view(w.model);
  v.fingerprint = view(w.fingerprint);
  v.created = w.created;
  v.usage = w.usage;
  v.choice_count = 1;
  v.tool_count = 0;
  fast_choice& c = v.choices[0];
  c = w.choice;
  c.reasoning_content = view(w.reasoning_content);
  c.reasoning = view(w.reasoning);
  c.refusal = view(w.refusal);
  c.finish_reason = view(w.finish_reason);
  c.content = std::string_view(text, moved);
  return true;
}

// The root fields read so far come from the bytes before `top` alone, so they hold for any
// chunk that starts with the same bytes. Views must point into the chunk (no escapes yet).
void reader::remember(chunk_memo& m, const char* top, const fast_chunk_view& v) {
  m.valid = out_ == scratch_;
  if (!m.valid) return;
  m.head.assign(begin_, top);
  auto span = [this](const std::optional<std::string_view>& s) {
    return s ? std::optional<chunk_memo::span>(
                   {static_cast<std::size_t>(s->data() - begin_), s->size()})
             : std::nullopt;
  };
  m.id = span(v.id);
  m.model = span(v.model);
  m.fingerprint = span(v.fingerprint);
  m.created = v.created;
  m.usage = v.usage;
  m.non_ascii = high_ != 0;
}

bool reader::resume(const chunk_memo& m, fast_chunk_view& v) {
  const std::size_t n = m.head.size();
  if (!m.valid || static_cast<std::size_t>(end_ - begin_) <= n ||
      std::memcmp(begin_, m.head.data(), n) != 0)
    return false;
  auto view = [this](const std::optional<chunk_memo::span>& s) {
    return s ? std::optional<std::string_view>(std::string_view(begin_ + s->offset, s->size))
             : std::nullopt;
  };
  v.id = view(m.id);
  v.model = view(m.model);
  v.fingerprint = view(m.fingerprint);
  v.created = m.created;
  v.usage = m.usage;
  if (m.non_ascii) high_ = 1;
  p_ = begin_ + n;
  return true;
}

bool reader::choices(fast_chunk_view& v) {
  v.choice_count = 0;
  v.tool_count = 0;
  return elements([&] {
    if (v.choice_count == max_choices) return false;
    fast_choice& c = v.choices[v.choice_count++];
    if (peek() != '{') {
      c = fast_choice{};  // counts for positions, emits nothing
      return skip();
    }
    return choice(c, v);
  });
}

bool reader::choice(fast_choice& c, fast_chunk_view& v) {
  c = fast_choice{};
  c.object = true;
  return members([&](std::string_view k) {
    if (k == "index") return integer(c.index_kind, c.index);
    if (k == "delta") {
      c.delta = peek() == '{';
      if (c.delta) return delta(c, v);
      c.role = false;
      c.tool_count = 0;
      return skip();
    }
    if (k == "finish_reason") return opt_str(c.finish_reason);
    return skip();
  });
}

bool reader::delta(fast_choice& c, fast_chunk_view& v) {
  c.role = false;
  c.reasoning_content = c.reasoning = c.content = c.refusal = std::nullopt;
  c.tool_count = 0;
  return members([&](std::string_view k) {
    if (k == "content") {
      const char n = peek();
      if (n == '"') return string(c.content.emplace());
      c.content.reset();
      return n == 'n' && literal("null");  // Mistral chunk arrays go to the general path
    }
    if (k == "role") {
      c.role = true;
      return skip();
    }
    if (k == "reasoning_content") return opt_str(c.reasoning_content);
    if (k == "reasoning") return opt_str(c.reasoning);
    if (k == "refusal") return opt_str(c.refusal);
    if (k == "tool_calls") {
      c.tool_count = 0;
      if (peek() != '[') return skip();
      c.first_tool = v.tool_count;
      return elements([&] {
        if (peek() != '{') return skip();
        if (v.tool_count == max_tools || !tool(v.tools[v.tool_count])) return false;
        ++v.tool_count;
        ++c.tool_count;
        return true;
      });
    }
    return skip();
  });
}

bool reader::tool(fast_tool& t) {
  t = fast_tool{};
  t.object = true;
  return members([&](std::string_view k) {
    if (k == "index") return integer(t.index_kind, t.index);
    if (k == "id") return opt_str(t.id);
    if (k == "function") {
      t.function = peek() == '{';
      t.name.reset();
      t.arguments = {};
      if (!t.function) return skip();
      return members([&](std::string_view fk) {
        if (fk == "name") return opt_str(t.name);
        if (fk == "arguments") {
          const char n = peek();
          if (n == '"') return string(t.arguments);
          t.arguments = {};
          return n == 'n' && literal("null");  // else serialised by the general path
        }
        return skip();
      });
    }
    return skip();
  });
}

bool reader::usage(core::usage& u) {
  std::optional<std::int64_t> hit;
  const bool ok = members([&](std::string_view k) {
    if (k == "prompt_tokens") return read_int(u.prompt_tokens);
    if (k == "completion_tokens") return read_int(u.completion_tokens);
    if (k == "prompt_tokens_details") {
      u.cached_tokens = u.cache_write_tokens = 0;
      if (peek() != '{') return skip();
      return members([&](std::string_view d) {
        if (d == "cached_tokens") return read_int(u.cached_tokens);
        if (d == "cache_write_tokens") return read_int(u.cache_write_tokens);
        return skip();
      });
    }
    if (k == "prompt_cache_hit_tokens") {  // DeepSeek §7.3, wins when present
      int kind = 0;
      std::int64_t x = 0;
      if (!integer(kind, x)) return false;
      hit = kind > 0 ? std::optional<std::int64_t>(x) : std::nullopt;
      return true;
    }
    if (k == "completion_tokens_details") {
      u.reasoning_tokens = 0;
      if (peek() != '{') return skip();
      return members([&](std::string_view d) {
        if (d == "reasoning_tokens") return read_int(u.reasoning_tokens);
        return skip();
      });
    }
    return skip();
  });
  if (hit) u.cached_tokens = *hit;
  return ok;
}

}  // namespace

bool scan_chunk(std::string_view json, char* scratch, fast_chunk_view& v, chunk_memo* memo) {
  return reader(json, scratch).root(v, memo);
}

}  // namespace gi::providers::openai_compat
