#pragma once
// `gammainfra classify`, `train-classifier` and `model fetch` (design §2, §4.8; issue 9 §7).

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace gi::app {

struct classify_options {
  std::vector<std::string> texts;  // classify each; or
  std::string file;                // JSONL with "text" (and optional "label") per line
  std::string encoder = "auto";    // auto (minilm if installed, else lexical) | lexical | minilm
  std::string model;               // lexical model file (default: the shipped one, built in)
  std::string data_dir;            // default: $GAMMAINFRA_DATA_DIR or ./gammainfra-data
};

struct train_options {
  std::string train = "data/task_prompts/train.jsonl";
  std::string dev = "data/task_prompts/dev.jsonl";
  std::string encoder = "lexical";  // lexical | minilm
  std::string out;                  // default: models/task-lexical-v1.bin | <data-dir>/models/task-minilm-head.bin
  std::uint64_t seed = 1234;
  std::uint32_t epochs = 0;         // 0 = the encoder's default
  std::uint32_t cv_folds = 0;       // > 0: also report k-fold CV on train (lexical)
  std::string data_dir;
};

struct fetch_options {
  std::string from;      // install from a local directory instead of downloading
  std::string data_dir;
  std::string base_url = "https://huggingface.co";
  std::string ca_file;   // extra trusted CA (tests, proxies)
};

int run_classify_cmd(const classify_options& o, std::ostream& out, std::ostream& err);
int run_train_cmd(const train_options& o, std::ostream& out, std::ostream& err);
int run_model_fetch_cmd(const fetch_options& o, std::ostream& out, std::ostream& err);

}  // namespace gi::app
