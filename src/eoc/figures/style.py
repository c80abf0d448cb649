"""The shared look of every figure: one printed column (3.4 in wide), 7 pt text, PNG + PDF.

Figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot state), drawn under
:data:`RC` by the :func:`styled` decorator, and written by :func:`save` (atomically, like every file
of the project).
"""

from __future__ import annotations

import functools
import os
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from eoc import io
from eoc.simulate.models import MODELS

COLUMN_WIDTH = 3.4
"""Width of one printed column, inches."""

FONT_SIZE = 7
"""Smallest text size on a figure, points."""

RC = {
    "font.size": FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "axes.titlesize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "legend.title_fontsize": FONT_SIZE,
    "figure.titlesize": FONT_SIZE + 1,
    "legend.frameon": False,
    "legend.handlelength": 1.5,
    "lines.linewidth": 1.0,
    "lines.markersize": 3.0,
    "errorbar.capsize": 1.5,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "savefig.dpi": 300,
    "pdf.fonttype": 42,
    "mathtext.fontset": "dejavusans",
}

#: Per model of the table eoc.simulate.MODELS: its name in labels, and its units of rate and time.
MODEL_LABEL = {name: model.label for name, model in MODELS.items()}
LYAPUNOV_UNIT = {name: f"1/{model.time_unit}" for name, model in MODELS.items()}
LAG_UNIT = {name: {"step": "steps"}.get(model.time_unit, model.time_unit) for name, model in MODELS.items()}
GATE_LABEL = {"f": "forget $f$", "i": "input $i$", "o": "output $o$"}
SEQUENTIAL = "viridis"
DIVERGING = "RdBu_r"


def styled(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a figure function under the project's rcParams."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> Figure:
        with matplotlib.rc_context(RC):
            return draw(*args, **kwargs)

    return wrapper


def new_figure(*, nrows: int = 1, ncols: int = 1, height: float = 2.4, **subplot_kw):
    """A one-column figure (``height`` in inches) and its axes (squeezed as in ``subplots``)."""
    figure = Figure(figsize=(COLUMN_WIDTH, height), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return figure, axes


def empty_panel(ax, message: str) -> None:
    """Mark a panel that has nothing to show, saying why (its ticks stay only where an axis is
    shared with panels that have data)."""
    ax.text(0.5, 0.5, textwrap.fill(message, 22), ha="center", va="center", transform=ax.transAxes, color="0.35")
    shared_x = len(ax.get_shared_x_axes().get_siblings(ax)) > 1
    shared_y = len(ax.get_shared_y_axes().get_siblings(ax)) > 1
    ax.tick_params(
        left=shared_y,
        labelleft=shared_y and ax.yaxis.get_tick_params()["labelleft"],
        bottom=shared_x,
        labelbottom=shared_x and ax.get_subplotspec().is_last_row(),
    )


def footnote(figure: Figure, lines: Sequence[str], *, width: int = 62) -> None:
    """Write ``lines`` (parameters, missing cells) under the axes, wrapped to the column."""
    if lines:
        text = "\n".join(textwrap.fill(line, width) for line in lines)
        figure.supxlabel(text, fontsize=FONT_SIZE, x=0.02, ha="left", color="0.3")


def colors(count: int, *, cmap: str = SEQUENTIAL) -> list:
    """``count`` colours evenly spread over ``cmap`` (its bright end left out for print)."""
    ramp = matplotlib.colormaps[cmap]
    return [ramp(0.85 * k / max(count - 1, 1)) for k in range(count)]


def save(figure: Figure, outdir: str | os.PathLike, name: str) -> list[Path]:
    """Write ``figure`` as ``outdir/name.png`` and ``outdir/name.pdf`` (each atomically)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix in ("png", "pdf"):
        path = outdir / f"{name}.{suffix}"
        with io.atomic(path) as tmp, matplotlib.rc_context(RC):
            figure.savefig(tmp, format=suffix)
        paths.append(path)
    return paths
