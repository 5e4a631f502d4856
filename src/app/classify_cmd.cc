#include "app/classify_cmd.h"

#include <chrono>
#include <cstdio>
#include <ostream>

#include "classify/dataset.h"
#include "classify/lexical_train.h"
#include "classify/minilm_classifier.h"
#include "classify/model_fetch.h"
#include "classify/progress.h"
#include "classify/shipped_model.h"

namespace gi::app {

namespace cl = gi::classify;

namespace {

std::filesystem::path data_dir_or_default(const std::string& d) {
  return d.empty() ? cl::default_data_dir() : std::filesystem::path(d);
}

core::result<std::shared_ptr<const cl::lexical_model>> load_lexical(const std::string& file) {
  if (file.empty()) return cl::shipped_lexical_model();
  auto m = cl::lexical_model::load(file);
  if (!m) return std::move(m).error();
  return std::make_shared<const cl::lexical_model>(std::move(m).value());
}

// The MiniLM classifier from the data dir, or an error saying what is missing.
core::result<std::shared_ptr<const cl::classifier>> load_minilm(const std::filesystem::path& data_dir,
                                                                std::shared_ptr<const cl::lexical_model> lexical) {
  return cl::load_minilm_classifier(cl::minilm_layout{data_dir}, std::move(lexical));
}

void print_one(std::ostream& out, const cl::classification& c) {
  out << c.task << "\tsource=" << c.source;
  char buf[64];
  for (std::size_t i = 0; i < cl::task_count; ++i) {
    std::snprintf(buf, sizeof buf, "\t%s=%.4f", std::string(cl::task_names[i]).c_str(), static_cast<double>(c.scores[i]));
    out << buf;
  }
  out << '\n';
}

}  // namespace

int run_classify_cmd(const classify_options& o, std::ostream& out, std::ostream& err) {
  auto lexical = load_lexical(o.model);
  if (!lexical) {
    err << "error: " << lexical.error().message << '\n';
    return 1;
  }
  std::shared_ptr<const cl::classifier> clf = *lexical;
  if (o.encoder == "minilm" || o.encoder == "auto") {
    auto m = load_minilm(data_dir_or_default(o.data_dir), *lexical);
    if (m) {
      clf = *m;
    } else if (o.encoder == "minilm") {
      err << "error: " << m.error().message << '\n';
      return 1;
    }
  } else if (o.encoder != "lexical") {
    err << "error: --encoder must be auto, lexical or minilm\n";
    return 2;
  }
  if (!o.file.empty()) {
    auto rows = cl::load_jsonl(o.file, false);
    if (!rows) {
      err << "error: " << rows.error().message << '\n';
      return 1;
    }
    std::vector<int> gold, pred;
    bool labelled = !rows->empty();
    cl::progress_bar bar("classify", rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
      const auto& e = (*rows)[i];
      auto c = clf->classify(e.text);
      labelled = labelled && e.label >= 0;
      gold.push_back(e.label);
      pred.push_back(cl::task_index(c.task));
      bar.update(i + 1);
      if (!labelled) print_one(out, c);
    }
    bar.finish();
    if (labelled) {
      out << "classifier: " << clf->name() << '\n';
      out << cl::format_report(cl::evaluate(gold, pred));
    }
    return 0;
  }
  if (o.texts.empty()) {
    err << "error: give TEXT or --file F.jsonl\n";
    return 2;
  }
  for (const auto& t : o.texts) print_one(out, clf->classify(t));
  return 0;
}

namespace {

int train_lexical_cmd(const train_options& o, const std::vector<cl::example>& train,
                      const std::vector<cl::example>& dev, std::ostream& out, std::ostream& err) {
  cl::lexical_train_options opt;
  opt.seed = o.seed;
  if (o.epochs > 0) opt.epochs = o.epochs;
  out << "setting: " << cl::describe(opt) << '\n';
  if (o.cv_folds > 1) {
    cl::progress_bar bar("cross-validation", 1);
    auto cv = cl::cross_validate(train, opt, o.cv_folds, [&](std::uint64_t d, std::uint64_t t) {
      bar.update(d * 1000 / std::max<std::uint64_t>(t, 1) >= 1000 ? 1 : 0);
    });
    bar.finish();
    char buf[128];
    std::snprintf(buf, sizeof buf, "cv (%u folds on train): accuracy %.4f macro-F1 %.4f\n", o.cv_folds, cv.accuracy,
                  cv.macro_f1);
    out << buf;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<cl::progress_bar> bar;
  auto w = cl::train_lexical(train, opt, [&](std::uint64_t d, std::uint64_t t) {
    if (!bar) bar = std::make_unique<cl::progress_bar>("training", t);
    bar->update(d);
  });
  if (bar) bar->finish();
  auto model = cl::lexical_model::from_weights(w);
  const std::string dest = o.out.empty() ? std::string(cl::shipped_lexical_model_path) : o.out;
  if (auto s = model.save(dest); !s) {
    err << "error: " << s.error().message << '\n';
    return 1;
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "trained on %zu examples in %.1f s; wrote %s\n", train.size(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), dest.c_str());
  out << buf;
  if (!dev.empty()) {
    std::vector<int> gold, pred;
    for (const auto& e : dev) {
      gold.push_back(e.label);
      pred.push_back(cl::task_index(model.classify(e.text).task));
    }
    out << "dev:\n" << cl::format_report(cl::evaluate(gold, pred));
  }
  return 0;
}

int train_minilm_cmd(const train_options& o, const std::vector<cl::example>& train,
                     const std::vector<cl::example>& dev, std::ostream& out, std::ostream& err) {
  const auto data_dir = data_dir_or_default(o.data_dir);
  const cl::minilm_layout layout{data_dir};
  cl::minilm_options mo;
  mo.self_check = false;
  auto bundle = cl::minilm_encoder_bundle::load(layout, mo);
  if (!bundle) {
    err << "error: " << bundle.error().message << "\n(run `gammainfra model fetch` first)\n";
    return 1;
  }
  auto lexical = cl::shipped_lexical_model();
  if (!lexical) {
    err << "error: " << lexical.error().message << '\n';
    return 1;
  }
  auto embed_all = [&](const std::vector<cl::example>& rows, const char* what, std::vector<float>& x,
                       std::vector<int>& y) {
    cl::progress_bar bar(std::string("embedding ") + what, rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto f = cl::head_features(**bundle, lexical->get(), rows[i].text);
      x.insert(x.end(), f.begin(), f.end());
      y.push_back(rows[i].label);
      bar.update(i + 1);
    }
    bar.finish();
  };
  std::vector<float> xtr, xdev;
  std::vector<int> ytr, ydev;
  embed_all(train, "train", xtr, ytr);
  embed_all(dev, "dev", xdev, ydev);
  const auto dim = static_cast<std::uint32_t>((*bundle)->encoder().config().hidden);
  cl::head_train_options ho;
  ho.seed = o.seed;
  if (o.epochs > 0) ho.epochs = o.epochs;
  // Both heads are trained; the one that wins on dev is kept (the issue asks to keep what wins).
  cl::minilm_head best;
  double best_acc = -1;
  for (bool use_lex : {false, true}) {
    std::vector<float> xs;
    const std::size_t nf = dim + (use_lex ? cl::task_count : 0), full = dim + cl::task_count;
    for (std::size_t i = 0; i < ytr.size(); ++i)
      xs.insert(xs.end(), xtr.begin() + static_cast<std::ptrdiff_t>(i * full),
                xtr.begin() + static_cast<std::ptrdiff_t>(i * full + nf));
    cl::progress_bar bar(use_lex ? "head (embedding+lexical)" : "head (embedding)", 1);
    auto head = cl::train_head(xs, ytr, dim, use_lex, ho, [&](std::uint64_t d, std::uint64_t t) {
      bar.update(d == t ? 1 : 0);
    });
    bar.finish();
    std::vector<int> pred;
    for (std::size_t i = 0; i < ydev.size(); ++i) {
      auto z = head.logits({xdev.data() + i * full, nf});
      pred.push_back(static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin()));
    }
    const auto r = cl::evaluate(ydev, pred);
    out << (use_lex ? "head embedding+lexical" : "head embedding only") << " dev:\n" << cl::format_report(r);
    if (r.accuracy > best_acc) {
      best_acc = r.accuracy;
      best = std::move(head);
    }
  }
  const std::filesystem::path dest = o.out.empty() ? layout.head() : std::filesystem::path(o.out);
  std::error_code ec;
  std::filesystem::create_directories(dest.parent_path().empty() ? "." : dest.parent_path(), ec);
  if (auto s = best.save(dest); !s) {
    err << "error: " << s.error().message << '\n';
    return 1;
  }
  out << "kept " << (best.use_lexical ? "embedding+lexical" : "embedding-only") << " head; wrote " << dest.string()
      << " (the gateway uses it from its next start)\n";
  return 0;
}

}  // namespace

int run_train_cmd(const train_options& o, std::ostream& out, std::ostream& err) {
  auto train = cl::load_jsonl(o.train, true);
  if (!train) {
    err << "error: " << train.error().message << '\n';
    return 1;
  }
  std::vector<cl::example> dev;
  if (!o.dev.empty()) {
    auto d = cl::load_jsonl(o.dev, true);
    if (!d) {
      err << "error: " << d.error().message << '\n';
      return 1;
    }
    dev = std::move(d).value();
  }
  if (o.encoder == "lexical") return train_lexical_cmd(o, *train, dev, out, err);
  if (o.encoder == "minilm") return train_minilm_cmd(o, *train, dev, out, err);
  err << "error: --encoder must be lexical or minilm\n";
  return 2;
}

int run_model_fetch_cmd(const fetch_options& o, std::ostream& out, std::ostream& err) {
  const auto data_dir = data_dir_or_default(o.data_dir);
  cl::install_settings is;
  core::status<> r = core::ok;
  if (!o.from.empty()) {
    r = cl::install_minilm_from(o.from, data_dir, is);
  } else {
    cl::fetch_settings fs;
    fs.base_url = o.base_url;
    fs.ca_file = o.ca_file;
    std::unique_ptr<cl::progress_bar> bar;
    std::string current;
    fs.progress = [&](std::string_view file, std::uint64_t done, std::uint64_t total) {
      if (!bar || current != file) {
        if (bar) bar->finish();
        current = std::string(file);
        bar = std::make_unique<cl::progress_bar>("fetch " + current, total > 0 ? total : 1);
      }
      bar->update(total > 0 ? done : 0);
    };
    r = cl::fetch_minilm(data_dir, fs, is);
    if (bar) bar->finish();
  }
  if (!r) {
    err << "error: " << r.error().message << '\n';
    return 1;
  }
  const cl::minilm_layout layout{data_dir};
  out << "installed all-MiniLM-L6-v2 @ " << cl::minilm_revision << " into " << layout.model_dir().string()
      << " (self-check passed; sha256 recorded in " << cl::minilm_lock_name << ")\n"
      << "next: gammainfra train-classifier --encoder minilm\n";
  return 0;
}

}  // namespace gi::app
