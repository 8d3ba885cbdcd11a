// TreeShap: exact path-dependent TreeSHAP (Lundberg et al.) for a FlatForest,
// the values XGBoost returns for `pred_contribs`.
//
// How: for one leaf l with value v, whose path has unique features F (repeated
// splits on a feature merged: cover fraction Z_j = product of the edges'
// cover ratios, O_j = 1 when the row follows every edge on j, else 0), the
// Shapley weights s!(n-s-1)!/n! equal the Beta integral of t^s (1-t)^(n-s-1)
// over [0,1], so
//     phi_i(l) = v (O_i - Z_i) Integral_0^1 prod_{j in F, j != i} (O_j t + Z_j (1-t)) dt.
// The integrand is a polynomial of degree < depth, so Gauss-Legendre
// quadrature with ceil(depth/2) points is exact. At each quadrature point the
// sum over leaves factorises along the tree: one pass down multiplies path
// products, one pass up sums subtrees, and every split adds its share to its
// feature. The cost is O(nodes x quadrature points) per tree, instead of the
// O(leaves x depth^2) of the classic recursive algorithm.
//
// Trees up to 8 levels deep are padded to complete trees of their group's
// depth and explained 16 at a time, one tree per SIMD lane, in float, by one
// kernel compiled three ways (tree_shap_kernel.h): AVX-512 (16 lanes), AVX2
// + FMA (8 lanes) and plain C++; the best the CPU has is picked at run time.
// Deeper trees take a scalar kernel in double, one tree at a time. Either
// way each tree's values are added to the totals in tree order in float, as
// XGBoost adds them.
//
// A TreeShap copies what it needs from the forest at construction and is
// immutable afterwards; Explain is thread-safe and, after a thread's first
// call, does not allocate.
#ifndef VIGIL_MODEL_TREE_SHAP_H_
#define VIGIL_MODEL_TREE_SHAP_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "model/flat_forest.h"

namespace vigil {
class TreeShap {
 public:
  explicit TreeShap(const FlatForest& forest, ForestKernel kernel = ForestKernel::kFastest);

  size_t num_features() const { return num_features_; }
  // base_margin + the cover-weighted mean of every tree: the bias term.
  double expected_margin() const { return expected_margin_; }
  // Trees explained by the lane-parallel kernel (the rest, deeper than 8
  // levels, by the scalar one).
  size_t vectorized_trees() const { return vectorized_trees_; }
  // The kernel in use (never kFastest).
  ForestKernel kernel() const { return kernel_; }

  // Writes num_features() + 1 SHAP values for `row` (num_features() floats,
  // NaN = missing) into `contributions`: one per feature, then the bias
  // (expected_margin()). They sum to the row's margin up to float rounding.
  void Explain(const float* row, double* contributions) const;

 private:
  // Heap memory aligned for 64-byte SIMD loads.
  template <typename T>
  struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() = default;
    template <typename U>
    AlignedAllocator(const AlignedAllocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
    void deallocate(T* p, size_t) { ::operator delete(p, kAlign); }
    bool operator==(const AlignedAllocator&) const { return true; }
    static constexpr std::align_val_t kAlign{64};
  };
  template <typename T>
  using AlignedVector = std::vector<T, AlignedAllocator<T>>;

  // Scalar kernel: one node of a tree, breadth-first (children after their
  // parent).
  struct Node {
    int32_t left;  // local index; -1 for a leaf
    int32_t right;
    uint32_t feature;
    uint32_t slot;  // FlatForest::SlotOf
    float threshold;
    // The node reached through the nearest edge above that splits on the
    // same feature (-1 if none), and the product of cover ratios of all
    // edges on this feature above (1 if none).
    int32_t prev;
    double prev_cover_ratio;
    double left_ratio;  // cover(left) / cover(this)
    double right_ratio;
    double leaf_value;
  };
  struct Tree {
    uint32_t first_node;
    uint32_t num_nodes;
    int depth;
    uint32_t lanes;          // Gauss-Legendre points
    uint32_t quad_offset;    // into quad_t_ / quad_weight_
    uint32_t first_feature;  // [first_feature, end_feature) of tree_features_:
    uint32_t end_feature;    // the distinct features the tree splits on
  };
  struct LastEdge {
    int32_t node = -1;  // reached through the last edge on a feature
    double cover_ratio = 1;
  };

  // Lane-parallel kernel: kGroupTrees consecutive trees padded to complete
  // trees of `depth` levels; see tree_shap_kernel.h for the records.
  static constexpr uint32_t kGroupTrees = 16;
  static constexpr int kMaxGroupDepth = 8;
  struct Group {
    uint32_t first_tree;
    uint32_t num_trees;
    int depth;
    uint32_t points;     // quadrature points
    uint32_t rule;       // offset into group_t_ / group_weight_
    uint32_t positions;  // offset of position 0's record, in records
    uint32_t leaves;     // offset of leaf 0 (x kGroupTrees) in group_leaf_
    uint32_t copies;     // copies of the per-tree rows the group writes
  };
  // Explain walks these in order so that trees are added in tree order.
  struct Step {
    bool group;
    uint32_t index;  // into groups_ or trees_
  };
  struct Scratch;

  void AddTree(const ForestTree& tree);
  void LinkRepeatedFeatures(uint32_t first_node, int32_t index, std::vector<LastEdge>* last);
  uint32_t QuadratureOffset(uint32_t lanes);
  void AddGroup(uint32_t first_tree, uint32_t num_trees, int depth);
  void PlaceTreeInGroup(const Group& group, uint32_t lane, const Tree& tree);
  void ExplainTree(const Tree& tree, const float* slots, Scratch* scratch, double* phi) const;
  void NumberRepeatedSplits(Group* group);
  void ExplainGroup(const Group& group, const float* slots, Scratch* scratch) const;

  size_t num_features_ = 0;
  ForestKernel kernel_ = ForestKernel::kPortable;
  double expected_margin_ = 0;
  size_t vectorized_trees_ = 0;
  std::vector<Step> steps_;

  // Every tree, for the scalar kernel (trees deeper than 8 levels) and the
  // groups' bookkeeping.
  std::vector<Tree> trees_;  // every tree, in order
  std::vector<Node> nodes_;
  std::vector<uint32_t> tree_features_;
  std::vector<uint8_t> tree_feature_copies_;  // per tree_features_ entry (groups only)
  size_t max_nodes_ = 0;
  uint32_t max_lanes_ = 1;
  // Gauss-Legendre rules on [0,1], one per number of points in use.
  std::vector<uint32_t> rule_lanes_;
  std::vector<uint32_t> rule_offsets_;
  std::vector<double> quad_t_;
  std::vector<double> quad_weight_;

  // Lane-parallel kernel.
  std::vector<Group> groups_;
  std::vector<float> group_t_;  // quadrature nodes, 1 - t exact in float
  std::vector<float> group_weight_;
  AlignedVector<float> group_records_;
  AlignedVector<float> group_leaf_;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_TREE_SHAP_H_
