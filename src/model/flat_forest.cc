#include "model/flat_forest.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/atomic_file.h"
#include "model/forest_simd.h"

namespace vigil {
namespace {

using nlohmann::json;

Status Invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }
Status Unsupported(std::string message) { return absl::UnimplementedError(std::move(message)); }

// The margin transform XGBoost applies to base_score, by objective.
enum class MarginLink { kIdentity, kLogit, kLog };

StatusOr<MarginLink> LinkOf(const std::string& objective) {
  static constexpr const char* kLogit[] = {"binary:logistic", "reg:logistic", "binary:logitraw"};
  static constexpr const char* kLog[] = {"count:poisson", "reg:gamma", "reg:tweedie"};
  static constexpr const char* kIdentity[] = {
      "reg:squarederror",     "reg:linear",        "reg:squaredlogerror",
      "reg:pseudohubererror", "reg:absoluteerror", "binary:hinge",
      "rank:pairwise",        "rank:ndcg",         "rank:map"};
  for (const char* name : kLogit) {
    if (objective == name) return MarginLink::kLogit;
  }
  for (const char* name : kLog) {
    if (objective == name) return MarginLink::kLog;
  }
  for (const char* name : kIdentity) {
    if (objective == name) return MarginLink::kIdentity;
  }
  if (objective.rfind("multi:", 0) == 0) {
    return Unsupported(
        fmt::format("objective '{}' is multi-class; only single-output models "
                    "are supported",
                    objective));
  }
  return Unsupported(fmt::format("objective '{}' is not supported", objective));
}

// XGBoost's ProbToMargin, computed in float as XGBoost does.
StatusOr<float> MarginOf(MarginLink link, float base_score) {
  switch (link) {
    case MarginLink::kIdentity:
      return base_score;
    case MarginLink::kLogit:
      if (!(base_score > 0.0f && base_score < 1.0f)) {
        return Invalid(
            fmt::format("base_score {} must lie in (0, 1) for a logistic objective", base_score));
      }
      return -std::log(1.0f / base_score - 1.0f);
    case MarginLink::kLog:
      if (!(base_score > 0.0f)) {
        return Invalid(
            fmt::format("base_score {} must be positive for a log-link objective", base_score));
      }
      return std::log(base_score);
  }
  return base_score;
}

StatusOr<const json*> Member(const json& object, const char* key, std::string_view where) {
  if (!object.is_object()) return Invalid(fmt::format("{} is not a JSON object", where));
  auto it = object.find(key);
  if (it == object.end()) return Invalid(fmt::format("{} has no field '{}'", where, key));
  return &*it;
}

// Reads a number XGBoost stores either as a JSON number or as a string ("5E-1").
template <typename T>
StatusOr<T> NumberField(const json& object, const char* key, std::string_view where) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, where));
  if (value->is_number()) return value->get<T>();
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    T parsed{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error == std::errc() && end == text.data() + text.size()) return parsed;
  }
  return Invalid(fmt::format("{}.{} is not a number: {}", where, key, value->dump()));
}

StatusOr<std::string> StringField(const json& object, const char* key, std::string_view where) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, where));
  if (!value->is_string()) return Invalid(fmt::format("{}.{} is not a string", where, key));
  return value->get<std::string>();
}

// Reads an array of `size` numbers (booleans count as 0/1).
template <typename T>
Status ReadArray(const json& tree, const char* key, size_t size, std::string_view where,
                 std::vector<T>* out) {
  ASSIGN_OR_RETURN(const json* array, Member(tree, key, where));
  if (!array->is_array() || array->size() != size) {
    return Invalid(fmt::format("{}.{} is not an array of {} numbers", where, key, size));
  }
  out->resize(size);
  for (size_t i = 0; i < size; ++i) {
    const json& item = (*array)[i];
    if (item.is_boolean()) {
      (*out)[i] = item.get<bool>() ? T(1) : T(0);
    } else if (item.is_number()) {
      (*out)[i] = item.get<T>();
    } else {
      return Invalid(fmt::format("{}.{}[{}] is not a number", where, key, i));
    }
  }
  return absl::OkStatus();
}

