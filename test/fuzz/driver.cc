// A small stand-alone driver for libFuzzer-style targets (`LLVMFuzzerTestOneInput`), so the
// fuzz targets run in CI with the project's GCC toolchain and no coverage instrumentation:
// every corpus file is run as is, then seeded random mutations of the corpus (bit flips,
// byte sets, truncations, erasures, insertions, splices of two entries, edits of what look
// like big-endian length fields, dictionary tokens) for a bounded time or count.
//
//   fuzz_<name> [--seconds=S] [--iterations=N] [--seed=X] [--max-len=B]
//               [--suffix=.req,request.txt] <corpus file or directory>...
//
// The environment overrides the flags (to run longer locally or in a nightly job):
// GI_FUZZ_SECONDS, GI_FUZZ_ITERATIONS, GI_FUZZ_SEED. The same seed gives the same input
// sequence; only how far it gets depends on the machine when bounded by time.
//
// A target reports a finding by crashing (abort() on a broken property, or a sanitizer
// report). The driver then writes the input to fuzz-<name>-crash.bin (GI_FUZZ_ARTIFACTS
// directory, else the working directory) so it can be replayed: `fuzz_<name> that-file`.
// An input that runs longer than 10 s is a hang: same artifact, then abort.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

struct options {
  double seconds = 5;
  std::uint64_t iterations = 0;  // 0 = until the time is up
  std::uint64_t seed = 20150830;
  std::size_t max_len = 64 * 1024;
  std::vector<std::string> suffixes;
  std::vector<std::string> paths;
};

// The input being run, for the crash / hang artifact (written from a signal handler, so a
// fixed buffer and plain write()).
constexpr std::size_t artifact_cap = 1 << 20;
char g_current[artifact_cap];
std::atomic<std::size_t> g_current_len{0};
char g_artifact_path[4096];
std::atomic<std::int64_t> g_input_started_ns{0};  // 0 = not inside an input
std::atomic<bool> g_done{false};

