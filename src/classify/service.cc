#include "classify/service.h"

#include <algorithm>

namespace gi::classify {

struct service::request {
  std::string text;
  std::uint64_t key = 0;
  callback cb;
  std::chrono::steady_clock::time_point submitted, deadline;
  std::atomic<bool> done{false};
};

bool service::later(const std::shared_ptr<request>& a, const std::shared_ptr<request>& b) {
  return a->deadline > b->deadline;
}

std::uint64_t text_key(std::string_view text) noexcept {
  std::uint64_t h = detail::fnv_offset;
  for (unsigned char c : text) h = (h ^ c) * detail::fnv_prime;
  return detail::fmix64(h ^ (text.size() * 0x9E3779B97F4A7C15ULL));
}

service::service(std::shared_ptr<const lexical_model> lexical, std::shared_ptr<const classifier> primary,
                 service_options opt, service_observer observer)
    : lexical_(std::move(lexical)), primary_(std::move(primary)), opt_(opt), observer_(std::move(observer)) {
  if (primary_) {
    for (std::size_t i = 0; i < std::max<std::size_t>(opt_.threads, 1); ++i) workers_.emplace_back([this] { worker(); });
    deadline_thread_ = std::thread([this] { deadline_loop(); });
  }
}

service::~service() { stop(); }

void service::stop() {
  std::deque<std::shared_ptr<request>> pending;
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
    stopping_ = true;
    pending.swap(queue_);
    queue_depth_.store(0);
  }
  cv_.notify_all();
  deadline_cv_.notify_all();
  for (auto& t : workers_) t.join();
  if (deadline_thread_.joinable()) deadline_thread_.join();
  // Never leave a caller waiting: whatever was queued is answered from the lexical model.
  for (auto& r : pending) {
    auto c = lexical_->classify(r->text);
    c.source = "fallback";
    answer(r, std::move(c), false, fallback_reason::overload);
  }
}

bool service::stopped() const {
  std::lock_guard lk(mu_);
  return stopping_;
}

std::string_view service::active() const noexcept { return primary_ ? primary_->name() : lexical_->name(); }

service_stats service::stats() const {
  service_stats s;
  s.requests = requests_.load();
  s.cache_hits = cache_hits_.load();
  s.fallback_overload = fallback_overload_.load();
  s.fallback_deadline = fallback_deadline_.load();
  for (std::size_t i = 0; i < task_count; ++i) s.labels[i] = labels_[i].load();
  {
    std::lock_guard lk(mu_);
    s.queue_depth = queue_.size();
  }
  return s;
}

void service::answer(const std::shared_ptr<request>& r, classification c, bool cache_hit, fallback_reason why) {
  if (r->done.exchange(true)) return;
  const int idx = task_index(c.task);
  if (idx >= 0) labels_[static_cast<std::size_t>(idx)].fetch_add(1, std::memory_order_relaxed);
  if (observer_)
    observer_(service_event{c, std::chrono::duration<double>(std::chrono::steady_clock::now() - r->submitted).count(),
                            cache_hit, why, queue_depth_.load(std::memory_order_relaxed)});
  auto cb = std::move(r->cb);
  cb(std::move(c));
}

void service::classify(std::string text, callback cb) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  auto r = std::make_shared<request>();
  r->key = text_key(text);
  r->text = std::move(text);
  r->cb = std::move(cb);
  r->submitted = std::chrono::steady_clock::now();
  r->deadline = r->submitted + opt_.deadline;
  classification cached;
  if (opt_.cache_capacity > 0 && cache_get(r->key, cached)) {
    cache_hits_.fetch_add(1, std::memory_order_relaxed);
    answer(r, std::move(cached), true);
    return;
  }
  if (!primary_) {
    auto c = lexical_->classify(r->text);
    if (opt_.cache_capacity > 0) cache_put(r->key, c);
    answer(r, std::move(c), false);
    return;
  }
  {
    std::unique_lock lk(mu_);
    if (!stopping_ && queue_.size() < opt_.queue_capacity) {
      queue_.push_back(r);
      queue_depth_.store(queue_.size(), std::memory_order_relaxed);
      deadlines_.push_back(r);
      std::push_heap(deadlines_.begin(), deadlines_.end(), later);
      lk.unlock();
      cv_.notify_one();
      deadline_cv_.notify_one();
      return;
    }
  }
  fallback_overload_.fetch_add(1, std::memory_order_relaxed);
  auto c = lexical_->classify(r->text);
  c.source = "fallback";
  answer(r, std::move(c), false, fallback_reason::overload);
}

