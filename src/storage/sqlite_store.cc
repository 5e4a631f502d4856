#include "storage/sqlite_store.h"

#include <chrono>

#include <sqlite3.h>

#include "storage/migrations.h"

namespace gi::storage {

namespace {

core::error db_error(sqlite3* db, std::string_view what) {
  int code = sqlite3_errcode(db);
  auto kind = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_CANTOPEN ||
               code == SQLITE_IOERR || code == SQLITE_FULL)
                  ? core::error_kind::unavailable
                  : core::error_kind::internal;
  return core::error(kind, "store: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto c = s.find(',');
    auto part = s.substr(0, c);
    if (!part.empty()) out.emplace_back(part);
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

// A prepared statement with positional binds; finalized on scope exit.
class stmt {
 public:
  stmt(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s_, nullptr);
  }
  ~stmt() { sqlite3_finalize(s_); }
  stmt(const stmt&) = delete;
  stmt& operator=(const stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  stmt& bind(std::string_view v) {
    sqlite3_bind_text(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  stmt& bind_blob(std::string_view v) {
    sqlite3_bind_blob(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  stmt& bind(std::int64_t v) {
    sqlite3_bind_int64(s_, ++i_, v);
    return *this;
  }
  stmt& bind(int v) { return bind(static_cast<std::int64_t>(v)); }
  stmt& bind(bool v) { return bind(static_cast<std::int64_t>(v ? 1 : 0)); }
  stmt& bind(double v) {
    sqlite3_bind_double(s_, ++i_, v);
    return *this;
  }
  stmt& bind(const std::optional<std::int64_t>& v) {
    if (v) return bind(*v);
    sqlite3_bind_null(s_, ++i_);
    return *this;
  }
  stmt& bind_nullable_text(std::string_view v) {
    if (!v.empty()) return bind(v);
    sqlite3_bind_null(s_, ++i_);
    return *this;
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    i_ = 0;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return rc_ = sqlite3_step(s_); }

  std::string text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  std::string blob(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }
  std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  double f64(int col) const { return sqlite3_column_double(s_, col); }
  std::optional<std::int64_t> opt_i64(int col) const {
    if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
    return i64(col);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_OK;
  int i_ = 0;
};

bool exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

// BEGIN IMMEDIATE … COMMIT, rolled back unless committed.
class transaction {
 public:
  explicit transaction(sqlite3* db) : db_(db), ok_(exec(db, "BEGIN IMMEDIATE")) {}
  ~transaction() {
    if (ok_ && !done_) exec(db_, "ROLLBACK");
  }
  bool began() const { return ok_; }
  bool commit() {
    done_ = exec(db_, "COMMIT");
    return done_;
  }

 private:
  sqlite3* db_;
  bool ok_;
  bool done_ = false;
};

constexpr const char* key_cols =
    "id, account_id, sha256, prefix, name, created_at_ms, expires_at_ms, revoked_at_ms, "
    "allowed_models, allowed_regions, spend_limit_nanos, rpm, tpm";

key_row read_key(const stmt& s) {
  key_row k;
  k.id = s.text(0);
  k.account_id = s.text(1);
  k.sha256 = s.blob(2);
  k.prefix = s.text(3);
  k.name = s.text(4);
  k.created_at_ms = s.i64(5);
  k.expires_at_ms = s.opt_i64(6);
  k.revoked_at_ms = s.opt_i64(7);
  k.allowed_models = split(s.text(8));
  k.allowed_regions = split(s.text(9));
  k.spend_limit_nanos = s.opt_i64(10);
  k.rpm = s.opt_i64(11);
  k.tpm = s.opt_i64(12);
  return k;
}

constexpr const char* account_cols = "id, name, COALESCE(email, ''), created_at_ms, store_prompts";

account_row read_account(const stmt& s) {
  return account_row{s.text(0), s.text(1), s.text(2), s.i64(3), s.i64(4) != 0};
}

constexpr const char* ledger_insert =
    "INSERT OR IGNORE INTO ledger (account_id, kind, ref, amount_nanos, fee_nanos, key_id, "
    "created_at_ms, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

void bind_ledger(stmt& s, const ledger_entry& e) {
  s.bind(e.account_id).bind(e.kind).bind(e.ref).bind(e.amount_nanos).bind(e.fee_nanos)
      .bind(e.key_id).bind(e.created_at_ms).bind(e.note);
}

constexpr const char* ledger_cols =
    "account_id, kind, ref, amount_nanos, fee_nanos, key_id, created_at_ms, note";

ledger_entry read_ledger(const stmt& s) {
  return ledger_entry{s.text(0), s.text(1), s.text(2), s.i64(3), s.i64(4),
                      s.text(5), s.i64(6), s.text(7)};
}

constexpr const char* request_cols =
    "request_id, account_id, key_id, key_prefix, created_at_ms, endpoint, task, task_source, "
    "winner, chain, prompt_tokens, cached_tokens, cache_write_tokens, completion_tokens, "
    "reasoning_tokens, cost_nanos, hedge_waste_nanos, upstream_ms, overhead_ms, status, "
    "stream, byok, prompt";

request_record read_request(const stmt& s) {
  request_record r;
  int c = 0;
  r.request_id = s.text(c++);
  r.account_id = s.text(c++);
  r.key_id = s.text(c++);
  r.key_prefix = s.text(c++);
  r.created_at_ms = s.i64(c++);
  r.endpoint = s.text(c++);
  r.task = s.text(c++);
  r.task_source = s.text(c++);
  r.winner = s.text(c++);
  r.chain = s.text(c++);
  r.prompt_tokens = s.i64(c++);
  r.cached_tokens = s.i64(c++);
  r.cache_write_tokens = s.i64(c++);
  r.completion_tokens = s.i64(c++);
  r.reasoning_tokens = s.i64(c++);
  r.cost_nanos = s.i64(c++);
  r.hedge_waste_nanos = s.i64(c++);
  r.upstream_ms = s.i64(c++);
  r.overhead_ms = s.f64(c++);
  r.status = static_cast<int>(s.i64(c++));
  r.stream = s.i64(c++) != 0;
  r.byok = s.i64(c++) != 0;
  r.prompt = s.text(c++);
  r.seq = s.i64(c++);
  return r;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

core::result<std::unique_ptr<sqlite_store>> sqlite_store::open(const sqlite_options& opts) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(opts.path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return core::error(core::error_kind::unavailable, "store: cannot open " + opts.path + ": " + msg);
  }
  sqlite3_busy_timeout(db, opts.busy_timeout_ms);
  // WAL: readers don't block the writer; NORMAL sync is durable against process crashes.
  if (!exec(db, "PRAGMA journal_mode=WAL") || !exec(db, "PRAGMA synchronous=NORMAL") ||
      !exec(db, "PRAGMA foreign_keys=ON")) {
    auto e = db_error(db, "configure");
    sqlite3_close(db);
    return e;
  }
  return std::unique_ptr<sqlite_store>(new sqlite_store(db, opts));
}

sqlite_store::~sqlite_store() { sqlite3_close(db_); }

core::result<int> sqlite_store::migrate(const migration_progress& progress) {
  std::lock_guard lock(mu_);
  int version = 0;
  {
    stmt s(db_, "PRAGMA user_version");
    if (!s.ok() || s.step() != SQLITE_ROW) return db_error(db_, "read schema version");
    version = static_cast<int>(s.i64(0));
  }
  auto all = migrations();
  int latest = all.empty() ? 0 : all.back().version;
  if (version > latest)
    return core::error(core::error_kind::internal,
                       "store: schema version " + std::to_string(version) +
                           " is newer than this binary (" + std::to_string(latest) + ")");
  for (const auto& m : all) {
    if (m.version <= version) continue;
    transaction tx(db_);
    if (!tx.began()) return db_error(db_, "begin migration");
    std::string sql(m.sql);
    sql += "\nPRAGMA user_version = " + std::to_string(m.version) + ";";
    if (!exec(db_, sql.c_str())) return db_error(db_, "migration " + std::to_string(m.version));
    if (!tx.commit()) return db_error(db_, "commit migration");
    version = m.version;
    if (progress) progress(m.version, latest, m.description);
  }
  return version;
}

namespace {

// Aborts a statement once the deadline passed (SQLite calls this every N VM steps).
int past_deadline(void* arg) {
  auto* until = static_cast<std::chrono::steady_clock::time_point*>(arg);
  return std::chrono::steady_clock::now() >= *until ? 1 : 0;
}

core::result<std::string> quick_check(sqlite3* db, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  sqlite3_progress_handler(db, 1000, past_deadline, &until);
  std::string out;
  int rc;
  {
    stmt s(db, "PRAGMA quick_check");
    rc = s.ok() ? s.step() : SQLITE_ERROR;
    if (rc == SQLITE_ROW) out = s.text(0);
  }
  sqlite3_progress_handler(db, 0, nullptr, nullptr);
  if (rc == SQLITE_INTERRUPT)
    return core::error(core::error_kind::timeout, "store: integrity check exceeded its deadline");
  if (rc != SQLITE_ROW) return db_error(db, "integrity check");
  return out;
}

}  // namespace

core::result<std::string> sqlite_store::integrity_check(std::chrono::milliseconds deadline) {
  if (opts_.path.empty() || opts_.path == ":memory:") {
    std::lock_guard lock(mu_);
    return quick_check(db_, deadline);
  }
  // Its own read-only connection: under WAL a reader never blocks the batched writer, and
  // the busy timeout is capped by the deadline.
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(opts_.path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return core::error(core::error_kind::unavailable, "store: cannot open for integrity check: " + msg);
  }
  sqlite3_busy_timeout(db, static_cast<int>(deadline.count()));
  auto r = quick_check(db, deadline);
  sqlite3_close(db);
  return r;
}

core::result<std::vector<std::pair<std::string, std::int64_t>>> sqlite_store::key_spend_totals() {
  std::lock_guard lock(mu_);
  stmt s(db_, "SELECT key_id, -SUM(amount_nanos) FROM ledger WHERE kind = 'charge' AND key_id <> '' "
              "GROUP BY key_id");
  std::vector<std::pair<std::string, std::int64_t>> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.emplace_back(s.text(0), s.i64(1));
  if (rc != SQLITE_DONE) return db_error(db_, "key spend totals");
  return out;
}

core::status<> sqlite_store::create_account(const account_row& a,
                                            std::span<const ledger_entry> initial) {
  std::lock_guard lock(mu_);
  transaction tx(db_);
  if (!tx.began()) return db_error(db_, "begin");
  {
    stmt s(db_, "INSERT INTO accounts (id, name, email, created_at_ms, store_prompts) VALUES (?, ?, ?, ?, ?)");
    s.bind(a.id).bind(a.name).bind_nullable_text(a.email).bind(a.created_at_ms).bind(a.store_prompts);
    if (s.step() != SQLITE_DONE) {
      if (sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_UNIQUE ||
          sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_PRIMARYKEY)
        return core::error(core::error_kind::invalid_request,
                           "an account with this id or email exists already", "email",
                           "account_exists");
      return db_error(db_, "create account");
    }
  }
  stmt s(db_, ledger_insert);
  for (const auto& e : initial) {
    s.reset();
    bind_ledger(s, e);
    if (s.step() != SQLITE_DONE) return db_error(db_, "initial ledger");
  }
  if (!tx.commit()) return db_error(db_, "commit");
  return core::ok;
}

core::result<std::optional<account_row>> sqlite_store::find_account(const std::string& id) {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string("SELECT ") + account_cols + " FROM accounts WHERE id = ?");
  s.bind(id);
  int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<account_row>(read_account(s));
  if (rc == SQLITE_DONE) return std::optional<account_row>();
  return db_error(db_, "find account");
}

core::result<std::optional<account_row>> sqlite_store::find_account_by_email(const std::string& email) {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string("SELECT ") + account_cols + " FROM accounts WHERE email = ?");
  s.bind(email);
  int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<account_row>(read_account(s));
  if (rc == SQLITE_DONE) return std::optional<account_row>();
  return db_error(db_, "find account");
}

core::result<std::vector<account_row>> sqlite_store::list_accounts() {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string("SELECT ") + account_cols + " FROM accounts ORDER BY created_at_ms, id");
  std::vector<account_row> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_account(s));
  if (rc != SQLITE_DONE) return db_error(db_, "list accounts");
  return out;
}

core::status<> sqlite_store::insert_key(const key_row& k) {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string("INSERT INTO api_keys (") + key_cols +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(k.id).bind(k.account_id).bind_blob(k.sha256).bind(k.prefix).bind(k.name)
      .bind(k.created_at_ms).bind(k.expires_at_ms).bind(k.revoked_at_ms)
      .bind(join(k.allowed_models)).bind(join(k.allowed_regions)).bind(k.spend_limit_nanos)
      .bind(k.rpm).bind(k.tpm);
  if (s.step() != SQLITE_DONE) {
    if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT)
      return core::error(core::error_kind::invalid_request,
                         "cannot create key: unknown account or duplicate key", "account_id",
                         "invalid_key");
    return db_error(db_, "insert key");
  }
  return core::ok;
}

core::result<std::vector<key_row>> sqlite_store::list_keys(const std::string& account_id) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + key_cols + " FROM api_keys";
  if (!account_id.empty()) sql += " WHERE account_id = ?";
  sql += " ORDER BY created_at_ms, id";
  stmt s(db_, sql);
  if (!account_id.empty()) s.bind(account_id);
  std::vector<key_row> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_key(s));
  if (rc != SQLITE_DONE) return db_error(db_, "list keys");
  return out;
}

core::result<std::optional<key_row>> sqlite_store::find_key(const std::string& key_id) {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string("SELECT ") + key_cols + " FROM api_keys WHERE id = ?");
  s.bind(key_id);
  int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<key_row>(read_key(s));
  if (rc == SQLITE_DONE) return std::optional<key_row>();
  return db_error(db_, "find key");
}

