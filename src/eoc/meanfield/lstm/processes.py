"""Stationary Gaussian processes sampled by circulant embedding (FFT), with a static part.

A process with covariance K(τ) = K_dyn(τ) + K_static, where K_dyn(τ) is given for τ = 0 … L−1
and is zero beyond, is sampled on T steps as a T-periodic process: the circulant with first row
k = (K_dyn(0), K_dyn(1), …, K_dyn(L−1), 0, …, 0, K_dyn(L−1), …, K_dyn(1)) has eigenvalues
S = FFT(k), and x = IFFT(√S · FFT(w)) with w white noise has covariance k (Wood & Chan 1994;
Dietrich & Newsam 1997). Negative S (from the truncation of K_dyn or its sampling noise) are set to
zero, which leaves a positive-semidefinite covariance nearest in the spectral sense. The static
part, one N(0, K_static) number per path constant in time (the quenched bias and the static part
of the recurrent field), is the zero-frequency component of a periodic process: adding T·K_static
to S_0 samples it (:func:`with_static`), and a slightly negative K_static (a noisy estimate of
C_∞ = 0) stays representable down to −S_0/T, so the sampled law is smooth through K_static = 0
instead of clipped there. Pairs of times further apart than T − L see a wrapped covariance;
the recursion that the samples drive forgets its input within a few steps, and T ≫ L.
"""

from __future__ import annotations

import numpy as np
import scipy.fft


def taper(lags: int) -> np.ndarray:
    """Weights 1 on the first three quarters of the window, a half-cosine to 0 over the last quarter."""
    weights = np.ones(lags)
    start = (3 * lags) // 4
    weights[start:] = 0.5 * (1 + np.cos(np.pi * np.arange(1, lags - start + 1) / (lags - start + 1)))
    return weights


def spectrum(dynamic: np.ndarray, steps: int) -> np.ndarray:
    """√(eigenvalues) of the T-circulant of the (tapered) dynamic covariance ``dynamic`` (L,), rfft layout."""
    lags = dynamic.size
    row = np.zeros(steps)
    row[:lags] = dynamic
    row[steps - lags + 1 :] = dynamic[1:][::-1]
    return np.sqrt(np.maximum(scipy.fft.rfft(row).real, 0.0))


def _rfft_weights(bins: int, steps: int) -> np.ndarray:
    """Multiplicity of each rfft bin in the full spectrum: 1 at k = 0 (and k = T/2 for even T), else 2."""
    weights = np.full(bins, 2.0)
    weights[0] = 1.0
    if steps % 2 == 0:
        weights[-1] = 1.0
    return weights


def _lag_matrix(bins: int, steps: int, lags: np.ndarray) -> np.ndarray:
    """(bins, len(lags)): weight_k cos(2πkτ/T)/T, so that power @ matrix = (1/T) Σ_k P_k e^{2πikτ/T}."""
    k = np.arange(bins)[:, None]
    return _rfft_weights(bins, steps)[:, None] * np.cos(2.0 * np.pi * k * np.asarray(lags)[None, :] / steps) / steps


def variance(root_spectrum: np.ndarray, steps: int) -> np.ndarray:
    """Exact variance per step of the dynamic part sampled with ``root_spectrum`` (..., steps//2 + 1):
    the circulant's diagonal, (1/T) Σ_k S_k over the full spectrum."""
    return circular_covariance(root_spectrum, steps, [0])[..., 0]


def circular_covariance(root_spectrum: np.ndarray, steps: int, lags) -> np.ndarray:
    """Exact covariance at the given lags of the dynamic part sampled with ``root_spectrum``, the
    circulant's first row (1/T) Σ_k S_k e^{2πikτ/T}; shape (..., len(lags))."""
    return (root_spectrum**2) @ _lag_matrix(root_spectrum.shape[-1], steps, np.asarray(lags))


