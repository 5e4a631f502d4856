// Cost of the router's hot-path pieces (issue 8): recording one attempt into the live
// latency stats (single thread and contended), reading the snapshot, and ranking a chain.
#include <benchmark/benchmark.h>

#include "config/config.h"
#include "core/clock.h"
#include "route/endpoint_health.h"
#include "route/latency_stats.h"
#include "route/plan.h"
#include "route/ranking.h"

namespace {

using namespace gi;
using namespace std::chrono;

route::latency_stats& shared_stats() {
  static route::latency_stats s(64, core::system_clock_source::instance());
  return s;
}

void BM_stats_record_success(benchmark::State& state) {
  auto& s = shared_stats();
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  std::int64_t ms = 37;
  for (auto _ : state) {
    s.record_success(i % 64, milliseconds(ms));
    ms = ms * 7 % 5003 + 1;
    ++i;
  }
}
BENCHMARK(BM_stats_record_success)->Threads(1)->Threads(2)->Threads(4);

void BM_stats_snapshot_read(benchmark::State& state) {
  auto& s = shared_stats();
  for (auto _ : state) {
    auto snap = s.snapshot();
    benchmark::DoNotOptimize(snap->at(3).p50);
  }
}
BENCHMARK(BM_stats_snapshot_read)->Threads(1)->Threads(2);

void BM_stats_rebuild(benchmark::State& state) {
  // The 30 s rebuild over the whole catalog size (53 endpoints × 8 shards × 10 slots).
  route::latency_stats s(53, core::system_clock_source::instance());
  for (std::size_t e = 0; e < 53; ++e)
    for (int k = 0; k < 100; ++k) s.record_success(e, milliseconds(10 + k * 13));
  for (auto _ : state) s.refresh();
}
BENCHMARK(BM_stats_rebuild);

void BM_rank_catalog_chain(benchmark::State& state) {
  auto cfg = config::defaults();
  route::latency_stats stats(cfg->endpoints.size(), core::system_clock_source::instance());
  route::endpoint_health health(cfg->endpoints.size(), core::system_clock_source::instance());
  core::chat_request req;
  req.model = "auto:code";
  core::message m;
  m.role = core::role::user;
  m.content = std::string(2000, 'x');
  req.messages.push_back(m);
  route::plan_options po;
  for (auto _ : state) {
    auto snap = stats.snapshot();
    auto hv = health.view_all();
    route::routing_inputs live{snap.get(), &hv};
    auto p = route::make_plan(*cfg, req, po, {}, &live);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_rank_catalog_chain);

}  // namespace