// The per-node arrays of one tree, as XGBoost writes them.
struct RawTree {
  std::vector<int64_t> left, right, feature, split_type;
  std::vector<float> condition, cover;
  std::vector<int> default_left;
};

StatusOr<RawTree> ReadRawTree(const json& tree, std::string_view where) {
  ASSIGN_OR_RETURN(const json* left, Member(tree, "left_children", where));
  if (!left->is_array() || left->empty()) {
    return Invalid(fmt::format("{}.left_children is not a non-empty array", where));
  }
  const size_t n = left->size();
  RawTree raw;
  RETURN_IF_ERROR(ReadArray(tree, "left_children", n, where, &raw.left));
  RETURN_IF_ERROR(ReadArray(tree, "right_children", n, where, &raw.right));
  RETURN_IF_ERROR(ReadArray(tree, "split_indices", n, where, &raw.feature));
  RETURN_IF_ERROR(ReadArray(tree, "split_conditions", n, where, &raw.condition));
  RETURN_IF_ERROR(ReadArray(tree, "default_left", n, where, &raw.default_left));
  RETURN_IF_ERROR(ReadArray(tree, "sum_hessian", n, where, &raw.cover));
  if (tree.contains("split_type")) {
    RETURN_IF_ERROR(ReadArray(tree, "split_type", n, where, &raw.split_type));
  }
  return raw;
}

Status CheckNumericalSplits(const json& tree, const RawTree& raw, std::string_view where) {
  for (size_t i = 0; i < raw.split_type.size(); ++i) {
    if (raw.split_type[i] != 0 && raw.left[i] >= 0) {
      return Unsupported(
          fmt::format("{} node {} is a categorical split; only numerical splits "
                      "are supported",
                      where, i));
    }
  }
  auto categories = tree.find("categories_nodes");
  if (categories != tree.end() && categories->is_array() && !categories->empty()) {
    return Unsupported(
        fmt::format("{} has categorical splits; only numerical splits are "
                    "supported",
                    where));
  }
  return absl::OkStatus();
}

Status CheckSplit(const RawTree& raw, int64_t i, size_t num_features, std::string_view where) {
  const int64_t n = static_cast<int64_t>(raw.left.size());
  if (raw.right[i] < 0 || raw.left[i] >= n || raw.right[i] >= n) {
    return Invalid(fmt::format("{} node {} has children {} and {} outside 0..{}", where, i,
                               raw.left[i], raw.right[i], n - 1));
  }
  if (raw.feature[i] < 0 || static_cast<size_t>(raw.feature[i]) >= num_features) {
    return Invalid(fmt::format("{} node {} splits on feature {} but the model has {} features",
                               where, i, raw.feature[i], num_features));
  }
  const float threshold = raw.condition[i];
  if (std::isnan(threshold) ||
      (threshold == -std::numeric_limits<float>::infinity() && raw.default_left[i] != 0)) {
    return Unsupported(fmt::format("{} node {} has split condition {} which is not supported",
                                   where, i, threshold));
  }
  return absl::OkStatus();
}

