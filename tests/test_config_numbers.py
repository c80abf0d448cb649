"""The configuration checks beyond JSON Schema: finite numbers and integers written as integers."""

import re
from pathlib import Path

import pytest
import yaml

from eoc import InputError
from eoc.validation import config_numbers

SCHEMA = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml").read_text()
)
DEFAULT = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "config.yaml").read_text())


def with_change(path, value):
    config = yaml.safe_load(yaml.safe_dump(DEFAULT))
    *parents, last = path
    node = config
    for key in parents:
        node = node[key]
    node[last] = value
    return config


def test_the_default_and_paper_configs_pass():
    config_numbers(DEFAULT, SCHEMA)
    paper = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "paper.yaml").read_text())
    config_numbers(paper, SCHEMA)


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("g",), [1.0, float("inf")], "config.g[1] must be a finite number, got inf"),
        (("dmft", "g"), [float("-inf")], "config.dmft.g[0] must be a finite number, got -inf"),
        (("dmft", "sigma_b"), [float("nan")], "config.dmft.sigma_b[0] must be a finite number, got nan"),
        (("sigma_b",), [0.0, float("nan")], "config.sigma_b[1] must be a finite number, got nan"),
        (("N",), [64.0], "config.N[0] must be an integer (written without a decimal point), got 64.0"),
        (("seeds",), [0, 1.0], "config.seeds[1] must be an integer"),
        (("simulate", "steps"), 2000.0, "config.simulate.steps must be an integer"),
        (("simulate", "batch", "g"), 2.0, "config.simulate.batch.g must be an integer"),
        (
            ("simulate", "resources", "gb_per_s_per_task"),
            float("inf"),
            "config.simulate.resources.gb_per_s_per_task must be a finite",
        ),
        (("dmft", "sigma_b_per_job"), 3.0, "config.dmft.sigma_b_per_job must be an integer"),
    ],
)
def test_non_finite_and_float_integers_are_refused_naming_key_and_value(path, value, message):
    with pytest.raises(InputError, match=re.escape(message)):
        config_numbers(with_change(path, value), SCHEMA)