core::result<bool> sqlite_store::revoke_key(const std::string& key_id, std::int64_t at_ms) {
  std::lock_guard lock(mu_);
  stmt s(db_, "UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL");
  s.bind(at_ms).bind(key_id);
  if (s.step() != SQLITE_DONE) return db_error(db_, "revoke key");
  return sqlite3_changes(db_) > 0;
}

core::result<bool> sqlite_store::append_ledger(const ledger_entry& e) {
  std::lock_guard lock(mu_);
  stmt s(db_, ledger_insert);
  bind_ledger(s, e);
  if (s.step() != SQLITE_DONE) return db_error(db_, "append ledger");
  return sqlite3_changes(db_) > 0;
}

core::status<> sqlite_store::write_batch(std::span<const ledger_entry> ledger,
                                         std::span<const request_record> requests) {
  std::lock_guard lock(mu_);
  transaction tx(db_);
  if (!tx.began()) return db_error(db_, "begin batch");
  if (!ledger.empty()) {
    stmt s(db_, ledger_insert);
    for (const auto& e : ledger) {
      s.reset();
      bind_ledger(s, e);
      if (s.step() != SQLITE_DONE) return db_error(db_, "batch ledger");
    }
  }
  if (!requests.empty()) {
    stmt s(db_, std::string("INSERT OR IGNORE INTO request_log (") + request_cols +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& r : requests) {
      s.reset();
      s.bind(r.request_id).bind(r.account_id).bind(r.key_id).bind(r.key_prefix)
          .bind(r.created_at_ms).bind(r.endpoint).bind(r.task).bind(r.task_source).bind(r.winner)
          .bind(r.chain).bind(r.prompt_tokens).bind(r.cached_tokens).bind(r.cache_write_tokens)
          .bind(r.completion_tokens).bind(r.reasoning_tokens).bind(r.cost_nanos)
          .bind(r.hedge_waste_nanos).bind(r.upstream_ms).bind(r.overhead_ms).bind(r.status)
          .bind(r.stream).bind(r.byok).bind_nullable_text(r.prompt);
      if (s.step() != SQLITE_DONE) return db_error(db_, "batch request log");
    }
  }
  if (!tx.commit()) return db_error(db_, "commit batch");
  return core::ok;
}