// Renumbers the reachable nodes breadth-first (parents before children) and
// validates the structure: a tree, no shared or dangling children.
StatusOr<ForestTree> BuildTree(const RawTree& raw, size_t num_features, std::string_view where) {
  const int64_t n = static_cast<int64_t>(raw.left.size());
  std::vector<int64_t> order = {0};
  std::vector<int> depth = {0};
  std::vector<bool> seen(n, false);
  seen[0] = true;
  ForestTree tree;
  for (size_t k = 0; k < order.size(); ++k) {
    const int64_t i = order[k];
    ForestNode node;
    node.cover = raw.cover[i];
    tree.depth = std::max(tree.depth, depth[k]);
    if (raw.left[i] < 0) {
      node.leaf_value = raw.condition[i];
      tree.nodes.push_back(node);
      continue;
    }
    RETURN_IF_ERROR(CheckSplit(raw, i, num_features, where));
    if (depth[k] >= FlatForest::kMaxTreeDepth) {
      return Unsupported(
          fmt::format("{} is deeper than {} levels", where, FlatForest::kMaxTreeDepth));
    }
    for (int64_t child : {raw.left[i], raw.right[i]}) {
      if (seen[child]) return Invalid(fmt::format("{} node {} is reached twice", where, child));
      seen[child] = true;
      order.push_back(child);
      depth.push_back(depth[k] + 1);
    }
    node.left = static_cast<int32_t>(order.size() - 2);
    node.right = static_cast<int32_t>(order.size() - 1);
    node.feature = static_cast<uint32_t>(raw.feature[i]);
    node.threshold = raw.condition[i];
    node.default_left = raw.default_left[i] != 0;
    tree.nodes.push_back(node);
  }
  return tree;
}

StatusOr<ForestTree> ParseTree(const json& tree, size_t index, size_t num_features) {
  const std::string where = fmt::format("tree {}", index);
  ASSIGN_OR_RETURN(RawTree raw, ReadRawTree(tree, where));
  RETURN_IF_ERROR(CheckNumericalSplits(tree, raw, where));
  return BuildTree(raw, num_features, where);
}

