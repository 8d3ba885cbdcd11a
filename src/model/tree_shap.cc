#include "model/tree_shap.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <utility>

#include "model/forest_simd.h"

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

// Up to this many features, the vectorized kernel adds every tree's whole
// row to the totals; beyond, only the features the tree splits on.
constexpr size_t kDenseFlushFeatures = 64;

// The vectorized kernel's per-tree rows: every feature, then a column for
// padding splits, rounded up to whole vectors.
size_t RowStride(size_t features) { return (features + 1 + 15) / 16 * 16; }

bool CpuHasAvx512() {
#ifdef VIGIL_FOREST_AVX512
  return forest_simd::CpuHasAvx512();
#else
  return false;
#endif
}

// Layout of a position's record in group_records_, in vectors of 16 lanes.
constexpr size_t kSlot = 0;         // int32: slot to compare
constexpr size_t kThreshold = 1;    // x < threshold goes left
constexpr size_t kLeftCover = 2;    // Z of the merged child edges: previous edges on
constexpr size_t kRightCover = 3;   // the feature times this edge's cover ratio
constexpr size_t kPrevCover = 4;    // Z of the previous edges on the feature (1: none)
constexpr size_t kPrevInverse = 5;  // 1 / kPrevCover (0 if 0)
constexpr size_t kScatter = 6;      // int32: lane x (F + 1) + feature (F: padding)
constexpr size_t kPrevEdges = 7;    // int32: bit a set when the path's edge into depth a
                                    // leaves a split on the same feature
constexpr size_t kPrevFactor = 8;   // per point: 1 / (t + Z_prev (1 - t))
static_assert(TreeShap::kRecordVectorsForKernel == kPrevFactor + 4,
              "a record ends with one vector per quadrature point, at most 4");

// Copies of the per-tree rows the walk scatters into, by depth modulo the
// count, so that a split never reads back a value its child has just
// scattered (a gather cannot take it from the store buffer). Four copies
// measured no faster than two.
constexpr int kByTreeCopies = 2;

// Per-call working memory of the vectorized kernel outside the walk itself.
struct GroupScratch {
  // Per tree (lane) of the group, per feature (F + 1 columns, the last for
  // padding splits, rounded up to whole vectors): the tree's value, in
  // kByTreeCopies parts. Zero between groups.
  float* by_tree[kByTreeCopies];
  float* total;  // per feature (16-padded): the sum over trees so far
};

}  // namespace

// Per-thread working memory of Explain, sized for the largest tree and group.
struct TreeShap::Scratch {
  std::vector<float> slots;      // FlatForest::FillSlots, then -inf (always left)
  std::vector<double> tree_phi;  // per feature: this tree's share (zero between trees)
  // Portable kernel, per node (x point).
  std::vector<double> follows, alpha, path, without, ratio, below;
  // Vectorized kernel.
  AlignedVector<float> group_memory;
  GroupScratch group{};

  void Reserve(size_t features, size_t nodes, size_t lanes) {
    // 2F slots, the padding slot, and room for the register table.
    if (slots.size() < std::max<size_t>(2 * features + 1, 128)) {
      slots.assign(std::max<size_t>(2 * features + 1, 128), 0.0f);
      tree_phi.resize(features);
    }
    if (follows.size() < nodes) {
      follows.resize(nodes);
      alpha.resize(nodes);
    }
    if (path.size() < nodes * lanes) {
      for (auto* v : {&path, &without, &ratio, &below}) v->resize(nodes * lanes);
    }
    ReserveGroup(features);
  }

