#include "model/tree_shap.h"

#define VIGIL_TREE_SHAP_KERNEL_IMPLEMENTATION

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <utility>

#include "model/forest_simd.h"
#include "model/tree_shap_kernel.h"

namespace vigil {
namespace {

// Gauss-Legendre nodes and weights for `n` points on [0,1]: roots of the
// Legendre polynomial P_n by Newton's method from the usual cosine guesses.
void GaussLegendre(uint32_t n, std::vector<double>* t, std::vector<double>* weight) {
  for (uint32_t i = 0; i < n; ++i) {
    double x = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
    double derivative = 1;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p = 1, p_previous = 0;  // P_k(x), P_{k-1}(x)
      for (uint32_t k = 1; k <= n; ++k) {
        const double p_next = ((2.0 * k - 1) * x * p - (k - 1.0) * p_previous) / k;
        p_previous = p;
        p = p_next;
      }
      derivative = n * (x * p - p_previous) / (x * x - 1);
      const double step = p / derivative;
      x -= step;
      if (std::abs(step) < 1e-16) break;
    }
    t->push_back((1 - x) / 2);
    weight->push_back(1 / ((1 - x * x) * derivative * derivative));
  }
}

double CoverRatio(float child, float parent) {
  return parent > 0 ? static_cast<double>(child) / parent : 0.5;
}

// The cover-weighted mean of the tree's leaves, in float as XGBoost computes
// the bias term (children come after their parent, so walk backwards).
float MeanValue(const ForestTree& tree) {
  std::vector<float> mean(tree.nodes.size());
  for (size_t i = tree.nodes.size(); i-- > 0;) {
    const ForestNode& n = tree.nodes[i];
    if (n.is_leaf()) {
      mean[i] = n.leaf_value;
    } else {
      float sum = mean[n.left] * tree.nodes[n.left].cover;
      sum += mean[n.right] * tree.nodes[n.right].cover;
      mean[i] = sum / n.cover;
    }
  }
  return mean[0];
}

// The lane-parallel kernel's per-tree rows: every feature, then a column for
// padding splits, rounded up to whole vectors.
size_t RowStride(size_t features) { return (features + 1 + 15) / 16 * 16; }

// The walk's post-order of a complete tree's internal positions (Leave).
void PostOrder(uint32_t p, uint32_t positions, std::vector<uint32_t>* order) {
  if (p >= positions) return;
  PostOrder(2 * p + 1, positions, order);
  PostOrder(2 * p + 2, positions, order);
  order->push_back(p);
}

// The rank of each heap position of a complete tree of `positions` internal
// nodes in depth-first pre-order (the order the walk enters them, and the
// order records are stored in).
std::vector<uint32_t> PreOrderRanks(uint32_t positions) {
  std::vector<uint32_t> rank(positions), stack = {0};
  uint32_t next = 0;
  while (!stack.empty()) {
    const uint32_t p = stack.back();
    stack.pop_back();
    if (p >= positions) continue;
    rank[p] = next++;
    stack.push_back(2 * p + 2);
    stack.push_back(2 * p + 1);
  }
  return rank;
}

template <typename T>
void StoreBits(T value, float* at) {
  static_assert(sizeof(T) == sizeof(float));
  std::memcpy(at, &value, sizeof value);
}

template <typename T>
T LoadBits(const float* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

}  // namespace

// Per-thread working memory of Explain, sized for the largest tree and group.
struct TreeShap::Scratch {
  std::vector<float> slots;      // FlatForest::FillSlots, then -inf (always left)
  std::vector<double> tree_phi;  // per feature: this tree's share (zero between trees)
  // Scalar kernel, per node (x point).
  std::vector<double> follows, alpha, path, without, ratio, below;
  // Lane-parallel kernel: kCopies x kGroupTrees per-tree rows (zero where
  // no group has written), and the totals per feature.
  AlignedVector<float> rows;
  AlignedVector<float> total;

