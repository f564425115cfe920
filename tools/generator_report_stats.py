# The arithmetic of tools/generator-report, kept apart so tests/tools/generator_report_test.py can check it on inputs
# with known answers: the Fréchet distance between two Gaussians, 30-degree nuisance bins, per-class bin coverage.
"""Numpy only. Bins follow io/scenes/confound_measure.cpp exactly: 12 bins of 30 degrees, hue bins start at 0,
angle bins at -180; values are wrapped first. Entropies are plug-in (maximum-likelihood) estimates in bits."""
import math

import numpy as np

BINS = 12  # io::scenes::confound_bins
BIN_DEGREES = 360.0 / BINS


def wrap_degrees(degrees, low):
    """degrees moved into [low, low + 360) (io/scenes/nuisance_model.cpp's wrap_degrees)."""
    return np.mod(np.asarray(degrees, dtype=np.float64) - low, 360.0) + low


def hue_bin(hue):
    """The read-out's hue class of a hue in degrees: 0..11, bin 0 = [0, 30)."""
    return np.minimum(BINS - 1, (wrap_degrees(hue, 0.0) / BIN_DEGREES).astype(np.int64))


def angle_bin(angle):
    """The read-out's angle class of an angle in degrees: 0..11, bin 0 = [-180, -150)."""
    return np.minimum(BINS - 1, ((wrap_degrees(angle, -180.0) + 180.0) / BIN_DEGREES).astype(np.int64))


def entropy_bits(counts):
    """Plug-in Shannon entropy of a histogram in bits (0 for an empty one); log2(12) = 3.585 for 12 equal bins."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    if total <= 0:
        return 0.0
    shares = counts[counts > 0] / total
    return float(-(shares * np.log2(shares)).sum())


def class_coverage(bins, labels, classes, min_share):
    """Per class: the histogram of `bins` (0..11) over that class's samples, how many bins hold at least
    `min_share` of them, and the histogram's entropy in bits. A class without samples gets counts of zero."""
    bins, labels = np.asarray(bins, dtype=np.int64), np.asarray(labels, dtype=np.int64)
    if bins.shape != labels.shape:
        raise ValueError(f"{bins.shape[0]} bins against {labels.shape[0]} labels")
    if bins.size and (bins.min() < 0 or bins.max() >= BINS):
        raise ValueError(f"bins must lie in 0..{BINS - 1}")
    per_class = []
    for label in range(classes):
        counts = np.bincount(bins[labels == label], minlength=BINS)
        samples = int(counts.sum())
        # A share is compared with a small allowance so that exactly min_share (e.g. 3 of 60 at 5 %) counts.
        covered = int((counts >= min_share * samples - 1e-9).sum()) if samples else 0
        per_class.append({"samples": samples, "counts": counts.tolist(), "bins_at_least_share": covered,
                          "entropy_bits": round(entropy_bits(counts), 4)})
    return per_class


def coverage_summary(per_class):
    """Means over the classes that have samples: bins holding the stated share, and entropy."""
    present = [entry for entry in per_class if entry["samples"]]
    if not present:
        return {"classes": 0, "mean_bins_at_least_share": None, "mean_entropy_bits": None}
    return {"classes": len(present),
            "mean_bins_at_least_share": round(sum(e["bins_at_least_share"] for e in present) / len(present), 3),
            "mean_entropy_bits": round(sum(e["entropy_bits"] for e in present) / len(present), 4)}


def gaussian_statistics(features):
    """Mean and unbiased covariance (rows are samples), as pytorch-fid's np.cov(rowvar=False)."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError("need a 2-D array with at least two rows")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _symmetric_sqrt(matrix):
    """The PSD square root of a symmetric PSD matrix; rounding's small negative eigenvalues are set to zero."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(mean_a, cov_a, mean_b, cov_b):
    """Fréchet (2-Wasserstein squared) distance between N(mean_a, cov_a) and N(mean_b, cov_b):
    |mean_a - mean_b|^2 + tr(cov_a) + tr(cov_b) - 2 tr((cov_a cov_b)^(1/2)).
    tr((A B)^(1/2)) = tr((A^(1/2) B A^(1/2))^(1/2)): A B is similar to the symmetric PSD matrix A^(1/2) B A^(1/2),
    so its square root's trace is the sum of that matrix's eigenvalues' square roots. This avoids scipy's sqrtm on a
    non-symmetric product (whose complex round-off pytorch-fid has to strip) and needs only numpy."""
    mean_a, mean_b = np.asarray(mean_a, np.float64), np.asarray(mean_b, np.float64)
    cov_a, cov_b = np.asarray(cov_a, np.float64), np.asarray(cov_b, np.float64)
    root_a = _symmetric_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    cross_trace = float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())
    difference = mean_a - mean_b
    return float(difference @ difference + np.trace(cov_a) + np.trace(cov_b) - 2.0 * cross_trace)


def features_frechet_distance(features_a, features_b):
    """The Fréchet distance between the Gaussians fitted to two feature sets (rows are samples)."""
    return frechet_distance(*gaussian_statistics(features_a), *gaussian_statistics(features_b))


def stratified_subset(labels, per_class, seed):
    """Indices of `per_class` samples of every class (all of a class that has fewer), drawn without replacement by a
    seeded generator and returned sorted: the same labels and seed give the same subset."""
    labels = np.asarray(labels, dtype=np.int64)
    generator = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        take = min(per_class, members.size)
        chosen.extend(generator.choice(members, size=take, replace=False).tolist())
    return np.array(sorted(chosen), dtype=np.int64)


def top1(predictions, labels):
    """Share of predictions equal to their labels (nan for none)."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    return float((predictions == labels).mean()) if labels.size else math.nan