core::result<std::optional<ledger_entry>> sqlite_store::find_ledger(const std::string& account_id,
                                                                    const std::string& kind,
                                                                    const std::string& ref) {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string("SELECT ") + ledger_cols +
                  " FROM ledger WHERE account_id = ? AND kind = ? AND ref = ?");
  s.bind(account_id).bind(kind).bind(ref);
  int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<ledger_entry>(read_ledger(s));
  if (rc == SQLITE_DONE) return std::optional<ledger_entry>();
  return db_error(db_, "find ledger");
}

core::result<std::vector<ledger_entry>> sqlite_store::list_ledger(const std::string& account_id) {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string("SELECT ") + ledger_cols + " FROM ledger WHERE account_id = ? ORDER BY seq");
  s.bind(account_id);
  std::vector<ledger_entry> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_ledger(s));
  if (rc != SQLITE_DONE) return db_error(db_, "list ledger");
  return out;
}

namespace {
constexpr const char* totals_sql =
    "SELECT account_id, COALESCE(SUM(amount_nanos), 0), "
    "COALESCE(-SUM(CASE WHEN kind = 'charge' THEN amount_nanos ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN kind = 'trial' THEN amount_nanos ELSE 0 END), 0) FROM ledger";
}

core::result<account_totals> sqlite_store::totals(const std::string& account_id) {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string(totals_sql) + " WHERE account_id = ?");
  s.bind(account_id);
  if (s.step() != SQLITE_ROW) return db_error(db_, "totals");
  return account_totals{account_id, s.i64(1), s.i64(2), s.i64(3)};
}

