#pragma once
// `gammainfra accounts|keys|topup|usage|byok …` (design §2, issue 10 §3): admin operations run
// directly on the store file. A running gateway sees the changes within its change-poll
// interval (≤ 1 s). Every command takes `--db FILE` (default $GAMMAINFRA_DB, else
// data/gammainfra.db) and applies pending migrations first, with progress on stderr.

#include <iosfwd>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "storage/store.h"

namespace CLI {
class App;
}

namespace gi::app {

class accounts_commands {
 public:
  // Adds the subcommands to `app`.
  explicit accounts_commands(CLI::App& app);
  ~accounts_commands();
  // After parsing: the exit code of the command that was chosen, or nullopt if none of
  // these subcommands was.
  std::optional<int> run(std::ostream& out, std::ostream& err) const;

  struct state;

 private:
  static int run_byok(const state& s, storage::store& st, const core::clock& clk, std::ostream& out,
                      std::ostream& err);
  std::unique_ptr<state> s_;
};

}  // namespace gi::app
