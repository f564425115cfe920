// Which stored batch-norm statistics a truncation uses: BigGAN-deep keeps n_stats sets for truncations
// 0, 1/(n_stats-1), ..., 1 and interpolates linearly between neighbours.
#pragma once

namespace genint {

// statistics = sets[lower] · (1 − upper_weight) + sets[lower + 1] · upper_weight; upper_weight 0 on a grid point.
//
// Differences from pytorch-pretrained-biggan, on purpose:
//  - Between grid points the reference computes sets[lower] · coef + sets[lower + 1] · (1 − coef)
//    (coef, lower = math.modf(truncation / step)): the two weights are swapped, so at 0.415 (ratio 20.75) it
//    uses 0.75·sets[20] + 0.25·sets[21], nearer 0.40 than 0.42. genint computes 0.25·sets[20] + 0.75·sets[21].
//    They agree only where coef is 0 (grid points) or 0.5 (e.g. 0.43).
//  - Grid detection tolerates round-off: truncation / step within 1e-5 of an integer counts as that grid point.
//    The reference tests coef != 0 exactly, so at 0.14, 0.28 and 0.56 (where 0.14 / 0.02 = 7.000000000000001)
//    its swap makes it use the NEXT set (0.16, 0.30, 0.58), and at 0.58 and 0.94 (ratio 28.999999999999996,
//    46.99999999999999) the PREVIOUS one. genint uses the set of the grid point itself there; at every other
//    multiple of 0.02 the two are bit-identical. 1e-5 steps also absorb a truncation that went through float.
struct TruncationStatistics {
  int lower = 0;
  double upper_weight = 0.0;
};

// Throws genint::Error unless 0 < truncation ≤ 1 (the reference asserts the same) and n_stats ≥ 2.
TruncationStatistics truncation_statistics(double truncation, int n_stats);

// output[c] = sets[lower][c] · (1 − w) + sets[lower + 1][c] · w in float32 (one set copied when w is 0);
// sets is [n_stats, channels].
void interpolate_statistics(const TruncationStatistics& choice, const float* sets, int channels, float* output);

}  // namespace genint
