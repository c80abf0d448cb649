# The two commands of the README: `make run` and `make test`. Each sets up .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean udunits lstm-phase

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/snakemake --profile profiles/local

# The LSTM's phase diagram with gate-bias means (config/lstm-phase.yaml, about 30 min of CPU on 2 cores, measured at load 3-12),
# in its own working directory; then `python benchmarks/lstm_phase.py $(PHASE_DIR)` tabulates it.
PHASE_DIR ?= runs/lstm-phase

lstm-phase: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/snakemake -s $(CURDIR)/Snakefile -d $(PHASE_DIR) \
	  --profile $(CURDIR)/profiles/local --configfile $(CURDIR)/config/lstm-phase.yaml

# The CF checker of the test suite (tests/cf/cfcheck.py) needs the UDUNITS-2 library from Debian.

test: $(STAMP) udunits
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python -m pytest

udunits:
	@ldconfig -p | grep -q libudunits2 || { \
	  (apt-get install -y libudunits2-0 || (apt-get update && apt-get install -y libudunits2-0)) >/dev/null; }

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run --quick

clean:
	rm -rf results .snakemake