Status CheckSingleOutput(const json& model_param, const json& gbtree_model) {
  ASSIGN_OR_RETURN(int64_t num_class,
                   NumberField<int64_t>(model_param, "num_class", "learner_model_param"));
  if (num_class > 1) {
    return Unsupported(
        fmt::format("the model has {} classes; only single-output models are "
                    "supported",
                    num_class));
  }
  if (model_param.contains("num_target")) {
    ASSIGN_OR_RETURN(int64_t num_target,
                     NumberField<int64_t>(model_param, "num_target", "learner_model_param"));
    if (num_target > 1) {
      return Unsupported(
          fmt::format("the model has {} targets; only single-output models are "
                      "supported",
                      num_target));
    }
  }
  auto info = gbtree_model.find("tree_info");
  if (info != gbtree_model.end() && info->is_array()) {
    for (const json& group : *info) {
      if (!group.is_number() || group.get<int64_t>() != 0) {
        return Unsupported(
            "tree_info assigns trees to several outputs; only single-output "
            "models are supported");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

// Turns XGBoost's model JSON into the trees, base margin and objective.
class FlatForestParser {
 public:
  static StatusOr<FlatForest> Parse(std::string_view text, ForestKernel kernel) {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) return Invalid("the model is not valid JSON");
    ASSIGN_OR_RETURN(const json* learner, Member(root, "learner", "the model"));
    FlatForest forest;
    RETURN_IF_ERROR(ParseLearner(*learner, &forest));
    RETURN_IF_ERROR(forest.Build(kernel));
    return forest;
  }

 private:
  static Status ParseLearner(const json& learner, FlatForest* forest) {
    ASSIGN_OR_RETURN(const json* booster, Member(learner, "gradient_booster", "learner"));
    ASSIGN_OR_RETURN(std::string booster_name, StringField(*booster, "name", "gradient_booster"));
    if (booster_name != "gbtree") {
      return Unsupported(
          fmt::format("booster '{}' is not supported; only gbtree is", booster_name));
    }
    ASSIGN_OR_RETURN(const json* model, Member(*booster, "model", "gradient_booster"));
    ASSIGN_OR_RETURN(const json* param, Member(learner, "learner_model_param", "learner"));
    RETURN_IF_ERROR(CheckSingleOutput(*param, *model));
    ASSIGN_OR_RETURN(const json* objective, Member(learner, "objective", "learner"));
    ASSIGN_OR_RETURN(forest->objective_, StringField(*objective, "name", "objective"));
    ASSIGN_OR_RETURN(MarginLink link, LinkOf(forest->objective_));
    ASSIGN_OR_RETURN(float base_score,
                     NumberField<float>(*param, "base_score", "learner_model_param"));
    ASSIGN_OR_RETURN(forest->base_margin_, MarginOf(link, base_score));
    ASSIGN_OR_RETURN(int64_t num_features,
                     NumberField<int64_t>(*param, "num_feature", "learner_model_param"));
    if (num_features < 1 || num_features > (int64_t{1} << 30)) {
      return Invalid(
          fmt::format("learner_model_param.num_feature {} is out of range", num_features));
    }
    forest->num_features_ = static_cast<size_t>(num_features);
    return ParseTrees(*model, forest);
  }

  static Status ParseTrees(const json& model, FlatForest* forest) {
    ASSIGN_OR_RETURN(const json* trees, Member(model, "trees", "gradient_booster.model"));
    if (!trees->is_array()) return Invalid("gradient_booster.model.trees is not an array");
    forest->trees_.reserve(trees->size());
    for (size_t t = 0; t < trees->size(); ++t) {
      ASSIGN_OR_RETURN(ForestTree tree, ParseTree((*trees)[t], t, forest->num_features_));
      forest->trees_.push_back(std::move(tree));
    }
    return absl::OkStatus();
  }
};

StatusOr<FlatForest> FlatForest::FromModelJson(std::string_view json, ForestKernel kernel) {
  return FlatForestParser::Parse(json, kernel);
}

StatusOr<FlatForest> FlatForest::FromFile(const std::string& path, ForestKernel kernel) {
  StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return Status(text.status().code(), fmt::format("model file: {}", text.status().message()));
  }
  StatusOr<FlatForest> forest = FromModelJson(*text, kernel);
  if (!forest.ok()) {
    return Status(forest.status().code(),
                  fmt::format("{}: {}", path, std::string(forest.status().message())));
  }
  return forest;
}

ForestKernel ResolveForestKernel(ForestKernel requested) {
#ifdef VIGIL_FOREST_AVX512
  const bool avx512 = forest_simd::CpuHasAvx512(), avx2 = forest_simd::CpuHasAvx2();
#else
  const bool avx512 = false, avx2 = false;
#endif
  switch (requested) {
    case ForestKernel::kFastest:
    case ForestKernel::kAvx512:
      if (avx512) return ForestKernel::kAvx512;
      [[fallthrough]];
    case ForestKernel::kAvx2:
      if (avx2) return ForestKernel::kAvx2;
      [[fallthrough]];
    case ForestKernel::kPortable:
      break;
  }
  return ForestKernel::kPortable;
}

const char* ForestKernelName(ForestKernel kernel) {
  switch (ResolveForestKernel(kernel)) {
    case ForestKernel::kAvx512:
      return "AVX-512";
    case ForestKernel::kAvx2:
      return "AVX2";
    default:
      return "portable";
  }
}

Status FlatForest::Build(ForestKernel kernel) {
  use_avx512_ = ResolveForestKernel(kernel) == ForestKernel::kAvx512;
  // The vectorized top levels need every complete block at least that deep.
  int shallowest = kTopLevels;
  bool any_complete = false;
  if (trees_.size() >= std::numeric_limits<uint32_t>::max() / 2) {
    return Unsupported(fmt::format("{} trees are too many", trees_.size()));
  }
  const uint32_t count = static_cast<uint32_t>(trees_.size());
  for (uint32_t first = 0; first < count; first += kBlockTrees) {
    const uint32_t n = std::min(kBlockTrees, count - first);
    int depth = 0;
    for (uint32_t t = first; t < first + n; ++t) depth = std::max(depth, trees_[t].depth);
    if (depth <= kMaxPaddedDepth) {
      shallowest = std::min(shallowest, depth);
      any_complete = true;
      AddCompleteBlock(first, n, depth);
    } else {
      blocks_.push_back({first, n, 0, 0, 0, 0, /*linked=*/true});
    }
  }
  top_levels_ = any_complete ? shallowest : 0;
  for (const Block& block : blocks_) {
    top_offsets_.push_back(block.linked ? 0 : block.top_offset);
  }
  linked_roots_.assign(count, 0);
  for (const Block& block : blocks_) {
    if (!block.linked) continue;
    for (uint32_t t = block.first_tree; t < block.first_tree + block.num_trees; ++t) {
      linked_roots_[t] = static_cast<uint32_t>(linked_nodes_.size());
      AddLinkedTree(trees_[t]);
    }
  }
  // Offsets are 32-bit.
  constexpr size_t kLimit = std::numeric_limits<uint32_t>::max();
  if (splits_.size() > kLimit || leaves_.size() > kLimit || linked_nodes_.size() > kLimit ||
      top_thresholds_.size() > kLimit) {
    return Unsupported(fmt::format("the model's {} trees are too large to lay out", count));
  }
  return absl::OkStatus();
}

// Lays the block's trees out as complete trees of `depth` levels in heap
// order (children of split i at 2i+1 and 2i+2). A leaf above the bottom level
// is copied into every bottom slot below it; the splits below it are never
// consulted for its value. Missing trees of a short block are zero trees.
void FlatForest::AddCompleteBlock(uint32_t first_tree, uint32_t num_trees, int depth) {
  const size_t splits = (size_t{1} << depth) - 1;
  Block block{first_tree,
              num_trees,
              static_cast<uint32_t>(depth),
              static_cast<uint32_t>(splits_.size()),
              static_cast<uint32_t>(leaves_.size()),
              static_cast<uint32_t>(top_thresholds_.size()),
              /*linked=*/false};
  // A depth-0 block uses the complete layout too: one leaf per tree.
  splits_.resize(splits_.size() + kBlockTrees * splits, PackedSplit{0.0f, 0});
  leaves_.resize(leaves_.size() + kBlockTrees * (splits + 1), 0.0f);
  for (uint32_t k = 0; k < num_trees; ++k) {
    const ForestTree& tree = trees_[first_tree + k];
    PackedSplit* tree_splits = splits_.data() + block.split_offset + k * splits;
    float* tree_leaves = leaves_.data() + block.leaf_offset + k * (splits + 1);
    // (node, heap position) pairs, parents first.
    std::vector<std::pair<int32_t, size_t>> stack = {{0, 0}};
    while (!stack.empty()) {
      auto [index, pos] = stack.back();
      stack.pop_back();
      const ForestNode& node = tree.nodes[index];
      if (node.is_leaf()) {
        size_t lo = pos, hi = pos;  // the bottom-level range below `pos`
        while (lo < splits) {
          lo = 2 * lo + 1;
          hi = 2 * hi + 2;
        }
        std::fill(tree_leaves + (lo - splits), tree_leaves + (hi - splits) + 1, node.leaf_value);
        continue;
      }
      tree_splits[pos] = {node.threshold, SlotOf(node.feature, node.default_left, num_features_)};
      stack.push_back({node.left, 2 * pos + 1});
      stack.push_back({node.right, 2 * pos + 2});
    }
  }
  // The first levels again, position by position (kBlockTrees values each),
  // for the vectorized walk of the top levels.
  const size_t top = std::min(splits, (size_t{1} << kTopLevels) - 1);
  for (size_t p = 0; p < top; ++p) {
    for (uint32_t k = 0; k < kBlockTrees; ++k) {
      const PackedSplit& split = splits_[block.split_offset + k * splits + p];
      top_thresholds_.push_back(split.threshold);
      top_slots_.push_back(static_cast<int32_t>(split.slot));
    }
  }
  blocks_.push_back(block);
}

// Lays a deep tree out breadth-first with siblings adjacent (right = left + 1),
// which the BFS numbering of ForestTree already guarantees.
void FlatForest::AddLinkedTree(const ForestTree& tree) {
  const uint32_t base = static_cast<uint32_t>(linked_nodes_.size());
  for (const ForestNode& node : tree.nodes) {
    if (node.is_leaf()) {
      linked_nodes_.push_back({node.leaf_value, kLeafSlot, 0, 0});
    } else {
      linked_nodes_.push_back({node.threshold,
                               SlotOf(node.feature, node.default_left, num_features_),
                               base + static_cast<uint32_t>(node.left), 0});
    }
  }
}

void FlatForest::FillSlots(const float* row, size_t n, float* slots) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  for (size_t f = 0; f < n; ++f) {
    const float x = row[f];
    const bool missing = std::isnan(x);
    slots[f] = missing ? -kInf : x;
    slots[n + f] = missing ? kInf : x;
  }
}

namespace {

// Walks kTrees complete trees of kDepth levels side by side: the walks are
// independent, so their loads overlap instead of waiting on each other.
// Walks kTrees complete trees of kDepth levels side by side, from heap
// positions `start` at level `from`: the walks are independent, so their
// loads overlap instead of waiting on each other.
template <int kDepth, size_t kTrees, typename Split>
inline void WalkCompleteTrees(const Split* splits, const float* leaves, const float* slots,
                              int from, const uint32_t* start, float* out) {
  constexpr size_t kSplits = (size_t{1} << kDepth) - 1;
  // node[k] indexes `splits` directly: tree k's heap position p sits at
  // k kSplits + p, so its child 2p + 1 + right sits at 2 node[k] + 1 + right -
  // k kSplits (unsigned arithmetic wraps back into range). After the last
  // level p - kSplits is the leaf, and tree k's leaves start at k (kSplits + 1).
  // 64-bit indices address memory without extra zero-extensions.
  size_t node[kTrees];
#pragma GCC unroll 16
  for (size_t k = 0; k < kTrees; ++k) node[k] = k * kSplits + start[k];
  for (int d = from; d < kDepth; ++d) {
#pragma GCC unroll 16
    for (size_t k = 0; k < kTrees; ++k) {
      const Split& split = splits[node[k]];
      // Slots and thresholds are never NaN, so `x >= threshold` is
      // `!(x < threshold)`, and compiles to a compare and one-flag setae.
      const float x = slots[split.slot];
      const size_t right = x >= split.threshold;
      node[k] = 2 * node[k] + right + (1 - k * kSplits);
    }
  }
#pragma GCC unroll 16
  for (size_t k = 0; k < kTrees; ++k) out[k] = leaves[node[k] + k - kSplits];
}

// The two halves of a block, 8 trees each (8 walks fit the registers).
template <int kDepth, typename Split>
inline void WalkBlockOf(const Split* splits, const float* leaves, const float* slots, int from,
                        const uint32_t* start, float* out) {
  constexpr size_t kHalf = 8, kSplits = (size_t{1} << kDepth) - 1;
  WalkCompleteTrees<kDepth, kHalf>(splits, leaves, slots, from, start, out);
  WalkCompleteTrees<kDepth, kHalf>(splits + kHalf * kSplits, leaves + kHalf * (kSplits + 1), slots,
                                   from, start + kHalf, out + kHalf);
}

template <typename Split>
inline void WalkBlock(int depth, const Split* splits, const float* leaves, const float* slots,
                      int from, const uint32_t* start, float* out) {
  switch (depth) {
    case 0:
      return WalkBlockOf<0>(splits, leaves, slots, from, start, out);
    case 1:
      return WalkBlockOf<1>(splits, leaves, slots, from, start, out);
    case 2:
      return WalkBlockOf<2>(splits, leaves, slots, from, start, out);
    case 3:
      return WalkBlockOf<3>(splits, leaves, slots, from, start, out);
    case 4:
      return WalkBlockOf<4>(splits, leaves, slots, from, start, out);
    case 5:
      return WalkBlockOf<5>(splits, leaves, slots, from, start, out);
    case 6:
      return WalkBlockOf<6>(splits, leaves, slots, from, start, out);
    case 7:
      return WalkBlockOf<7>(splits, leaves, slots, from, start, out);
    default:
      return WalkBlockOf<8>(splits, leaves, slots, from, start, out);
  }
}

#ifdef VIGIL_FOREST_AVX512
using forest_simd::GatherLookup;
using forest_simd::TableLookup;

// GCC 12 reports the intrinsics' deliberately undefined start vectors as
// uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// The first `levels` (1 to 3) levels of a block's 16 trees at once, one tree
// per lane. Their splits sit at the same heap positions 0..6 in every tree,
// stored position by position, so a lane picks its split with blends rather
// than a gather; only the row values are gathered. Writes each tree's heap
// position after those levels.
constexpr int kLanes = 16;

// One level kLevel for 16 trees at heap positions `position`: each lane
// picks its split among the level's 2^kLevel (stored position by position)
// with blends on the bits of its index in the level, compares its row value
// and moves to the child, 2p + 1 (left) or 2p + 2 (right).
template <int kLevel, typename Lookup>
VIGIL_TARGET_AVX512 inline __m512i TopStep(__m512i position, const float* thresholds,
                                           const int32_t* slot_ids, const Lookup& lookup) {
  constexpr int kFirst = (1 << kLevel) - 1, kCount = 1 << kLevel;
  __m512 threshold[kCount];
  __m512i slot[kCount];
  for (int i = 0; i < kCount; ++i) {
    threshold[i] = _mm512_loadu_ps(thresholds + (kFirst + i) * kLanes);
    slot[i] = _mm512_loadu_si512(slot_ids + (kFirst + i) * kLanes);
  }
  const __m512i index = _mm512_sub_epi32(position, _mm512_set1_epi32(kFirst));
  for (int bit = 0, n = kCount; n > 1; ++bit, n /= 2) {
    const __mmask16 odd = _mm512_test_epi32_mask(index, _mm512_set1_epi32(1 << bit));
    for (int i = 0; i < n / 2; ++i) {
      threshold[i] = _mm512_mask_blend_ps(odd, threshold[2 * i], threshold[2 * i + 1]);
      slot[i] = _mm512_mask_blend_epi32(odd, slot[2 * i], slot[2 * i + 1]);
    }
  }
  const __mmask16 right = _mm512_cmp_ps_mask(lookup(slot[0]), threshold[0], _CMP_GE_OQ);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i child = _mm512_add_epi32(_mm512_add_epi32(position, position), one);
  return _mm512_mask_add_epi32(child, right, child, one);
}

// The first `levels` (1 to 4) levels of a block's 16 trees at once, one tree
// per lane; writes each tree's heap position after them.
template <typename Lookup>
VIGIL_TARGET_AVX512 inline void WalkTopLevels(const float* thresholds, const int32_t* slot_ids,
                                              const Lookup& lookup, int levels, uint32_t* start) {
  __m512i position = TopStep<0>(_mm512_setzero_si512(), thresholds, slot_ids, lookup);
  if (levels > 1) position = TopStep<1>(position, thresholds, slot_ids, lookup);
  if (levels > 2) position = TopStep<2>(position, thresholds, slot_ids, lookup);
  if (levels > 3) position = TopStep<3>(position, thresholds, slot_ids, lookup);
  _mm512_storeu_si512(start, position);
}

// WalkTopLevels for `count` blocks whose top splits start at `offsets`.
// `slots` must hold 128 floats when `table` (every slot index below 128).
VIGIL_TARGET_AVX512 void WalkAllTopLevels(const float* thresholds, const int32_t* slot_ids,
                                          const uint32_t* offsets, size_t count, const float* slots,
                                          bool table, int levels, uint32_t* start) {
  if (table) {
    const TableLookup lookup(slots);
    for (size_t b = 0; b < count; ++b) {
      WalkTopLevels(thresholds + offsets[b], slot_ids + offsets[b], lookup, levels,
                    start + b * kLanes);
    }
    return;
  }
  const GatherLookup lookup{slots};
  for (size_t b = 0; b < count; ++b) {
    WalkTopLevels(thresholds + offsets[b], slot_ids + offsets[b], lookup, levels,
                  start + b * kLanes);
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif  // VIGIL_FOREST_AVX512

}  // namespace

float FlatForest::EvalLinkedTree(uint32_t root, const float* slots) const {
  const LinkedNode* node = &linked_nodes_[root];
  while (node->slot != kLeafSlot) {
    node = &linked_nodes_[node->left + static_cast<uint32_t>(!(slots[node->slot] < node->value))];
  }
  return node->value;
}

float FlatForest::SumTrees(const float* slots) const {
  // Float, in tree order: the sum XGBoost's predictor computes. Blocks go in
  // chunks: first the vectorized top levels of the chunk's blocks (their
  // lookups are independent and overlap), then the rest of each walk.
  constexpr size_t kChunk = 32;
  static constexpr uint32_t kRoots[kBlockTrees] = {};
  uint32_t start[kChunk * kBlockTrees];
  float margin = base_margin_;
  for (size_t first = 0; first < blocks_.size(); first += kChunk) {
    const size_t count = std::min(kChunk, blocks_.size() - first);
    int from = 0;
#ifdef VIGIL_FOREST_AVX512
    if (use_avx512_ && top_levels_ > 0) {
      from = top_levels_;
      WalkAllTopLevels(top_thresholds_.data(), top_slots_.data(), top_offsets_.data() + first,
                       count, slots, 2 * num_features_ <= forest_simd::kTableSlots, from, start);
    }
#endif
    for (size_t b = first; b < first + count; ++b) {
      const Block& block = blocks_[b];
      if (block.linked) {
        for (uint32_t t = block.first_tree; t < block.first_tree + block.num_trees; ++t) {
          margin += EvalLinkedTree(linked_roots_[t], slots);
        }
        continue;
      }
      float values[kBlockTrees];
      WalkBlock(static_cast<int>(block.depth), splits_.data() + block.split_offset,
                leaves_.data() + block.leaf_offset, slots, from,
                from > 0 ? start + (b - first) * kBlockTrees : kRoots, values);
      for (uint32_t k = 0; k < block.num_trees; ++k) margin += values[k];
    }
  }
  return margin;
}

double FlatForest::PredictMargin(const float* row) const {
  constexpr size_t kStackFeatures = 512;
  if (num_features_ <= kStackFeatures) {
    float slots[2 * kStackFeatures];
    FillSlots(row, num_features_, slots);
#ifdef VIGIL_FOREST_AVX512
    // The register table of the vectorized walk loads kTableSlots values.
    const size_t table = forest_simd::kTableSlots;
    std::fill(slots + 2 * num_features_, slots + std::max(2 * num_features_, table), 0.0f);
#endif
    return SumTrees(slots);
  }
  thread_local std::vector<float> heap_slots;
  heap_slots.resize(2 * num_features_);
  FillSlots(row, num_features_, heap_slots.data());
  return SumTrees(heap_slots.data());
}

void FlatForest::PredictMargins(const float* rows, size_t n, std::vector<double>* out) const {
  out->resize(n);
  for (size_t i = 0; i < n; ++i) (*out)[i] = PredictMargin(rows + i * num_features_);
}

}  // namespace vigil