def with_static(root_spectrum: np.ndarray, static_variance: np.ndarray, steps: int) -> np.ndarray:
    """``root_spectrum`` (G, bins) with a static part of variance ``static_variance`` (G,) added to
    its zero-frequency component: √S_0 → √max(S_0 + T·K_static, 0) (module docstring)."""
    root = root_spectrum.copy()
    root[:, 0] = np.sqrt(np.maximum(root[:, 0] ** 2 + steps * np.asarray(static_variance), 0.0))
    return root


def complex_normal(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard complex normals (real and imaginary parts independent N(0, 1)), single precision, by
    Box–Muller: √(−2 ln(1 − u)) e^{2πiv} with u, v uniform. About twice as fast as two calls of
    ``standard_normal`` (numpy's ziggurat costs ~10 ns per number here, the vectorised logarithm and
    sine less); the radius is cut at √(48 ln 2) ≈ 5.8 by the 24-bit uniforms, a probability of 6e-8."""
    radius, angle = rng.random((2, *shape), dtype=np.float32)
    np.subtract(np.float32(1.0), radius, out=radius)  # in (0, 1]
    np.log(radius, out=radius)
    radius *= np.float32(-2.0)
    np.sqrt(radius, out=radius)
    angle *= np.float32(2.0 * np.pi)
    z = np.empty(shape, dtype=np.complex64)
    np.multiply(radius, np.cos(angle), out=z.real)
    np.multiply(radius, np.sin(angle), out=z.imag)
    return z


def sample(
    root_spectrum: np.ndarray,
    mean: np.ndarray,
    paths: int,
    steps: int,
    rng: np.random.Generator,
    lags=(),
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Samples (G, paths, steps) of G independent processes; ``root_spectrum`` (G, steps//2 + 1),
    static part included (:func:`with_static`), ``mean`` (G,). With ``lags``,
    also the circular lag products (1/T) Σ_t x(t) x(t+τ) of each path's dynamic part x at those
    lags, (G, paths, len(lags)), from its spectrum (Parseval; a matrix product, nearly free): their
    expectation is :func:`circular_covariance`, which makes them control variates.

    The white noise is drawn in the frequency domain: the rfft of T iid N(0, 1) numbers has
    independent components with E|W_k|² = T, complex with real and imaginary parts of variance T/2
    for 0 < k < T/2 and real at k = 0 (and k = T/2 for even T). W_k = √(T/2) Z_k with Z_k standard
    complex normal, and √T Re Z_k at the real bins (imaginary part set to zero), has that law, so
    x = IFFT(√S · W) costs one transform instead of two. Single precision (noise and transform):
    the samples' relative rounding, ~1e-7, is far below the sampling error of every statistic
    computed from them."""
    gates, bins = root_spectrum.shape
    multiplicity = _rfft_weights(bins, steps)
    noise = complex_normal((gates, paths, bins), rng)
    noise.imag[..., multiplicity == 1] = 0.0  # the real bins
    noise *= (root_spectrum * np.sqrt(steps / multiplicity)).astype(np.float32)[:, None, :]
    x = scipy.fft.irfft(noise, n=steps, axis=-1)
    x += mean.astype(np.float32)[:, None, None]
    if not len(lags):
        return x
    power = noise.real**2 + noise.imag**2
    products = power @ (_lag_matrix(bins, steps, np.asarray(lags)) / steps).astype(np.float32)
    return x, products


def autocovariance(series: np.ndarray, lags: int) -> np.ndarray:
    """Per-path unbiased autocovariance Σ_t x(t) x(t+τ) / (T − τ), τ < ``lags``, of (paths, T)
    series (not connected: the total second moment), by a zero-padded FFT in the series' precision;
    shape (paths, lags)."""
    steps = series.shape[-1]
    spec = scipy.fft.rfft(series, n=2 * steps, axis=-1)
    raw = scipy.fft.irfft(spec * np.conj(spec), n=2 * steps, axis=-1)[..., :lags]
    return raw / (steps - np.arange(lags))
