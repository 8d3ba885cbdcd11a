#include "model/tree_shap.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

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

}  // namespace

// Per-thread working memory of Explain, sized for the largest tree.
struct TreeShap::Scratch {
  std::vector<float> slots;
  std::vector<float> total;      // per feature: the sum over trees so far
  std::vector<double> tree_phi;  // per feature: this tree's share (zero between trees)
  std::vector<double> follows;   // per node: O of the merged edge into it
  std::vector<double> alpha;     // per node: O - Z of the merged edge into it
  std::vector<double> path;      // per node x lane: product over the path
  std::vector<double> without;   // per node x lane: path product without the node's feature
  std::vector<double> ratio;     // per node x lane: growth of the path product on the edge in
  std::vector<double> below;     // per node x lane: leaves below, relative to the node

  void Reserve(size_t features, size_t nodes, size_t lanes) {
    if (slots.size() < 2 * features) {
      slots.resize(2 * features);
      total.resize(features);
      tree_phi.resize(features);
    }
    if (follows.size() < nodes) {
      follows.resize(nodes);
      alpha.resize(nodes);
    }
    if (path.size() < nodes * lanes) {
      path.resize(nodes * lanes);
      without.resize(nodes * lanes);
      ratio.resize(nodes * lanes);
      below.resize(nodes * lanes);
    }
  }
};

TreeShap::TreeShap(const FlatForest& forest) : num_features_(forest.num_features()) {
  // XGBoost adds the trees' means in tree order, then the base margin, in float.
  float bias = 0;
  for (const ForestTree& tree : forest.trees()) {
    AddTree(tree);
    bias += MeanValue(tree);
  }
  bias += static_cast<float>(forest.base_margin());
  expected_margin_ = bias;
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
  trees_.push_back({first, static_cast<uint32_t>(tree.nodes.size()), lanes, QuadratureOffset(lanes),
                    first_feature, static_cast<uint32_t>(tree_features_.size())});
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

void TreeShap::Explain(const float* row, double* contributions) const {
  thread_local Scratch scratch;
  scratch.Reserve(num_features_, max_nodes_, max_lanes_);
  FlatForest::FillSlots(row, num_features_, scratch.slots.data());
  float* total = scratch.total.data();
  double* tree_phi = scratch.tree_phi.data();
  std::fill(total, total + num_features_, 0.0f);
  for (const Tree& tree : trees_) {
    if (tree.num_nodes == 1) continue;
    ExplainTree(tree, scratch.slots.data(), &scratch, tree_phi);
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

}  // namespace vigil
