"""The apps import one another only leftwards along one line, so there are no cycles between them:

    config ← throttles ← notifications ← providers ← referrals
           ← {api, desk, portal, replies, client_status} ← worker

Every module of every app is parsed with `ast` (function-level imports count too); tests and
migrations are exempt, and so is the root URLconf (config/urls.py), whose job is to wire every
app's pages in.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = [
    {"config"},
    {"throttles"},
    {"notifications"},
    {"providers"},
    {"referrals"},
    {"api", "desk", "portal", "replies", "client_status"},
    {"worker"},
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
WIRING = {Path("config/urls.py")}


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """(line, app) for each import in `path` of one of our apps (a relative import never leaves
    its own app, so only absolute ones count)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in RANK]
    return found


def app_modules(root: Path):
    for app in RANK:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts or relative in WIRING:
                continue
            yield app, path


def layering_breaches(root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line} ({app}) imports {other}"
        for app, path in app_modules(root)
        for line, other in imported_apps(path)
        if other != app and RANK[other] >= RANK[app]
    ]


def test_every_app_of_the_layering_is_a_folder_here():
    assert all((ROOT / app).is_dir() for app in RANK.keys() - {"client_status"})


def test_no_app_imports_an_app_to_its_right_or_beside_it():
    assert layering_breaches() == []


def test_an_import_against_the_line_is_caught_even_inside_a_function(tmp_path):
    (tmp_path / "notifications").mkdir()
    (tmp_path / "notifications" / "probe.py").write_text(
        "from notifications import outbox\n\n\ndef probe():\n    from referrals.models import Referral\n"
    )
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "probe.py").write_text("from referrals import x\nimport portal.views\n")
    assert layering_breaches(tmp_path) == [
        "notifications/probe.py:5 (notifications) imports referrals",
        "desk/probe.py:2 (desk) imports portal",
    ]
