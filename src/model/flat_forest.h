// FlatForest: an exact, allocation-free evaluator for XGBoost tree ensembles.
//
// Loads the JSON that XGBoost 1.7 writes (`XGBoosterSaveModel` to `model.json`,
// or `XGBoosterSaveModelToBuffer` with {"format":"json"}) and predicts the
// same margin as XGBoost bit for bit: splits compare `x < split_condition` in
// float, NaN takes the node's default direction, and leaf values are added to
// the base margin in tree order in float, as XGBoost's CPU predictor does.
//
// How: trees are laid out 16 at a time as complete trees of the block's depth
// (a leaf above the bottom level is copied into the slots below it), 8 bytes
// per split, children found by arithmetic. A row is first copied into
// "slots" (FillSlots) so that missing values need no branch. Eight trees are
// walked side by side so their loads overlap; with AVX-512 the first four
// levels of 16 trees go at once. Trees deeper than 8 levels are walked node by
// node.
//
// Supported: gbtree boosters with one output (binary, regression, ranking,
// count objectives), numerical splits, trees up to kMaxTreeDepth levels.
// Rejected with a Status: multi-class or multi-target models, categorical
// splits, dart and gblinear boosters, malformed trees.
//
// A FlatForest is immutable after loading; all const methods are thread-safe.
#ifndef VIGIL_MODEL_FLAT_FOREST_H_
#define VIGIL_MODEL_FLAT_FOREST_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigil {

// One node of a tree, as XGBoost stores it (after validation).
struct ForestNode {
  int32_t left = -1;  // index of the left child in ForestTree::nodes; -1 for a leaf
  int32_t right = -1;
  uint32_t feature = 0;
  float threshold = 0;  // x < threshold goes left
  bool default_left = false;
  float leaf_value = 0;  // leaves only (already scaled by the learning rate)
  float cover = 0;       // sum of hessians (XGBoost's `sum_hessian`)

  bool is_leaf() const { return left < 0; }
};

// A tree with its root at nodes[0]; every node is reachable from the root.
struct ForestTree {
  std::vector<ForestNode> nodes;
  int depth = 0;  // edges on the longest root-to-leaf path (0 for a single leaf)
};

// Which code walks the trees. All give the same results; the specific ones
// exist so that tests and benchmarks cover the code other CPUs run. A kernel
// the CPU (or the build) lacks falls back to the next one down the list.
enum class ForestKernel {
  kFastest,   // the best this CPU has
  kAvx512,    // AVX-512 F/VL/BW/DQ
  kAvx2,      // AVX2 and FMA (prediction: the portable walk)
  kPortable,  // plain C++ only
};

// The kernel `requested` resolves to on this CPU and build.
ForestKernel ResolveForestKernel(ForestKernel requested);
// "AVX-512", "AVX2", "portable" (kFastest: the name of what it resolves to).
const char* ForestKernelName(ForestKernel kernel);

class FlatForest {
 public:
  static constexpr int kMaxTreeDepth = 128;

  // Parses XGBoost's model JSON. Errors name the tree and field that is wrong.
  static StatusOr<FlatForest> FromModelJson(std::string_view json,
                                            ForestKernel kernel = ForestKernel::kFastest);
  // Reads `path` (XGBoost's model.json) and parses it.
  static StatusOr<FlatForest> FromFile(const std::string& path,
                                       ForestKernel kernel = ForestKernel::kFastest);

  FlatForest(FlatForest&&) = default;
  FlatForest& operator=(FlatForest&&) = default;

  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return trees_.size(); }
  // The margin every prediction starts from (objective-transformed base_score).
  double base_margin() const { return base_margin_; }
  const std::string& objective() const { return objective_; }
  // The trees in XGBoost's order, for explainers.
  const std::vector<ForestTree>& trees() const { return trees_; }

  // Margin (log-odds for logistic objectives) of one row of num_features()
  // floats; NaN means missing. Thread-safe; does not allocate (for models of
  // more than 512 features, once per thread).
  double PredictMargin(const float* row) const;
  // Margins of `n` rows stored row-major; resizes `out` to n.
  void PredictMargins(const float* rows, size_t n, std::vector<double>* out) const;

  // Copies `row` (num_features floats) into `slots` (2 * num_features floats)
  // so that every split becomes a plain `slots[slot] < threshold`, NaN
  // included: the first half maps NaN to -inf and serves default-left
  // splits, the second half maps NaN to +inf and serves default-right ones.
  // (Split conditions are never NaN, nor -inf on a default-left split.)
  static void FillSlots(const float* row, size_t num_features, float* slots);
  // The slot a split on `feature` with `default_left` reads from.
  static uint32_t SlotOf(uint32_t feature, bool default_left, size_t num_features) {
    return default_left ? feature : feature + static_cast<uint32_t>(num_features);
  }

 private:
  // A split of a complete (padded) tree: 8 bytes, children implicit.
  struct PackedSplit {
    float threshold;
    uint32_t slot;
  };
  // A node of a tree too deep to pad: 16 bytes; right child = left + 1.
  struct LinkedNode {
    float value;        // threshold, or the leaf value for leaves
    uint32_t slot;      // kLeafSlot for leaves
    uint32_t left;      // index into linked_nodes_
    uint32_t reserved;  // keeps nodes 16-byte aligned
  };
  // Up to kBlockTrees consecutive trees evaluated together.
  struct Block {
    uint32_t first_tree;
    uint32_t num_trees;
    uint32_t depth;         // padded depth of every tree (complete blocks)
    uint32_t split_offset;  // into splits_ (complete blocks)
    uint32_t leaf_offset;   // into leaves_ (complete blocks)
    uint32_t top_offset;    // into top_thresholds_ / top_slots_ (complete blocks)
    bool linked;            // trees too deep to pad: walked one by one
  };
  static constexpr uint32_t kBlockTrees = 16;
  static constexpr int kTopLevels = 4;  // walked 16 trees at a time with AVX-512
  static constexpr int kMaxPaddedDepth = 8;
  static constexpr uint32_t kLeafSlot = 0xffffffffu;

  FlatForest() = default;
  Status Build(ForestKernel kernel);
  void AddCompleteBlock(uint32_t first_tree, uint32_t num_trees, int depth);
  void AddLinkedTree(const ForestTree& tree);
  float EvalLinkedTree(uint32_t root, const float* slots) const;
  float SumTrees(const float* slots) const;

  size_t num_features_ = 0;
  float base_margin_ = 0;
  std::string objective_;
  std::vector<ForestTree> trees_;
  std::vector<Block> blocks_;
  std::vector<PackedSplit> splits_;
  std::vector<float> leaves_;
  // The splits of the first kTopLevels levels of each complete block, by
  // heap position, kBlockTrees values each.
  std::vector<float> top_thresholds_;
  std::vector<int32_t> top_slots_;
  std::vector<uint32_t> top_offsets_;  // per block (0 for linked blocks)
  bool use_avx512_ = false;
  int top_levels_ = 0;  // levels every complete block has, up to kTopLevels
  std::vector<LinkedNode> linked_nodes_;
  std::vector<uint32_t> linked_roots_;  // per tree; used by linked blocks

  friend class FlatForestParser;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_FLAT_FOREST_H_
