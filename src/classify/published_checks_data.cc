// models/all-MiniLM-L6-v2/published_checks.json, built in so the self-check needs no file
// at run time (keep identical; test/unit/classify/model_fetch_test.cc compares them).
#include "classify/model_fetch.h"

namespace gi::classify {

std::string_view builtin_published_checks() noexcept {
  static constexpr std::string_view text = R"PC({
 "what": "Published outputs of the real sentence-transformers/all-MiniLM-L6-v2 (fp32, mean pooling, normalize), copied from public test files; use them to verify real weights once they are obtained. Token ids must match exactly; embedding prefixes to about 1e-6.",
 "sources": {
  "R_sbert_test": "an R package's testthat file 'official model matches SentenceTransformers references' (found by code search; repository not identified by the search tool); expected ids + first 6 dims, tolerance 1e-6",
  "nacre": "github.com/Videe91/nacre tests/recall/data/minilm_reference_vectors.json @ 72901e827d587e7431b9f2226064ebd7011d8e6f (sentence-transformers 6.1.0, torch 2.14.1, revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41, max_seq_length 256, normalize_embeddings true); full 384-dim vectors there, first 8 dims copied here"
 },
 "items": [
  {"text": "This is an example sentence", "source": "R_sbert_test",
   "input_ids": [101, 2023, 2003, 2019, 2742, 6251, 102],
   "embedding_prefix": [0.06765693, 0.06349593, 0.04871314, 0.07930495, 0.03744806, 0.00265273]},
  {"text": "Each sentence is converted.", "source": "R_sbert_test",
   "input_ids": [101, 2169, 6251, 2003, 4991, 1012, 102],
   "embedding_prefix": [0.07853645, 0.08856265, -0.00209270, -0.00717247, -0.01252624, 0.01881747]},
  {"text": "", "source": "R_sbert_test",
   "input_ids": [101, 102],
   "embedding_prefix": [-0.11883835, 0.04829856, -0.00254805, -0.01101118, 0.05195070, 0.01029179]},
  {"text": "Café déjà vu — 東京", "source": "R_sbert_test",
   "input_ids": [101, 7668, 2139, 3900, 24728, 1517, 1879, 1755, 102],
   "embedding_prefix": [0.05083271, 0.00967685, 0.09635572, -0.00997369, -0.01987603, 0.01692343]},
  {"text": "", "source": "nacre",
   "embedding_prefix": [-0.11883832514286041, 0.048298630863428116, -0.002548050135374069, -0.011011206544935703, 0.05195067450404167, 0.01029184553772211, 0.11543318629264832, 0.0007007363019511104]},
  {"text": "a", "source": "nacre",
   "embedding_prefix": [-0.03643284738063812, 0.03470335528254509, -0.04595992714166641, 0.034325506538152695, -0.08082333952188492, 0.03283858299255371, 0.11697551608085632, -0.02330923080444336]}
 ]
}
)PC";
  return text;
}

}  // namespace gi::classify
