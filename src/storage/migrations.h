#pragma once
// Versioned schema migrations (design §4.7). The schema lives in code; a database records
// the last version applied (SQLite: PRAGMA user_version; PostgreSQL: a schema_version
// table). Migrations are append-only: never edit a released one, add the next version.

#include <span>
#include <string_view>

namespace gi::storage {

struct migration {
  int version;               // 1, 2, 3, … without gaps
  std::string_view description;
  std::string_view sql;      // one or more statements (portable SQL where practical)
};

std::span<const migration> migrations();

}  // namespace gi::storage