  // Each buffer is checked against its own size: one thread explains models
  // of different widths (orders, returns, payments) in any order, and the
  // slots' floor of 128 hides the growth of the others.
  void Reserve(size_t features, size_t nodes, size_t lanes) {
    // 2F slots, the padding slot, and room for the register table.
    const size_t slot_count = std::max<size_t>(2 * features + 1, 128);
    if (slots.size() < slot_count) slots.assign(slot_count, 0.0f);
    if (tree_phi.size() < features) tree_phi.resize(features, 0.0);  // zero between trees
    const size_t row_floats = tree_shap_kernel::kCopies * kGroupTrees * RowStride(features);
    if (rows.size() < row_floats) rows.assign(row_floats, 0.0f);
    if (total.size() < RowStride(features)) total.resize(RowStride(features));
    if (follows.size() < nodes) {
      follows.resize(nodes);
      alpha.resize(nodes);
    }
    if (path.size() < nodes * lanes) {
      for (auto* v : {&path, &without, &ratio, &below}) v->resize(nodes * lanes);
    }
  }
};

TreeShap::TreeShap(const FlatForest& forest, ForestKernel kernel)
    : num_features_(forest.num_features()) {
  // XGBoost adds the trees' means in tree order, then the base margin, in float.
  float bias = 0;
  for (const ForestTree& tree : forest.trees()) {
    AddTree(tree);
    bias += MeanValue(tree);
  }
  bias += static_cast<float>(forest.base_margin());
  expected_margin_ = bias;

  kernel_ = ResolveForestKernel(kernel);
  const uint32_t count = static_cast<uint32_t>(trees_.size());
  for (uint32_t first = 0; first < count; first += kGroupTrees) {
    const uint32_t n = std::min(kGroupTrees, count - first);
    int depth = 0;
    for (uint32_t t = first; t < first + n; ++t) depth = std::max(depth, trees_[t].depth);
    if (depth <= kMaxGroupDepth) {
      if (depth > 0) AddGroup(first, n, depth);  // single leaves add nothing
      continue;
    }
    for (uint32_t t = first; t < first + n; ++t) {
      if (trees_[t].num_nodes > 1) steps_.push_back({false, t});
    }
  }
}

uint32_t TreeShap::QuadratureOffset(uint32_t lanes) {
  for (size_t i = 0; i < rule_lanes_.size(); ++i) {
    if (rule_lanes_[i] == lanes) return rule_offsets_[i];
  }
  rule_lanes_.push_back(lanes);
  rule_offsets_.push_back(static_cast<uint32_t>(quad_t_.size()));
  GaussLegendre(lanes, &quad_t_, &quad_weight_);
  return rule_offsets_.back();
}

void TreeShap::AddTree(const ForestTree& tree) {
  const uint32_t first = static_cast<uint32_t>(nodes_.size());
  const uint32_t first_feature = static_cast<uint32_t>(tree_features_.size());
  for (const ForestNode& n : tree.nodes) {
    Node node{n.left,      n.right,
              n.feature,   FlatForest::SlotOf(n.feature, n.default_left, num_features_),
              n.threshold, -1,
              1.0,         0,
              0,           n.leaf_value};
    if (!n.is_leaf()) {
      node.left_ratio = CoverRatio(tree.nodes[n.left].cover, n.cover);
      node.right_ratio = CoverRatio(tree.nodes[n.right].cover, n.cover);
      if (std::find(tree_features_.begin() + first_feature, tree_features_.end(), n.feature) ==
          tree_features_.end()) {
        tree_features_.push_back(n.feature);
        tree_feature_copies_.push_back(0);
      }
    }
    nodes_.push_back(node);
  }
  std::vector<LastEdge> last(num_features_);
  LinkRepeatedFeatures(first, 0, &last);
  const uint32_t lanes = std::max(1, (tree.depth + 1) / 2);
  trees_.push_back({first, static_cast<uint32_t>(tree.nodes.size()), tree.depth, lanes,
                    QuadratureOffset(lanes), first_feature,
                    static_cast<uint32_t>(tree_features_.size())});
  max_nodes_ = std::max(max_nodes_, tree.nodes.size());
  max_lanes_ = std::max(max_lanes_, lanes);
}

// Fills Node::prev and Node::prev_cover_ratio by a depth-first walk that
// remembers, per feature, the last edge on it along the current path.
void TreeShap::LinkRepeatedFeatures(uint32_t first_node, int32_t index,
                                    std::vector<LastEdge>* last) {
  Node& node = nodes_[first_node + index];
  if (node.left < 0) return;
  const LastEdge above = (*last)[node.feature];
  node.prev = above.node;
  node.prev_cover_ratio = above.cover_ratio;
  (*last)[node.feature] = {node.left, above.cover_ratio * node.left_ratio};
  LinkRepeatedFeatures(first_node, node.left, last);
  (*last)[node.feature] = {node.right, above.cover_ratio * node.right_ratio};
  LinkRepeatedFeatures(first_node, node.right, last);
  (*last)[node.feature] = above;
}

// Lays out trees [first_tree, first_tree + num_trees) side by side, padded to
// complete trees of `depth` levels. Below a leaf that ends early, and in lanes
// without a tree, positions hold padding splits: they always go left, with
// cover ratios 1 and 0, and belong to no feature, so they add nothing and
// pass the leaf's value up unchanged.
void TreeShap::AddGroup(uint32_t first_tree, uint32_t num_trees, int depth) {
  using namespace tree_shap_kernel;
  constexpr uint32_t kLanes = kGroupTrees;
  const uint32_t points = static_cast<uint32_t>(std::max(1, (depth + 1) / 2));
  std::vector<double> t, weight;
  GaussLegendre(points, &t, &weight);
  Group group{first_tree,
              num_trees,
              depth,
              points,
              static_cast<uint32_t>(group_t_.size()),
              static_cast<uint32_t>(group_records_.size() / (kRecordFields * kLanes)),
              static_cast<uint32_t>(group_leaf_.size() / kLanes),
              1};
  for (uint32_t q = 0; q < points; ++q) {
    // Round t to a multiple of 2^-24 so that t + (1 - t) == 1 in float.
    group_t_.push_back(static_cast<float>(std::round(t[q] * 0x1p24) / 0x1p24));
    group_weight_.push_back(static_cast<float>(weight[q]));
  }
  const uint32_t positions = (1u << depth) - 1;
  const int32_t padding_slot = static_cast<int32_t>(2 * num_features_);
  for (uint32_t p = 0; p < positions; ++p) {
    const size_t at = group_records_.size();
    group_records_.resize(at + kRecordFields * kLanes, 1.0f);
    for (uint32_t k = 0; k < kLanes; ++k) {
      const int32_t padding_column =
          static_cast<int32_t>(k * RowStride(num_features_) + num_features_);
      StoreBits(padding_slot, &group_records_[at + kSlot * kLanes + k]);
      StoreBits(padding_column, &group_records_[at + kScatter * kLanes + k]);
      StoreBits(int32_t{0}, &group_records_[at + kPrevEdges * kLanes + k]);
      group_records_[at + kThreshold * kLanes + k] = 0.0f;
      group_records_[at + kRightCover * kLanes + k] = 0.0f;
    }
  }
  group_leaf_.insert(group_leaf_.end(), (positions + 1) * kLanes, 0.0f);
  for (uint32_t k = 0; k < num_trees; ++k) PlaceTreeInGroup(group, k, trees_[first_tree + k]);
  NumberRepeatedSplits(&group);
  groups_.push_back(group);
  steps_.push_back({true, static_cast<uint32_t>(groups_.size() - 1)});
  vectorized_trees_ += num_trees;
}

// Points each real split's scatter column at copy min(o, kCopies - 1) of
// its tree's row, o counting the earlier splits on the feature in the walk's
// order, with kAddBit from the kCopies-th on; records how many copies the
// group and each (tree, feature) use.
void TreeShap::NumberRepeatedSplits(Group* group) {
  using namespace tree_shap_kernel;
  constexpr uint32_t kLanes = kGroupTrees;
  const size_t stride = RowStride(num_features_);
  const uint32_t positions = (1u << group->depth) - 1;
  std::vector<uint32_t> order;
  PostOrder(0, positions, &order);
  const std::vector<uint32_t> rank = PreOrderRanks(positions);
  for (uint32_t k = 0; k < group->num_trees; ++k) {
    std::vector<uint32_t> seen(num_features_, 0);
    for (uint32_t p : order) {
      float* field =
          &group_records_[((group->positions + rank[p]) * kRecordFields + kScatter) * kLanes + k];
      const uint32_t column = LoadBits<uint32_t>(field);
      const uint32_t feature = static_cast<uint32_t>(column - k * stride);
      if (feature >= num_features_) continue;  // padding
      const uint32_t o = seen[feature]++;
      const uint32_t copy = std::min<uint32_t>(o, kCopies - 1);
      StoreBits(
          static_cast<uint32_t>(column + copy * kLanes * stride) | (o >= kCopies ? kAddBit : 0),
          field);
      group->copies = std::max(group->copies, copy + 1);
    }
    const Tree& tree = trees_[group->first_tree + k];
    for (uint32_t i = tree.first_feature; i < tree.end_feature; ++i) {
      tree_feature_copies_[i] =
          static_cast<uint8_t>(std::min<uint32_t>(seen[tree_features_[i]], kCopies));
    }
  }
}

void TreeShap::PlaceTreeInGroup(const Group& group, uint32_t lane, const Tree& tree) {
  using namespace tree_shap_kernel;
  constexpr uint32_t kLanes = kGroupTrees;
  const uint32_t positions = (1u << group.depth) - 1;
  const Node* nodes = nodes_.data() + tree.first_node;
  const std::vector<uint32_t> rank = PreOrderRanks(positions);
  std::vector<uint32_t> position(tree.num_nodes, 0);  // heap position of each node
  std::vector<int32_t> parent(tree.num_nodes, -1);
  for (uint32_t i = 0; i < tree.num_nodes; ++i) {
    const Node& node = nodes[i];
    const uint32_t p = position[i];
    if (node.left < 0) {
      uint32_t lo = p, hi = p;  // the bottom-level range below p
      while (lo < positions) {
        lo = 2 * lo + 1;
        hi = 2 * hi + 2;
      }
      for (uint32_t leaf = lo; leaf <= hi; ++leaf) {
        group_leaf_[(group.leaves + leaf - positions) * kLanes + lane] =
            static_cast<float>(node.leaf_value);
      }
      continue;
    }
    position[node.left] = 2 * p + 1;
    position[node.right] = 2 * p + 2;
    parent[node.left] = parent[node.right] = static_cast<int32_t>(i);
    // The path's edges that leave a split on this node's feature, by the
    // depth they lead to.
    int32_t prev_edges = 0;
    int depth = std::bit_width(p + 1) - 1;
    for (int32_t a = parent[i]; a >= 0; a = parent[a], --depth) {
      if (nodes[a].feature == node.feature) prev_edges |= 1 << depth;
    }
    float* record = &group_records_[(group.positions + rank[p]) * kRecordFields * kLanes + lane];
    const int32_t slot = static_cast<int32_t>(node.slot);
    const int32_t column = static_cast<int32_t>(lane * RowStride(num_features_) + node.feature);
    const double z = node.prev_cover_ratio;
    StoreBits(slot, record + kSlot * kLanes);
    StoreBits(column, record + kScatter * kLanes);
    StoreBits(prev_edges, record + kPrevEdges * kLanes);
    record[kThreshold * kLanes] = node.threshold;
    record[kLeftCover * kLanes] = static_cast<float>(z * node.left_ratio);
    record[kRightCover * kLanes] = static_cast<float>(z * node.right_ratio);
    record[kPrevCover * kLanes] = static_cast<float>(z);
    record[kPrevInverse * kLanes] = z > 0 ? static_cast<float>(1 / z) : 0.0f;
    for (uint32_t q = 0; q < group.points; ++q) {
      const double t = group_t_[group.rule + q];
      record[(kPrevFactor + q) * kLanes] = static_cast<float>(1 / (t + z * (1 - t)));
    }
  }
}

void TreeShap::Explain(const float* row, double* contributions) const {
  thread_local Scratch scratch;
  scratch.Reserve(num_features_, max_nodes_, max_lanes_);
  float* slots = scratch.slots.data();
  FlatForest::FillSlots(row, num_features_, slots);
  slots[2 * num_features_] = -std::numeric_limits<float>::infinity();
  float* total = scratch.total.data();
  std::fill(total, total + RowStride(num_features_), 0.0f);
  if (num_features_ <= tree_shap_kernel::kDenseFlushFeatures) {
    // Whole rows are flushed: clear what another model or a padding lane
    // left there. (Sparse flushes read only cells written by their group.)
    std::fill_n(scratch.rows.begin(),
                tree_shap_kernel::kCopies * kGroupTrees * RowStride(num_features_), 0.0f);
  }
  for (const Step& step : steps_) {
    if (step.group) {
      ExplainGroup(groups_[step.index], slots, &scratch);
      continue;
    }
    const Tree& tree = trees_[step.index];
    double* tree_phi = scratch.tree_phi.data();
    ExplainTree(tree, slots, &scratch, tree_phi);
    // Per tree in float, in tree order: the sums XGBoost's pred_contribs forms.
    for (uint32_t i = tree.first_feature; i < tree.end_feature; ++i) {
      const uint32_t f = tree_features_[i];
      total[f] += static_cast<float>(tree_phi[f]);
      tree_phi[f] = 0;
    }
  }
  std::copy(total, total + num_features_, contributions);
  contributions[num_features_] = expected_margin_;
}

void TreeShap::ExplainTree(const Tree& tree, const float* slots, Scratch* s, double* phi) const {
  const uint32_t m = tree.lanes;
  const double* t = quad_t_.data() + tree.quad_offset;
  const double* weight = quad_weight_.data() + tree.quad_offset;
  const Node* nodes = nodes_.data() + tree.first_node;
  const int32_t n = static_cast<int32_t>(tree.num_nodes);
  s->follows[0] = 1;
  std::fill(s->path.begin(), s->path.begin() + m, 1.0);
  // Down: path products and the growth factor of every edge.
  for (int32_t i = 0; i < n; ++i) {
    const Node& node = nodes[i];
    if (node.left < 0) continue;
    const bool hot_left = slots[node.slot] < node.threshold;
    const double o_prev = node.prev < 0 ? 1.0 : s->follows[node.prev];
    const double z_prev = node.prev_cover_ratio;
    const double o_left = hot_left ? o_prev : 0.0, o_right = hot_left ? 0.0 : o_prev;
    const double z_left = z_prev * node.left_ratio, z_right = z_prev * node.right_ratio;
    s->follows[node.left] = o_left;
    s->follows[node.right] = o_right;
    s->alpha[node.left] = o_left - z_left;
    s->alpha[node.right] = o_right - z_right;
    for (uint32_t q = 0; q < m; ++q) {
      const double omt = 1 - t[q];
      // 1 / (the merged factor of this node's feature above it).
      double r = 1;
      if (o_prev == 0) {
        r = z_prev > 0 ? 1 / (z_prev * omt) : 0;
      } else if (node.prev >= 0) {
        r = 1 / (t[q] + z_prev * omt);
      }
      const double path = s->path[i * m + q];
      const double grow_left = (o_left * t[q] + z_left * omt) * r;
      const double grow_right = (o_right * t[q] + z_right * omt) * r;
      s->without[i * m + q] = path * r;
      s->ratio[node.left * m + q] = grow_left;
      s->ratio[node.right * m + q] = grow_right;
      s->path[node.left * m + q] = path * grow_left;
      s->path[node.right * m + q] = path * grow_right;
    }
  }
  // Up: leaf sums relative to each node, and each split's share.
  for (int32_t i = n - 1; i >= 0; --i) {
    const Node& node = nodes[i];
    if (node.left < 0) {
      for (uint32_t q = 0; q < m; ++q) s->below[i * m + q] = node.leaf_value * weight[q];
      continue;
    }
    const double o_prev = node.prev < 0 ? 1.0 : s->follows[node.prev];
    const double alpha_self = o_prev - node.prev_cover_ratio;
    const double alpha_left = s->alpha[node.left], alpha_right = s->alpha[node.right];
    double share = 0;
    for (uint32_t q = 0; q < m; ++q) {
      const double left = s->below[node.left * m + q];
      const double right = s->below[node.right * m + q];
      const double here = s->ratio[node.left * m + q] * left + s->ratio[node.right * m + q] * right;
      s->below[i * m + q] = here;
      share +=
          s->without[i * m + q] * (alpha_left * left + alpha_right * right - alpha_self * here);
    }
    phi[node.feature] += share;
  }
}

namespace tree_shap_kernel {
namespace {

// Four lanes in GCC/Clang's generic vectors: no instruction-set intrinsics,
// lowered to whatever the baseline target has (SSE2 on x86-64, NEON on
// ARM64, scalar code elsewhere). Masks hold 0 or -1 per lane.
struct PortableOps {
  static constexpr int kLanes = 4;
  using V = float __attribute__((vector_size(16)));
  using I = int32_t __attribute__((vector_size(16)));
  using M = I;

