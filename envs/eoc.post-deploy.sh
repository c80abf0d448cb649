#!/usr/bin/env bash
# Run by Snakemake inside the new conda environment, from the workflow's directory (the checkout):
# install the eoc package itself, without touching the dependencies conda provided.
set -euo pipefail
python -m pip install --no-deps --editable .
