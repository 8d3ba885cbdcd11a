// Internal to TreeShap: the lane-parallel TreeSHAP kernel, written once over
// a SIMD "ops" type and compiled three times: AVX-512 (tree_shap_avx512.cc,
// 16 lanes), AVX2 + FMA (tree_shap_avx2.cc, 8 lanes) and plain C++
// (tree_shap.cc, 4 lanes of generic vectors). Each translation unit
// is built with its own instruction-set flags, so everything here lives in
// an unnamed namespace: no out-of-line copy compiled for one instruction set
// can be picked by the linker for another. Stateless; GroupJob's buffers
// belong to the caller.
//
// One group is up to 16 consecutive trees padded to complete trees of one
// depth, one tree per lane; the per-position records hold 16 lanes per
// field, and a kernel with fewer lanes walks the group in several passes.
// See tree_shap.h for the formulation.
#ifndef VIGIL_MODEL_TREE_SHAP_KERNEL_H_
#define VIGIL_MODEL_TREE_SHAP_KERNEL_H_

#include <cstddef>
#include <cstdint>

namespace vigil::tree_shap_kernel {

inline constexpr int kGroupTrees = 16;
inline constexpr int kMaxDepth = 8;
inline constexpr int kMaxPoints = 4;  // Gauss-Legendre points for depth 8
// Copies of the per-tree rows: the o-th split of a tree on a feature (in the
// walk's order) stores its share into copy min(o, kCopies - 1); only later
// ones read back what is there (kAddBit). Pure stores keep the walk free of
// store-to-load waits.
inline constexpr int kCopies = 4;
inline constexpr uint32_t kAddBit = 0x80000000u;
// Up to this many features, rows are flushed whole; beyond, tree by tree.
inline constexpr size_t kDenseFlushFeatures = 64;

// Layout of a position's record, in fields of 16 lanes.
// Records are stored in depth-first pre-order of their heap positions.
inline constexpr size_t kSlot = 0;         // int32: slot to compare
inline constexpr size_t kThreshold = 1;    // x < threshold goes left
inline constexpr size_t kLeftCover = 2;    // Z of the merged child edges: previous edges on
inline constexpr size_t kRightCover = 3;   // the feature times this edge's cover ratio
inline constexpr size_t kPrevCover = 4;    // Z of the previous edges on the feature (1: none)
inline constexpr size_t kPrevInverse = 5;  // 1 / kPrevCover (0 if 0)
inline constexpr size_t kScatter = 6;      // int32: copy x 16 x stride + lane x stride +
                                           // feature (feature F: padding), | kAddBit
inline constexpr size_t kPrevEdges = 7;    // int32: bit a set when the path's edge into depth
                                           // a leaves a split on the same feature
inline constexpr size_t kPrevFactor = 8;   // per point: 1 / (t + Z_prev (1 - t))
inline constexpr size_t kRecordFields = kPrevFactor + kMaxPoints;

// One group to explain, and where its values go.
struct GroupJob {
  int depth = 0;
  int points = 0;
  uint32_t num_trees = 0;
  uint32_t copies = 1;   // copies of the rows this group writes
  const float* t;        // quadrature nodes (points), 1 - t exact in float
  const float* weight;   // quadrature weights
  const float* records;  // (2^depth - 1) records of kRecordFields x 16
  const float* leaves;   // 2^depth x 16 leaf values
  const float* slots;    // FlatForest::FillSlots, then -inf, readable for 128 floats
  bool table;            // every slot index is below 128
  float* rows;           // kCopies x 16 x stride; zero where not written by this group
  size_t stride;         // per-tree row length (features + 1, rounded up to 16)
  size_t num_features;
  float* total;  // per feature: the sum over trees so far
  // Sparse flush (more than kDenseFlushFeatures features): per tree, its
  // features and how many copies each was written to.
  const uint32_t* features[kGroupTrees];
  const uint8_t* feature_copies[kGroupTrees];
  uint32_t feature_counts[kGroupTrees];
};

void ExplainGroupPortable(const GroupJob& job);
void ExplainGroupAvx2(const GroupJob& job);    // only where the CPU has AVX2 and FMA
void ExplainGroupAvx512(const GroupJob& job);  // only where the CPU has AVX-512 F/VL/BW/DQ

}  // namespace vigil::tree_shap_kernel

// The generic walk, for the kernels' translation units only.
#ifdef VIGIL_TREE_SHAP_KERNEL_IMPLEMENTATION
namespace vigil::tree_shap_kernel {
namespace {

// The kernel: kPoints quadrature points, Ops::kLanes trees at a time; the
// down pass (path products) and up pass (leaf sums, shares) fused into one
// depth-first walk of the complete trees, so only the current path is live.
template <typename Ops, int kPoints>
class GroupWalk {
  using V = typename Ops::V;
  using I = typename Ops::I;
  using M = typename Ops::M;

