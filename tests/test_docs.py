"""The documentation the code cites: every "docs/science.md §n" names a section that exists."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_science_md_citations_name_existing_sections():
    headings = re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", (REPO / "docs" / "science.md").read_text(), re.M)
    assert {"1", "2", "3", "4", "5", "6", "7"} <= set(headings)
    cited = []
    for path in [*REPO.glob("src/**/*.py"), *REPO.glob("*.md"), *REPO.glob("docs/*.md"), *REPO.glob("config/*.md")]:
        for match in re.finditer(r"science\.md`?\s*§\s*([\d.–-]+\d)", path.read_text()):
            cited += [(path.name, n) for n in re.split(r"[–-]", match[1])]
    assert cited, "no citations found"
    missing = [(name, n) for name, n in cited if n not in headings]
    assert not missing, missing


def test_nothing_cites_the_science_notes_outside_the_repository():
    for path in REPO.glob("src/**/*.py"):
        text = path.read_text()
        assert "shared/design/science.md" not in text, path
        assert not re.search(r"(?<!docs/)science\.md", text), path
