#include "telemetry/metrics.h"

#include <cmath>
#include <mutex>

#include <fmt/format.h>

namespace gi::telemetry {

namespace {

std::vector<std::string> split_labels(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string_view kind_name(metric_kind k) {
  switch (k) {
    case metric_kind::counter: return "counter";
    case metric_kind::gauge: return "gauge";
    case metric_kind::histogram: return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"` without the closing brace, so histograms can append `le`.
void append_labels_open(std::string& out, const std::vector<std::string>& names,
                        const std::vector<std::string>& values) {
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped_label_value(out, values[i]);
    out += '"';
  }
}

void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values) {
  if (names.empty()) return;
  append_labels_open(out, names, values);
  out += '}';
}

// Prometheus floats: Go-style shortest representation is not required; %g with enough
// precision round-trips the bucket bounds we declare.
std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

void append_escaped_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

histogram_cell::histogram_cell(std::span<const double> bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds.size(); ++i) buckets_[i].store(0);
}

void histogram_cell::observe(double seconds) noexcept {
  if (!(seconds >= 0)) seconds = 0;  // also catches NaN
  std::size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e9)),
                    std::memory_order_relaxed);
}

std::vector<std::uint64_t> histogram_cell::bucket_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

double histogram_cell::sum() const noexcept {
  return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

template <class Cell>
family<Cell>::family(std::string_view name, std::string_view help, metric_kind kind,
                     std::string_view label_names, std::span<const double> bounds)
    : name_(name), help_(help), kind_(kind), label_names_(split_labels(label_names)),
      bounds_(bounds) {}

template <class Cell>
Cell& family<Cell>::with(std::vector<std::string> values) {
  values.resize(label_names_.size());
  {
    std::shared_lock lock(mu_);
    auto it = cells_.find(values);
    if (it != cells_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto& slot = cells_[std::move(values)];
  if (!slot) {
    if constexpr (std::is_same_v<Cell, histogram_cell>) {
      slot = std::make_unique<Cell>(bounds_);
    } else {
      slot = std::make_unique<Cell>();
    }
  }
  return *slot;
}

template <class Cell>
void family<Cell>::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, kind_name(kind_));
  std::shared_lock lock(mu_);
  if (cells_.empty() && label_names_.empty()) {
    // Unlabelled series exist from the start: a scrape shows 0 rather than nothing.
    if constexpr (std::is_same_v<Cell, histogram_cell>) {
      for (double b : bounds_) out += fmt::format("{}_bucket{{le=\"{}\"}} 0\n", name_, format_double(b));
      out += fmt::format("{}_bucket{{le=\"+Inf\"}} 0\n{}_sum 0\n{}_count 0\n", name_, name_, name_);
    } else {
      out += fmt::format("{} 0\n", name_);
    }
    return;
  }
  for (const auto& [values, cell] : cells_) {
    if constexpr (std::is_same_v<Cell, histogram_cell>) {
      auto counts = cell->bucket_counts();
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        out += name_;
        out += "_bucket";
        append_labels_open(out, label_names_, values);
        if (!label_names_.empty()) out += ',';
        out += "le=\"";
        out += i < bounds_.size() ? format_double(bounds_[i]) : "+Inf";
        out += "\"} ";
        out += std::to_string(cumulative);
        out += '\n';
      }
      out += name_;
      out += "_sum";
      append_labels(out, label_names_, values);
      out += ' ';
      out += format_double(cell->sum());
      out += '\n';
      out += name_;
      out += "_count";
      append_labels(out, label_names_, values);
      out += ' ';
      out += std::to_string(cumulative);
      out += '\n';
    } else {
      out += name_;
      append_labels(out, label_names_, values);
      out += ' ';
      out += std::to_string(cell->value());
      out += '\n';
    }
  }
}

template class family<scalar_cell>;
template class family<histogram_cell>;

#define GI_METRIC_INIT(member, kind, name, help, labels, buckets) \
  , member(name, help, metric_kind::kind, labels, buckets)

// The leading dummy lets every list entry start with a comma.
metrics_registry::metrics_registry()
    : dummy_(0) GI_METRIC_LIST(GI_METRIC_INIT) {}
#undef GI_METRIC_INIT

std::string metrics_registry::render() const {
  std::string out;
  out.reserve(4096);
#define GI_METRIC_RENDER(member, kind, name, help, labels, buckets) member.render(out);
  GI_METRIC_LIST(GI_METRIC_RENDER)
#undef GI_METRIC_RENDER
  return out;
}

}  // namespace gi::telemetry