  static V Set(float x) { return V{x, x, x, x}; }
  static V Zero() { return Set(0.0f); }
  static I ZeroI() { return I{0, 0, 0, 0}; }
  static V Load(const float* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static I LoadI(const float* p) {
    I v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static V Mul(V a, V b) { return a * b; }
  static V Fma(V a, V b, V c) { return a * b + c; }
  static V Fnma(V a, V b, V c) { return c - a * b; }
  static V Select(M m, V a, V b) { return m ? a : b; }
  static V AddIf(M m, V a, V b) { return m ? a + b : a; }
  static V OneIfMinus(M m, V z) { return (m ? Set(1.0f) : Zero()) - z; }
  static M Less(V a, V b) { return a < b; }
  static M And(M a, M b) { return a & b; }
  static M AndNot(M a, M b) { return ~a & b; }
  static M NoneOf(I bits, I set) { return (bits & ~set) == ZeroI(); }
  static I OrBitIf(I x, M m, bool negate, int bit) {
    return x | ((negate ? ~m : m) & I{bit, bit, bit, bit});
  }
  static void Scatter(float* base, I raw, V value) {
    if (((raw[0] | raw[1] | raw[2] | raw[3]) & kAddBit) == 0) {
      for (int k = 0; k < kLanes; ++k) base[raw[k]] = value[k];
      return;
    }
    for (int k = 0; k < kLanes; ++k) {
      const uint32_t index = static_cast<uint32_t>(raw[k]);
      float* cell = base + (index & ~kAddBit);
      *cell = (index & kAddBit ? *cell : 0.0f) + value[k];
    }
  }
};

struct PortableLookup {
  const float* slots;
  PortableOps::V operator()(PortableOps::I index) const {
    return PortableOps::V{slots[index[0]], slots[index[1]], slots[index[2]], slots[index[3]]};
  }
};

}  // namespace

void ExplainGroupPortable(const GroupJob& job) {
  WalkGroupOf<PortableOps>(job, PortableLookup{job.slots});
  Flush(job);
}

}  // namespace tree_shap_kernel

void TreeShap::ExplainGroup(const Group& group, const float* slots, Scratch* scratch) const {
  using namespace tree_shap_kernel;
  GroupJob job;
  job.depth = group.depth;
  job.points = static_cast<int>(group.points);
  job.num_trees = group.num_trees;
  job.copies = group.copies;
  job.t = group_t_.data() + group.rule;
  job.weight = group_weight_.data() + group.rule;
  job.records = group_records_.data() + size_t{group.positions} * kRecordFields * kGroupTrees;
  job.leaves = group_leaf_.data() + size_t{group.leaves} * kGroupTrees;
  job.slots = slots;
  job.table = 2 * num_features_ + 1 <= 128;
  job.rows = scratch->rows.data();
  job.stride = RowStride(num_features_);
  job.num_features = num_features_;
  job.total = scratch->total.data();
  for (uint32_t k = 0; k < group.num_trees; ++k) {
    const Tree& tree = trees_[group.first_tree + k];
    job.features[k] = tree_features_.data() + tree.first_feature;
    job.feature_copies[k] = tree_feature_copies_.data() + tree.first_feature;
    job.feature_counts[k] = tree.end_feature - tree.first_feature;
  }
  switch (kernel_) {
    case ForestKernel::kAvx512:
      return ExplainGroupAvx512(job);
    case ForestKernel::kAvx2:
      return ExplainGroupAvx2(job);
    default:
      return ExplainGroupPortable(job);
  }
}

}  // namespace vigil
