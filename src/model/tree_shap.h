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
// A TreeShap copies what it needs from the forest at construction and is
// immutable afterwards; Explain is thread-safe and, after a thread's first
// call, does not allocate.
#ifndef VIGIL_MODEL_TREE_SHAP_H_
#define VIGIL_MODEL_TREE_SHAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/flat_forest.h"

namespace vigil {

class TreeShap {
 public:
  explicit TreeShap(const FlatForest& forest);

  size_t num_features() const { return num_features_; }
  // base_margin + the cover-weighted mean of every tree: the bias term.
  double expected_margin() const { return expected_margin_; }

  // Writes num_features() + 1 SHAP values for `row` (num_features() floats,
  // NaN = missing) into `contributions`: one per feature, then the bias
  // (expected_margin()). They sum to the row's margin.
  void Explain(const float* row, double* contributions) const;

 private:
  // One node of a tree, breadth-first (children after their parent).
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
    uint32_t lanes;          // Gauss-Legendre points
    uint32_t quad_offset;    // into quad_t_ / quad_weight_
    uint32_t first_feature;  // [first_feature, end_feature) of tree_features_:
    uint32_t end_feature;    // the distinct features the tree splits on
  };
  struct Scratch;
  struct LastEdge {
    int32_t node = -1;  // reached through the last edge on a feature
    double cover_ratio = 1;
  };

  void AddTree(const ForestTree& tree);
  void LinkRepeatedFeatures(uint32_t first_node, int32_t index, std::vector<LastEdge>* last);
  uint32_t QuadratureOffset(uint32_t lanes);
  void ExplainTree(const Tree& tree, const float* slots, Scratch* scratch, double* phi) const;

  size_t num_features_ = 0;
  double expected_margin_ = 0;
  std::vector<Tree> trees_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> tree_features_;
  size_t max_nodes_ = 0;
  uint32_t max_lanes_ = 1;
  // Gauss-Legendre rules on [0,1], one per number of points in use.
  std::vector<uint32_t> rule_lanes_;
  std::vector<uint32_t> rule_offsets_;
  std::vector<double> quad_t_;
  std::vector<double> quad_weight_;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_TREE_SHAP_H_