core::result<std::vector<account_totals>> sqlite_store::all_totals() {
  std::lock_guard lock(mu_);
  stmt s(db_, std::string(totals_sql) + " GROUP BY account_id");
  std::vector<account_totals> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back({s.text(0), s.i64(1), s.i64(2), s.i64(3)});
  if (rc != SQLITE_DONE) return db_error(db_, "all totals");
  return out;
}

core::result<std::vector<request_record>> sqlite_store::usage(const usage_query& q) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + request_cols +
                    ", seq FROM request_log WHERE created_at_ms >= ? AND created_at_ms < ? AND seq < ?";
  if (!q.account_id.empty()) sql += " AND account_id = ?";
  sql += " ORDER BY seq DESC LIMIT ?";
  stmt s(db_, sql);
  s.bind(q.from_ms).bind(q.to_ms).bind(q.before_seq);
  if (!q.account_id.empty()) s.bind(q.account_id);
  s.bind(static_cast<std::int64_t>(q.limit));
  std::vector<request_record> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_request(s));
  if (rc != SQLITE_DONE) return db_error(db_, "usage");
  return out;
}

core::result<std::int64_t> sqlite_store::purge_request_log(std::int64_t before_ms) {
  std::lock_guard lock(mu_);
  stmt s(db_, "DELETE FROM request_log WHERE created_at_ms < ?");
  s.bind(before_ms);
  if (s.step() != SQLITE_DONE) return db_error(db_, "purge request log");
  return static_cast<std::int64_t>(sqlite3_changes(db_));
}