void write_artifact() {
  int fd = ::open(g_artifact_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  std::size_t len = g_current_len.load(), off = 0;
  while (off < len) {
    ssize_t n = ::write(fd, g_current + off, len - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  ::close(fd);
  const char msg[] = "\nfuzz: the failing input was written to ";
  (void)!::write(2, msg, sizeof msg - 1);
  (void)!::write(2, g_artifact_path, std::strlen(g_artifact_path));
  (void)!::write(2, "\n", 1);
}

extern "C" void on_fatal_signal(int sig) {
  write_artifact();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

void run_one(std::string_view input) {
  const std::size_t n = std::min(input.size(), artifact_cap);
  if (n != 0) std::memcpy(g_current, input.data(), n);  // data() may be null when empty
  g_current_len.store(n);
  g_input_started_ns.store(now_ns());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  g_input_started_ns.store(0);
}

// Aborts the process when one input runs longer than `limit` (a hang is a finding).
void watchdog(std::chrono::seconds limit) {
  while (!g_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::int64_t started = g_input_started_ns.load();
    if (started != 0 && now_ns() - started > std::chrono::nanoseconds(limit).count()) {
      std::fprintf(stderr, "fuzz: one input ran longer than %llds (hang)\n",
                   static_cast<long long>(limit.count()));
      std::abort();  // the SIGABRT handler writes the artifact
    }
  }
}

bool flag(std::string_view arg, std::string_view name, std::string& value) {
  if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') return false;
  value = std::string(arg.substr(name.size() + 1));
  return true;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string v;
    if (flag(a, "--seconds", v)) o.seconds = std::stod(v);
    else if (flag(a, "--iterations", v)) o.iterations = std::stoull(v);
    else if (flag(a, "--seed", v)) o.seed = std::stoull(v, nullptr, 0);
    else if (flag(a, "--max-len", v)) o.max_len = std::stoull(v);
    else if (flag(a, "--suffix", v)) o.suffixes = split_commas(v);
    else if (a.starts_with("-")) {
      // libFuzzer flags (-runs=, -max_total_time=, …) are accepted and ignored.
    } else {
      o.paths.emplace_back(a);
    }
  }
  if (const char* e = std::getenv("GI_FUZZ_SECONDS"); e && *e) o.seconds = std::stod(e);
  if (const char* e = std::getenv("GI_FUZZ_ITERATIONS"); e && *e) o.iterations = std::stoull(e);
  if (const char* e = std::getenv("GI_FUZZ_SEED"); e && *e) o.seed = std::stoull(e, nullptr, 0);
  return o;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool wanted(const fs::path& p, const options& o) {
  if (o.suffixes.empty()) return true;
  const std::string s = p.filename().string();
  return std::any_of(o.suffixes.begin(), o.suffixes.end(),
                     [&](const std::string& suf) { return s.ends_with(suf); });
}

// Files in a stable (sorted) order so a seed means the same inputs everywhere.
std::vector<std::string> load_corpus(const options& o) {
  std::vector<fs::path> files;
  for (const auto& p : o.paths) {
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file() && wanted(e.path(), o)) files.push_back(e.path());
    } else if (fs::is_regular_file(p)) {
      files.emplace_back(p);
    } else {
      std::fprintf(stderr, "fuzz: no such corpus path: %s\n", p.c_str());
      std::exit(2);
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> corpus;
  for (const auto& f : files) {
    std::string data = read_all(f);
    if (data.size() <= o.max_len) corpus.push_back(std::move(data));
  }
  return corpus;
}

// Tokens worth inserting into either kind of input (text requests, binary frames).
const std::vector<std::string_view> dictionary = {
    "%",    "%2F", "%2f", "%3A", "%25", "%zz", "..", "./",  "/./", "//",   "/../", "?",
    "&",    "=",   "+",   " ",   "\t",  ":",   "\r\n", "\n", "\n\n", "é",  "\xff\xfe",
    ":event-type", ":message-type", ":exception-type", "exception", "event", "host:",
    "x-amz-date:", "x-amz-security-token:", "{\"", "\"}", "null", "[]", std::string_view("\0\0\0\0", 4)};

class mutator {
 public:
  mutator(std::uint64_t seed, const std::vector<std::string>& corpus, std::size_t max_len)
      : rng_(seed), corpus_(corpus), max_len_(max_len) {}

  std::string next() {
    std::string s = corpus_.empty() ? std::string() : corpus_[below(corpus_.size())];
    const std::size_t rounds = 1 + below(4);
    for (std::size_t i = 0; i < rounds; ++i) mutate(s);
    if (s.size() > max_len_) s.resize(max_len_);
    return s;
  }

 private:
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }

  void mutate(std::string& s) {
    switch (below(9)) {
      case 0:  // bit flip
        if (!s.empty()) s[below(s.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1: {  // byte set (interesting values or random)
        static constexpr unsigned char interesting[] = {0x00, 0x01, 0x07, 0x09, 0x0a, 0x7f, 0x80, 0xff};
        if (!s.empty())
          s[below(s.size())] = static_cast<char>(below(2) ? interesting[below(sizeof interesting)] : below(256));
        break;
      }
      case 2:  // truncation
        s.resize(below(s.size() + 1));
        break;
      case 3:  // erase a range
        if (!s.empty()) {
          std::size_t at = below(s.size());
          s.erase(at, 1 + below(std::min<std::size_t>(s.size() - at, 64)));
        }
        break;
      case 4: {  // insert random bytes or duplicate a range
        std::size_t at = below(s.size() + 1);
        if (below(2) && !s.empty()) {
          std::size_t from = below(s.size());
          std::string piece = s.substr(from, 1 + below(64));
          s.insert(at, piece);
        } else {
          std::string piece(1 + below(8), '\0');
          for (auto& c : piece) c = static_cast<char>(below(256));
          s.insert(at, piece);
        }
        break;
      }
      case 5: {  // splice: a prefix of this entry + a suffix of another
        if (corpus_.empty()) break;
        const std::string& other = corpus_[below(corpus_.size())];
        s = s.substr(0, below(s.size() + 1)) + other.substr(below(other.size() + 1));
        break;
      }
      case 6:  // length-field edit
      case 7:
        edit_length(s);
        break;
      default: {  // dictionary token
        auto tok = dictionary[below(dictionary.size())];
        s.insert(below(s.size() + 1), tok);
        break;
      }
    }
  }

  // Finds offsets where a big-endian u32 (or u16) reads as a plausible length (1..size+16)
  // and rewrites one: off by one, zero, the size, huge, or random.
  void edit_length(std::string& s) {
    if (s.size() < 2) return;
    const bool wide = s.size() >= 4 && below(3) != 0;
    const std::size_t w = wide ? 4 : 2;
    auto read = [&](std::size_t at) {
      std::uint32_t v = 0;
      for (std::size_t k = 0; k < w; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
      return v;
    };
    std::vector<std::size_t> candidates;
    const std::size_t scan = std::min<std::size_t>(s.size() - w + 1, 64 * 1024);
    for (std::size_t at = 0; at < scan; ++at) {
      std::uint32_t v = read(at);
      if (v > 0 && v <= s.size() + 16) candidates.push_back(at);
    }
    const std::size_t at = candidates.empty() ? below(s.size() - w + 1) : candidates[below(candidates.size())];
    const std::uint32_t old = read(at);
    const std::uint32_t choices[] = {old + 1, old - 1, old + 4, old - 4, 0, 1, 15, 16,
                                     static_cast<std::uint32_t>(s.size()), 0x7fffffffu, 0xffffffffu,
                                     (16u << 20) + 1, (128u << 10) + 1, static_cast<std::uint32_t>(rng_())};
    std::uint32_t v = choices[below(std::size(choices))];
    for (std::size_t k = 0; k < w; ++k) s[at + k] = static_cast<char>((v >> (8 * (w - 1 - k))) & 0xff);
  }

  std::mt19937_64 rng_;
  const std::vector<std::string>& corpus_;
  std::size_t max_len_;
};

}  // namespace

int main(int argc, char** argv) {
  options o = parse_options(argc, argv);
  const std::string name = fs::path(argv[0]).filename().string();
  const char* dir = std::getenv("GI_FUZZ_ARTIFACTS");
  std::snprintf(g_artifact_path, sizeof g_artifact_path, "%s/%s-crash.bin", dir && *dir ? dir : ".",
                name.c_str());
  std::signal(SIGABRT, on_fatal_signal);  // a broken property, or a sanitizer report
#ifndef __SANITIZE_ADDRESS__
  // Under ASan its own handler reports these (with the stack); it then aborts.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, on_fatal_signal);
#endif

  std::vector<std::string> corpus = load_corpus(o);
  std::thread dog(watchdog, std::chrono::seconds(10));

  const auto start = clock_type::now();
  for (const auto& c : corpus) run_one(c);
  run_one({});

  mutator m(o.seed, corpus, o.max_len);
  std::uint64_t runs = 0;
  const auto budget = std::chrono::duration<double>(o.seconds);
  while ((o.iterations == 0 || runs < o.iterations) && clock_type::now() - start < budget) {
    run_one(m.next());
    ++runs;
  }
  g_done.store(true);
  dog.join();
  const double took = std::chrono::duration<double>(clock_type::now() - start).count();
  std::printf("%s: %zu corpus inputs + %llu mutated inputs in %.1f s (seed %llu); no finding\n",
              name.c_str(), corpus.size(), static_cast<unsigned long long>(runs), took,
              static_cast<unsigned long long>(o.seed));
  return corpus.empty() ? 2 : 0;
}