void service::worker() {
  for (;;) {
    std::vector<std::shared_ptr<request>> batch;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      while (!queue_.empty() && batch.size() < std::max<std::size_t>(opt_.max_batch, 1)) {
        if (!queue_.front()->done.load()) batch.push_back(queue_.front());  // else: answered by its deadline
        queue_.pop_front();
      }
      queue_depth_.store(queue_.size(), std::memory_order_relaxed);
    }
    if (batch.empty()) continue;
    std::vector<std::string_view> texts;
    texts.reserve(batch.size());
    for (const auto& r : batch) texts.push_back(r->text);
    auto results = primary_->classify_batch(texts);
    for (std::size_t i = 0; i < batch.size() && i < results.size(); ++i) {
      if (opt_.cache_capacity > 0) cache_put(batch[i]->key, results[i]);
      answer(batch[i], std::move(results[i]), false);
    }
  }
}

void service::deadline_loop() {
  std::unique_lock lk(mu_);
  for (;;) {
    if (stopping_) return;
    if (deadlines_.empty()) {
      deadline_cv_.wait(lk);
      continue;
    }
    auto next = deadlines_.front();
    if (next->done.load()) {
      std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
      deadlines_.pop_back();
      continue;
    }
    if (deadline_cv_.wait_until(lk, next->deadline) == std::cv_status::timeout ||
        std::chrono::steady_clock::now() >= next->deadline) {
      if (deadlines_.empty() || deadlines_.front() != next) continue;
      std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
      deadlines_.pop_back();
      if (next->done.load()) continue;
      lk.unlock();
      auto c = lexical_->classify(next->text);
      c.source = "fallback";
      if (!next->done.load()) {
        fallback_deadline_.fetch_add(1, std::memory_order_relaxed);
        answer(next, std::move(c), false, fallback_reason::deadline);
      }
      lk.lock();
    }
  }
}

bool service::cache_get(std::uint64_t key, classification& out) {
  std::lock_guard lk(cache_mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second);
  out = it->second->second;
  return true;
}

void service::cache_put(std::uint64_t key, const classification& c) {
  std::lock_guard lk(cache_mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = c;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(key, c);
  index_[key] = lru_.begin();
  while (lru_.size() > opt_.cache_capacity) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

namespace {

// First 3/4 and last 1/4 of `s` within `max` bytes, cut at UTF-8 boundaries.
std::string head_tail(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  auto back_to_boundary = [&](std::size_t i) {
    while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return i;
  };
  auto fwd_to_boundary = [&](std::size_t i) {
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    return i;
  };
  const std::size_t head = back_to_boundary(max * 3 / 4);
  const std::size_t tail_start = fwd_to_boundary(s.size() - (max - max * 3 / 4));
  std::string out(s.substr(0, head));
  out.push_back('\n');
  out.append(s.substr(tail_start));
  return out;
}

}  // namespace

std::string task_input(const std::vector<core::message>& messages, const input_options& opt) {
  std::string out;
  std::ptrdiff_t last_user = -1;
  for (std::size_t i = messages.size(); i > 0; --i)
    if (messages[i - 1].role == core::role::user) {
      last_user = static_cast<std::ptrdiff_t>(i - 1);
      break;
    }
  if (last_user >= 0) out = head_tail(messages[static_cast<std::size_t>(last_user)].joined_text(), opt.max_user_bytes);
  if (opt.previous_turn_bytes > 0 && last_user > 0) {
    const auto prev = messages[static_cast<std::size_t>(last_user - 1)].joined_text();
    if (!prev.empty()) {
      out.push_back('\n');
      out.append(head_tail(prev, opt.previous_turn_bytes));
    }
  }
  if (opt.system_bytes > 0)
    for (const auto& m : messages)
      if (m.role == core::role::system || m.role == core::role::developer) {
        out.push_back('\n');
        out.append(head_tail(m.joined_text(), opt.system_bytes));
        break;
      }
  return out;
}

}  // namespace gi::classify
