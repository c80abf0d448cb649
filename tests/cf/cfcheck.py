"""Run the CF checker (PyPI ``cfchecker``, UDUNITS from Debian's libudunits2) offline on files of
the data contract; print its report and exit with its status (the number of errors).

    python tests/cf/cfcheck.py FILE...

The checker knows the CF versions up to 1.8; the files declare CF-1.10. This runner registers
1.9 and 1.10 as known versions, so the checker applies its newest (1.8) rules to them instead of
refusing the file; the files use nothing that CF added after 1.8 (docs/interfaces.md). The
standard-name, area-type and region tables are the empty tables beside this script (the files
use no standard_name, area type or region), so no network is needed.
"""

import sys
from pathlib import Path

from cfchecker import cfchecks

HERE = Path(__file__).resolve().parent
VERSION = "1.10"

for known in ((1, 9), (1, 10)):
    if cfchecks.CFVersion(known) not in cfchecks.cfVersions:
        cfchecks.cfVersions.append(cfchecks.CFVersion(known))
cfchecks.newest_version = max(cfchecks.cfVersions)

if __name__ == "__main__":
    sys.argv = [
        "cfchecks",
        "-v",
        VERSION,
        "-s",
        str(HERE / "cf-standard-name-table.xml"),
        "-a",
        str(HERE / "area-type-table.xml"),
        "-r",
        str(HERE / "standardized-region-list.xml"),
        *sys.argv[1:],
    ]
    cfchecks.main()