core::result<std::int64_t> sqlite_store::record_change(const std::string& entity,
                                                       const std::string& entity_id) {
  std::lock_guard lock(mu_);
  stmt s(db_, "INSERT INTO changes (entity, entity_id, at_ms) VALUES (?, ?, ?)");
  s.bind(entity).bind(entity_id).bind(now_ms());
  if (s.step() != SQLITE_DONE) return db_error(db_, "record change");
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

core::result<std::vector<change_row>> sqlite_store::changes_since(std::int64_t seq) {
  std::lock_guard lock(mu_);
  stmt s(db_, "SELECT seq, entity, entity_id FROM changes WHERE seq > ? ORDER BY seq");
  s.bind(seq);
  std::vector<change_row> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back({s.i64(0), s.text(1), s.text(2)});
  if (rc != SQLITE_DONE) return db_error(db_, "changes");
  return out;
}

core::result<std::int64_t> sqlite_store::last_change() {
  std::lock_guard lock(mu_);
  stmt s(db_, "SELECT COALESCE(MAX(seq), 0) FROM changes");
  if (s.step() != SQLITE_ROW) return db_error(db_, "last change");
  return s.i64(0);
}

core::status<> sqlite_store::put_byok(const byok_row& r) {
  std::lock_guard lock(mu_);
  stmt s(db_, "INSERT OR REPLACE INTO byok_keys (account_id, provider, nonce, ciphertext, "
              "key_version, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(r.account_id).bind(r.provider).bind_blob(r.nonce).bind_blob(r.ciphertext)
      .bind(r.key_version).bind(r.created_at_ms);
  if (s.step() != SQLITE_DONE) return db_error(db_, "put byok");
  return core::ok;
}

core::result<std::vector<byok_row>> sqlite_store::list_byok(const std::string& account_id) {
  std::lock_guard lock(mu_);
  std::string sql = "SELECT account_id, provider, nonce, ciphertext, key_version, created_at_ms FROM byok_keys";
  if (!account_id.empty()) sql += " WHERE account_id = ?";
  sql += " ORDER BY account_id, provider";
  stmt s(db_, sql);
  if (!account_id.empty()) s.bind(account_id);
  std::vector<byok_row> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back({s.text(0), s.text(1), s.blob(2), s.blob(3), static_cast<int>(s.i64(4)), s.i64(5)});
  if (rc != SQLITE_DONE) return db_error(db_, "list byok");
  return out;
}

core::result<bool> sqlite_store::delete_byok(const std::string& account_id, const std::string& provider) {
  std::lock_guard lock(mu_);
  stmt s(db_, "DELETE FROM byok_keys WHERE account_id = ? AND provider = ?");
  s.bind(account_id).bind(provider);
  if (s.step() != SQLITE_DONE) return db_error(db_, "delete byok");
  return sqlite3_changes(db_) > 0;
}

core::status<> sqlite_store::audit(const audit_row& r) {
  std::lock_guard lock(mu_);
  stmt s(db_, "INSERT INTO audit_log (at_ms, actor, action, detail) VALUES (?, ?, ?, ?)");
  s.bind(r.at_ms).bind(r.actor).bind(r.action).bind(r.detail);
  if (s.step() != SQLITE_DONE) return db_error(db_, "audit");
  return core::ok;
}

core::result<std::vector<audit_row>> sqlite_store::list_audit(int limit) {
  std::lock_guard lock(mu_);
  stmt s(db_, "SELECT at_ms, actor, action, detail FROM audit_log ORDER BY seq DESC LIMIT ?");
  s.bind(static_cast<std::int64_t>(limit));
  std::vector<audit_row> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back({s.i64(0), s.text(1), s.text(2), s.text(3)});
  if (rc != SQLITE_DONE) return db_error(db_, "list audit");
  return out;
}

}  // namespace gi::storage
