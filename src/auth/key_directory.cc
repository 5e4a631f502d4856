#include "auth/key_directory.h"

#include <mutex>

namespace gi::auth {

void key_directory::load(std::vector<storage::key_row> keys) {
  std::unordered_map<std::string, key_ptr> d, i;
  for (auto& k : keys) {
    auto p = std::make_shared<const storage::key_row>(std::move(k));
    d[p->sha256] = p;
    i[p->id] = p;
  }
  std::unique_lock lock(mu_);
  by_digest_.swap(d);
  by_id_.swap(i);
}

void key_directory::upsert(storage::key_row key) {
  auto p = std::make_shared<const storage::key_row>(std::move(key));
  std::unique_lock lock(mu_);
  by_digest_[p->sha256] = p;
  by_id_[p->id] = p;
}

key_ptr key_directory::by_digest(const std::string& sha256_raw) const {
  std::shared_lock lock(mu_);
  auto it = by_digest_.find(sha256_raw);
  return it == by_digest_.end() ? nullptr : it->second;
}

key_ptr key_directory::by_id(const std::string& key_id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(key_id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::size_t key_directory::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

}  // namespace gi::auth
