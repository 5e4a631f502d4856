#include "providers/tool_state_store.h"

namespace gi::providers {

void tool_state_store::erase_locked(std::list<entry>::iterator it) {
  bytes_ -= it->cost();
  index_.erase(std::string_view(it->id));
  order_.erase(it);
}

void tool_state_store::expire_locked(std::chrono::system_clock::time_point now) {
  while (!order_.empty() && order_.front().stored_at + limits_.ttl <= now)
    erase_locked(order_.begin());
}

bool tool_state_store::put(std::string_view tool_call_id, tool_state state,
                           std::chrono::system_clock::time_point now) {
  entry e{std::string(tool_call_id), std::move(state), now};
  const std::size_t cost = e.cost();
  if (cost > limits_.max_bytes || limits_.max_entries == 0 || tool_call_id.empty()) return false;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(tool_call_id); it != index_.end()) erase_locked(it->second);
  expire_locked(now);
  while (!order_.empty() &&
         (order_.size() + 1 > limits_.max_entries || bytes_ + cost > limits_.max_bytes))
    erase_locked(order_.begin());
  order_.push_back(std::move(e));
  auto last = std::prev(order_.end());
  index_.emplace(std::string_view(last->id), last);
  bytes_ += cost;
  return true;
}

std::optional<tool_state> tool_state_store::get(std::string_view tool_call_id,
                                                std::chrono::system_clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = index_.find(tool_call_id);
  if (it == index_.end()) return std::nullopt;
  if (it->second->stored_at + limits_.ttl <= now) return std::nullopt;
  return it->second->state;
}

void tool_state_store::expire(std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mu_);
  expire_locked(now);
}

std::size_t tool_state_store::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

std::size_t tool_state_store::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace gi::providers