  void ReserveGroup(size_t features) {
    constexpr size_t kLanes = kGroupTrees;
    const size_t padded = RowStride(features);
    const size_t by_tree = kLanes * padded;
    const size_t size = kByTreeCopies * by_tree + padded;
    if (group_memory.size() >= size) return;
    group_memory.assign(size, 0.0f);
    for (int c = 0; c < kByTreeCopies; ++c) group.by_tree[c] = group_memory.data() + c * by_tree;
    group.total = group_memory.data() + kByTreeCopies * by_tree;
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

  const bool vectorize = kernel == ForestKernel::kFastest && CpuHasAvx512();
  const uint32_t count = static_cast<uint32_t>(trees_.size());
  for (uint32_t first = 0; first < count; first += kGroupTrees) {
    const uint32_t n = std::min(kGroupTrees, count - first);
    int depth = 0;
    for (uint32_t t = first; t < first + n; ++t) depth = std::max(depth, trees_[t].depth);
    if (vectorize && depth <= kMaxGroupDepth) {
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
  constexpr uint32_t kLanes = kGroupTrees;
  const uint32_t points = static_cast<uint32_t>(std::max(1, (depth + 1) / 2));
  std::vector<double> t, weight;
  GaussLegendre(points, &t, &weight);
  Group group{first_tree,
              num_trees,
              depth,
              points,
              static_cast<uint32_t>(group_t_.size()),
              static_cast<uint32_t>(group_records_.size() / (kRecordVectors * kLanes)),
              static_cast<uint32_t>(group_leaf_.size() / kLanes)};
  for (uint32_t q = 0; q < points; ++q) {
    // Round t to a multiple of 2^-24 so that t + (1 - t) == 1 in float.
    group_t_.push_back(static_cast<float>(std::round(t[q] * 0x1p24) / 0x1p24));
    group_weight_.push_back(static_cast<float>(weight[q]));
  }
  const uint32_t positions = (1u << depth) - 1;
  const int32_t padding_slot = static_cast<int32_t>(2 * num_features_);
  for (uint32_t p = 0; p < positions; ++p) {
    const size_t at = group_records_.size();
    group_records_.resize(at + kRecordVectors * kLanes, 1.0f);
    std::fill_n(&group_records_[at + kPrevEdges * kLanes], kLanes, 0.0f);  // int32 zeros
    for (uint32_t k = 0; k < kLanes; ++k) {
      const int32_t padding_column =
          static_cast<int32_t>(k * RowStride(num_features_) + num_features_);
      std::memcpy(&group_records_[at + kSlot * kLanes + k], &padding_slot, sizeof padding_slot);
      std::memcpy(&group_records_[at + kScatter * kLanes + k], &padding_column,
                  sizeof padding_column);
      group_records_[at + kThreshold * kLanes + k] = 0.0f;
      group_records_[at + kRightCover * kLanes + k] = 0.0f;
    }
  }
  group_leaf_.insert(group_leaf_.end(), (positions + 1) * kLanes, 0.0f);
  for (uint32_t k = 0; k < num_trees; ++k) PlaceTreeInGroup(group, k, trees_[first_tree + k]);
  groups_.push_back(group);
  steps_.push_back({true, static_cast<uint32_t>(groups_.size() - 1)});
  max_group_positions_ = std::max(max_group_positions_, positions);
  vectorized_trees_ += num_trees;
}

void TreeShap::PlaceTreeInGroup(const Group& group, uint32_t lane, const Tree& tree) {
  constexpr uint32_t kLanes = kGroupTrees;
  const uint32_t positions = (1u << group.depth) - 1;
  const Node* nodes = nodes_.data() + tree.first_node;
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
    float* record = &group_records_[(group.positions + p) * kRecordVectors * kLanes + lane];
    const int32_t slot = static_cast<int32_t>(node.slot);
    const int32_t column = static_cast<int32_t>(lane * RowStride(num_features_) + node.feature);
    const double z = node.prev_cover_ratio;
    std::memcpy(record + kSlot * kLanes, &slot, sizeof slot);
    std::memcpy(record + kScatter * kLanes, &column, sizeof column);
    std::memcpy(record + kPrevEdges * kLanes, &prev_edges, sizeof prev_edges);
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
  float* total = scratch.group.total;
  std::fill(total, total + RowStride(num_features_), 0.0f);
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

#ifdef VIGIL_FOREST_AVX512
// GCC 12 reports the intrinsics' deliberately undefined start vectors
// (_mm512_undefined_ps) as uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
namespace {

// The vectorized kernel: one tree per lane, kPoints quadrature points; the
// two passes of ExplainTree fused into one depth-first walk of the complete
// trees, so that only the current path's state is live.
template <int kPoints>
class GroupWalk {
 public:
  VIGIL_TARGET_AVX512 GroupWalk(int depth, bool table, const float* t, const float* weight,
                                const float* records, const float* leaves, const float* slots,
                                float* const by_tree[kByTreeCopies])
      : depth_(depth),
        table_(table),
        records_(records),
        leaves_(leaves),
        slots_(slots),
        by_tree_{} {
    std::copy(by_tree, by_tree + kByTreeCopies, by_tree_);
    for (int q = 0; q < kPoints; ++q) {
      t_[q] = _mm512_set1_ps(t[q]);
      omt_[q] = _mm512_set1_ps(1.0f - t[q]);
      inv_omt_[q] = _mm512_set1_ps(1.0f / (1.0f - t[q]));
      weight_[q] = _mm512_set1_ps(weight[q]);
    }
  }

  // Visits every internal position: Enter on the way down, Leave once both
  // children are done (children of the bottom level are leaves).
  VIGIL_TARGET_AVX512 void Run() {
    // Which way each lane goes at every position, first: the gathers are
    // independent here, while the walk would wait on each in turn.
    if (table_) {
      FindHot(forest_simd::TableLookup(slots_));
    } else {
      FindHot(forest_simd::GatherLookup{slots_});
    }
    const __m512 one = _mm512_set1_ps(1.0f);
    level_[0].hot_edges = _mm512_setzero_si512();
    for (int q = 0; q < kPoints; ++q) level_[0].path[q] = one;
    int p = 0, d = 0;
    for (;;) {
      Enter(p, d);
      if (d < depth_ - 1) {
        Descend(d, /*right=*/false);
        p = 2 * p + 1;
        ++d;
        continue;
      }
      Leave(p, d);
      for (;;) {
        if (p == 0) return;
        if (p & 1) {  // a left child: its sibling is next
          Descend(d - 1, /*right=*/true);
          ++p;
          break;
        }
        p = (p - 1) / 2;
        --d;
        Leave(p, d);
      }
    }
  }

 private:
  template <typename Lookup>
  VIGIL_TARGET_AVX512 void FindHot(const Lookup& lookup) {
    const int positions = (1 << depth_) - 1;
    for (int p = 0; p < positions; ++p) {
      const __m512 x = lookup(_mm512_load_si512(Record(p, kSlot)));
      hot_[p] = _mm512_cmp_ps_mask(x, _mm512_load_ps(Record(p, kThreshold)), _CMP_LT_OQ);
    }
  }

  // The state of the path's node at one depth, one value per lane.
  struct Level {
    __m512i hot_edges;  // bit a: the path's edge into depth a is the row's way
    __mmask16 hot;      // lanes going left here
    __m512 alpha_left, alpha_right, alpha_self;        // O - Z of merged edges
    __m512 path[kPoints];                              // product of the path's factors
    __m512 without[kPoints];                           // the same without this feature
    __m512 ratio_left[kPoints], ratio_right[kPoints];  // growth on each edge
    __m512 below_left[kPoints], below_right[kPoints];  // children's leaf sums
  };

  VIGIL_TARGET_AVX512 const float* Record(int p, size_t field) const {
    return records_ + (static_cast<size_t>(p) * TreeShap::kRecordVectorsForKernel + field) * 16;
  }

  VIGIL_TARGET_AVX512 void Enter(int p, int d) {
    Level& level = level_[d];
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
    const __mmask16 hot = hot_[p];
    level.hot = hot;
    // O of the merged previous edges on this feature: 1 unless one of them
    // is not the row's way (1 where there are none).
    const __m512i missed =
        _mm512_andnot_si512(level.hot_edges, _mm512_load_si512(Record(p, kPrevEdges)));
    const __mmask16 followed = _mm512_testn_epi32_mask(missed, missed);
    const __mmask16 o_left = _kand_mask16(hot, followed);
    const __mmask16 o_right = _kandn_mask16(hot, followed);
    const __m512 z_left = _mm512_load_ps(Record(p, kLeftCover));
    const __m512 z_right = _mm512_load_ps(Record(p, kRightCover));
    const __m512 z_prev = _mm512_load_ps(Record(p, kPrevCover));
    const __m512 inverse = _mm512_load_ps(Record(p, kPrevInverse));
    level.alpha_left = _mm512_mask_sub_ps(_mm512_sub_ps(zero, z_left), o_left, one, z_left);
    level.alpha_right = _mm512_mask_sub_ps(_mm512_sub_ps(zero, z_right), o_right, one, z_right);
    level.alpha_self = _mm512_mask_sub_ps(_mm512_sub_ps(zero, z_prev), followed, one, z_prev);
    for (int q = 0; q < kPoints; ++q) {
      // 1 / (the merged factor of this feature above): 1 / (Z_prev (1 - t))
      // where the row left the feature's path, else precomputed (1 if none).
      const __m512 r = _mm512_mask_blend_ps(followed, _mm512_mul_ps(inverse, inv_omt_[q]),
                                            _mm512_load_ps(Record(p, kPrevFactor + q)));
      // Edge factor O t + Z (1 - t), relative to the factor above.
      const __m512 cold_left = _mm512_mul_ps(z_left, omt_[q]);
      const __m512 cold_right = _mm512_mul_ps(z_right, omt_[q]);
      level.ratio_left[q] =
          _mm512_mul_ps(_mm512_mask_add_ps(cold_left, o_left, cold_left, t_[q]), r);
      level.ratio_right[q] =
          _mm512_mul_ps(_mm512_mask_add_ps(cold_right, o_right, cold_right, t_[q]), r);
      level.without[q] = _mm512_mul_ps(level.path[q], r);
    }
  }

  VIGIL_TARGET_AVX512 void Descend(int d, bool right) {
    const Level& level = level_[d];
    Level& child = level_[d + 1];
    const __mmask16 hot_edge = right ? _knot_mask16(level.hot) : level.hot;
    child.hot_edges = _mm512_mask_or_epi32(level.hot_edges, hot_edge, level.hot_edges,
                                           _mm512_set1_epi32(1 << (d + 1)));
    for (int q = 0; q < kPoints; ++q) {
      child.path[q] =
          _mm512_mul_ps(level.path[q], right ? level.ratio_right[q] : level.ratio_left[q]);
    }
  }

  VIGIL_TARGET_AVX512 void Leave(int p, int d) {
    Level& level = level_[d];
    const bool bottom = d == depth_ - 1;
    const int positions = (1 << depth_) - 1;
    __m512 share = _mm512_setzero_ps();
    __m512 here[kPoints];
    for (int q = 0; q < kPoints; ++q) {
      __m512 below_left = level.below_left[q], below_right = level.below_right[q];
      if (bottom) {
        below_left =
            _mm512_mul_ps(_mm512_load_ps(leaves_ + (2 * p + 1 - positions) * 16), weight_[q]);
        below_right =
            _mm512_mul_ps(_mm512_load_ps(leaves_ + (2 * p + 2 - positions) * 16), weight_[q]);
      }
      here[q] = _mm512_fmadd_ps(level.ratio_left[q], below_left,
                                _mm512_mul_ps(level.ratio_right[q], below_right));
      __m512 part = _mm512_fmadd_ps(level.alpha_left, below_left,
                                    _mm512_mul_ps(level.alpha_right, below_right));
      part = _mm512_fnmadd_ps(level.alpha_self, here[q], part);
      share = _mm512_fmadd_ps(level.without[q], part, share);
    }
    // Lanes are different trees, so the 16 columns never collide.
    float* by_tree = by_tree_[d % kByTreeCopies];
    const __m512i column = _mm512_load_si512(Record(p, kScatter));
    _mm512_i32scatter_ps(by_tree, column,
                         _mm512_add_ps(_mm512_i32gather_ps(column, by_tree, 4), share), 4);
    if (d == 0) return;
    Level& parent = level_[d - 1];
    for (int q = 0; q < kPoints; ++q) {
      (p & 1 ? parent.below_left[q] : parent.below_right[q]) = here[q];
    }
  }

  int depth_;
  bool table_;  // every slot index fits forest_simd::TableLookup
  const float* records_;
  const float* leaves_;
  const float* slots_;
  float* by_tree_[kByTreeCopies];
  __m512 t_[kPoints], omt_[kPoints], inv_omt_[kPoints], weight_[kPoints];
  Level level_[TreeShap::kMaxGroupDepthForKernel];
  __mmask16 hot_[(1 << TreeShap::kMaxGroupDepthForKernel) - 1];
};

// total[f] += the copies' sum for f, for every feature (XGBoost adds zeros
// too), then zeroes the copies. Rows are whole vectors; what lands past the
// last feature (the padding column) is never read.
VIGIL_TARGET_AVX512 void FlushDenseAvx512(size_t stride, float* const rows[kByTreeCopies],
                                          float* total) {
  const __m512 zero = _mm512_setzero_ps();
  for (size_t f = 0; f < stride; f += 16) {
    __m512 tree = _mm512_load_ps(rows[0] + f);
    _mm512_store_ps(rows[0] + f, zero);
    for (int c = 1; c < kByTreeCopies; ++c) {
      tree = _mm512_add_ps(tree, _mm512_load_ps(rows[c] + f));
      _mm512_store_ps(rows[c] + f, zero);
    }
    _mm512_store_ps(total + f, _mm512_add_ps(_mm512_load_ps(total + f), tree));
  }
}

}  // namespace
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

void TreeShap::ExplainGroup(const Group& group, const float* slots, Scratch* scratch) const {
#ifdef VIGIL_FOREST_AVX512
  const float* t = group_t_.data() + group.rule;
  const float* weight = group_weight_.data() + group.rule;
  const float* records = group_records_.data() + group.positions * kRecordVectors * kGroupTrees;
  const float* leaves = group_leaf_.data() + group.leaves * kGroupTrees;
  const GroupScratch& s = scratch->group;
  const bool table = 2 * num_features_ + 1 <= forest_simd::kTableSlots;
  switch (group.points) {
    case 1:
      GroupWalk<1>(group.depth, table, t, weight, records, leaves, slots, s.by_tree).Run();
      break;
    case 2:
      GroupWalk<2>(group.depth, table, t, weight, records, leaves, slots, s.by_tree).Run();
      break;
    case 3:
      GroupWalk<3>(group.depth, table, t, weight, records, leaves, slots, s.by_tree).Run();
      break;
    default:
      GroupWalk<4>(group.depth, table, t, weight, records, leaves, slots, s.by_tree).Run();
      break;
  }
  // Per tree in float, in tree order, as XGBoost adds them; the rows go back
  // to zero for the next group.
  float* total = s.total;
  const size_t stride = RowStride(num_features_);
  for (uint32_t k = 0; k < kGroupTrees; ++k) {
    float* rows[kByTreeCopies];
    for (int c = 0; c < kByTreeCopies; ++c) rows[c] = s.by_tree[c] + k * stride;
    if (k >= group.num_trees) {
      for (float* row : rows) row[num_features_] = 0;  // only padding splits there
      continue;
    }
    if (num_features_ <= kDenseFlushFeatures) {
      FlushDenseAvx512(stride, rows, total);
      continue;
    }
    const Tree& tree = trees_[group.first_tree + k];
    for (uint32_t i = tree.first_feature; i < tree.end_feature; ++i) {
      const uint32_t f = tree_features_[i];
      float sum = 0;
      for (float* row : rows) {
        sum += row[f];
        row[f] = 0;
      }
      total[f] += sum;
    }
    for (float* row : rows) row[num_features_] = 0;
  }
#else
  (void)group;
  (void)slots;
  (void)scratch;
#endif
}

}  // namespace vigil
