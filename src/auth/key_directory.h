#pragma once
// The in-memory view of every API key (issue 10 §2): authentication is one hash lookup by
// SHA-256(secret), never a database read. The directory is filled from the store at start
// and kept current by upsert() — called by this process's admin operations at once, and by
// the change-sequence poller for changes other processes (the CLI) make, within its poll
// interval (≤ 1 s).
//
// Timing: the lookup key is SHA-256 of the presented secret, so hash-table timing reveals
// nothing usable about stored secrets (an attacker would need SHA-256 preimages).
//
// Thread safety: all members may be called from any thread (shared_mutex; readers share).

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/store.h"

namespace gi::auth {

using key_ptr = std::shared_ptr<const storage::key_row>;

class key_directory {
 public:
  // Replaces the whole content.
  void load(std::vector<storage::key_row> keys);
  // Adds or replaces one key (by id; its digest never changes).
  void upsert(storage::key_row key);

  key_ptr by_digest(const std::string& sha256_raw) const;
  key_ptr by_id(const std::string& key_id) const;
  std::size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, key_ptr> by_digest_;
  std::unordered_map<std::string, key_ptr> by_id_;
};

}  // namespace gi::auth