 public:
  GroupWalk(const GroupJob& job, int lane) : job_(job), lane_(lane) {
    for (int q = 0; q < kPoints; ++q) {
      t_[q] = Ops::Set(job.t[q]);
      omt_[q] = Ops::Set(1.0f - job.t[q]);
      inv_omt_[q] = Ops::Set(1.0f / (1.0f - job.t[q]));
      weight_[q] = Ops::Set(job.weight[q]);
    }
  }

  template <typename Lookup>
  void Run(const Lookup& lookup) {
    // Which way each lane goes at every position, first: the lookups are
    // independent here, while the walk would wait on each in turn.
    const int positions = (1 << job_.depth) - 1;
    for (int r = 0; r < positions; ++r) {
      hot_[r] = Ops::Less(lookup(Ops::LoadI(Record(r, kSlot))), Ops::Load(Record(r, kThreshold)));
    }
    level_[0].hot_edges = Ops::ZeroI();
    for (int q = 0; q < kPoints; ++q) level_[0].path[q] = weight_[q];
    int p = 0, d = 0, record = 0;
    for (;;) {
      Enter(record++, d);
      if (d < job_.depth - 1) {
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
  // The state of the path's node at one depth, one value per lane.
  struct Level {
    int record;                                   // this node's rank in the walk's pre-order
    I hot_edges;                                  // bit a: the edge into depth a is the row's way
    M hot;                                        // lanes going left here
    V alpha_left, alpha_right, alpha_self;        // O - Z of merged edges
    V path[kPoints];                              // product of the path's factors
    V without[kPoints];                           // the same without this feature
    V ratio_left[kPoints], ratio_right[kPoints];  // growth on each edge
    V below_left[kPoints], below_right[kPoints];  // children's leaf sums
  };

  // Records are stored in the order Enter visits them (depth-first
  // pre-order), so the walk reads them front to back.
  const float* Record(int record, size_t field) const {
    return job_.records + (static_cast<size_t>(record) * kRecordFields + field) * kGroupTrees +
           lane_;
  }

  void Enter(int p, int d) {
    Level& level = level_[d];
    level.record = p;
    const M hot = hot_[p];
    level.hot = hot;
    // O of the merged previous edges on this feature: 1 unless one of them
    // is not the row's way (1 where there are none).
    const M followed = Ops::NoneOf(Ops::LoadI(Record(p, kPrevEdges)), level.hot_edges);
    const M o_left = Ops::And(hot, followed);
    const M o_right = Ops::AndNot(hot, followed);
    const V z_left = Ops::Load(Record(p, kLeftCover));
    const V z_right = Ops::Load(Record(p, kRightCover));
    const V z_prev = Ops::Load(Record(p, kPrevCover));
    const V inverse = Ops::Load(Record(p, kPrevInverse));
    level.alpha_left = Ops::OneIfMinus(o_left, z_left);
    level.alpha_right = Ops::OneIfMinus(o_right, z_right);
    level.alpha_self = Ops::OneIfMinus(followed, z_prev);
    for (int q = 0; q < kPoints; ++q) {
      // 1 / (the merged factor of this feature above): 1 / (Z_prev (1 - t))
      // where the row left the feature's path, else precomputed (1 if none).
      const V r = Ops::Select(followed, Ops::Load(Record(p, kPrevFactor + q)),
                              Ops::Mul(inverse, inv_omt_[q]));
      // Edge factor O t + Z (1 - t), relative to the factor above.
      const V cold_left = Ops::Mul(z_left, omt_[q]);
      const V cold_right = Ops::Mul(z_right, omt_[q]);
      level.ratio_left[q] = Ops::Mul(Ops::AddIf(o_left, cold_left, t_[q]), r);
      level.ratio_right[q] = Ops::Mul(Ops::AddIf(o_right, cold_right, t_[q]), r);
      level.without[q] = Ops::Mul(level.path[q], r);
    }
  }

  void Descend(int d, bool right) {
    const Level& level = level_[d];
    Level& child = level_[d + 1];
    child.hot_edges = Ops::OrBitIf(level.hot_edges, level.hot, right, 1 << (d + 1));
    for (int q = 0; q < kPoints; ++q) {
      child.path[q] = Ops::Mul(level.path[q], right ? level.ratio_right[q] : level.ratio_left[q]);
    }
  }

  // The quadrature weights ride on the path products (the root's is the
  // weight, not 1), so leaf sums need none: at the bottom level the leaf
  // values enter as they are, and their alpha-weighted sum is the same for
  // every point.
  void Leave(int p, int d) {
    Level& level = level_[d];
    V share = Ops::Zero();
    V here[kPoints];
    if (d == job_.depth - 1) {
      const int positions = (1 << job_.depth) - 1;
      const float* leaves = job_.leaves + lane_;
      const V leaf_left = Ops::Load(leaves + (2 * p + 1 - positions) * kGroupTrees);
      const V leaf_right = Ops::Load(leaves + (2 * p + 2 - positions) * kGroupTrees);
      const V alpha_sum =
          Ops::Fma(level.alpha_left, leaf_left, Ops::Mul(level.alpha_right, leaf_right));
      for (int q = 0; q < kPoints; ++q) {
        here[q] =
            Ops::Fma(level.ratio_left[q], leaf_left, Ops::Mul(level.ratio_right[q], leaf_right));
        share = Ops::Fma(level.without[q], Ops::Fnma(level.alpha_self, here[q], alpha_sum), share);
      }
    } else {
      for (int q = 0; q < kPoints; ++q) {
        const V below_left = level.below_left[q], below_right = level.below_right[q];
        here[q] =
            Ops::Fma(level.ratio_left[q], below_left, Ops::Mul(level.ratio_right[q], below_right));
        V part = Ops::Fma(level.alpha_left, below_left, Ops::Mul(level.alpha_right, below_right));
        part = Ops::Fnma(level.alpha_self, here[q], part);
        share = Ops::Fma(level.without[q], part, share);
      }
    }
    // Lanes are different trees, so their cells never collide.
    Ops::Scatter(job_.rows, Ops::LoadI(Record(level.record, kScatter)), share);
    if (d == 0) return;
    Level& parent = level_[d - 1];
    for (int q = 0; q < kPoints; ++q) {
      (p & 1 ? parent.below_left[q] : parent.below_right[q]) = here[q];
    }
  }

  const GroupJob& job_;
  int lane_;  // first lane of the group this walk covers
  V t_[kPoints], omt_[kPoints], inv_omt_[kPoints], weight_[kPoints];
  Level level_[kMaxDepth];
  M hot_[(1 << kMaxDepth) - 1];
};

template <typename Ops, int kPoints, typename Lookup>
void WalkGroup(const GroupJob& job, const Lookup& lookup) {
  for (int lane = 0; lane < static_cast<int>(job.num_trees); lane += Ops::kLanes) {
    GroupWalk<Ops, kPoints>(job, lane).Run(lookup);
  }
}

template <typename Ops, typename Lookup>
void WalkGroupOf(const GroupJob& job, const Lookup& lookup) {
  switch (job.points) {
    case 1:
      return WalkGroup<Ops, 1>(job, lookup);
    case 2:
      return WalkGroup<Ops, 2>(job, lookup);
    case 3:
      return WalkGroup<Ops, 3>(job, lookup);
    default:
      return WalkGroup<Ops, 4>(job, lookup);
  }
}

// total[f] += each tree's value for f, tree by tree, in float, as XGBoost
// adds them (it adds zeros too, which change nothing); the rows read go back
// to zero.
void FlushDense(const GroupJob& job) {
  const size_t stride = job.stride, copy = kGroupTrees * stride;
  float tree[kDenseFlushFeatures + 16];
  for (uint32_t k = 0; k < job.num_trees; ++k) {
    float* row = job.rows + k * stride;
    for (size_t f = 0; f < stride; ++f) {
      tree[f] = row[f];
      row[f] = 0;
    }
    for (uint32_t c = 1; c < job.copies; ++c) {
      float* more = row + c * copy;
      for (size_t f = 0; f < stride; ++f) {
        tree[f] += more[f];
        more[f] = 0;
      }
    }
    for (size_t f = 0; f < stride; ++f) job.total[f] += tree[f];
  }
}

// The same for the features each tree splits on, which are the only cells
// the walk has written.
void FlushSparse(const GroupJob& job) {
  const size_t copy = kGroupTrees * job.stride;
  for (uint32_t k = 0; k < job.num_trees; ++k) {
    const float* row = job.rows + k * job.stride;
    for (uint32_t i = 0; i < job.feature_counts[k]; ++i) {
      const uint32_t f = job.features[k][i];
      float sum = row[f];
      for (uint32_t c = 1; c < job.feature_copies[k][i]; ++c) sum += row[c * copy + f];
      job.total[f] += sum;
    }
  }
}

void Flush(const GroupJob& job) {
  if (job.num_features <= kDenseFlushFeatures) {
    FlushDense(job);
  } else {
    FlushSparse(job);
  }
}

}  // namespace
}  // namespace vigil::tree_shap_kernel
#endif  // VIGIL_TREE_SHAP_KERNEL_IMPLEMENTATION

#endif  // VIGIL_MODEL_TREE_SHAP_KERNEL_H_
