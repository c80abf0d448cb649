"""The LSTM mean field's λ_max just above its onset g_c (s = 1), μ = 0, σ_b = 0.5 and 1, with the cheap
options of config/config.yaml's dmft_lstm (issue 12: is the mean field's λ_max = 0 onset its s = 1?):

    python benchmarks/lstm_meanfield_onset.py
"""

import time

from eoc.meanfield.lstm import onset_gain, solve

opts = dict(
    paths=4096,
    coarse_paths=512,
    steps=512,
    lags=128,
    coarse_tolerance=0.05,
    max_iterations=20,
    fine_iterations=2,
    batches=2,
    nodes=16,
)
for sb in (0.5, 1.0):
    gc = onset_gain(sb, nodes=32)
    print(f"sigma_b={sb} g_c={gc:.4f}", flush=True)
    for dg in (0.02, 0.1, 0.3):
        t = time.time()
        s = solve(gc + dg, sb, **opts)
        print(
            f"  g={gc + dg:.3f} regime={s.regime} status={s.status}"
            f" lambda_max={s.lyapunov_max:.5f}+-{s.lyapunov_max_stderr:.5f}"
            f" C0={s.C0:.4f} C0_static={s.C0_static:.4f} ({time.time() - t:.0f} s)",
            flush=True,
        )
