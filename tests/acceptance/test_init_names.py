"""``init --customer``/``--application``: a name validate refuses is refused before anything is
written; every name it accepts is written so that YAML reads it back exactly.

The customer name is the display name in the schema, but the platform makes it the
``tenant`` label (spaces as ``_``), so it is not free text: ``Acme: Corp`` can never validate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import public_key, run_line

ALLOWED = "may hold only letters, digits, spaces, '-', '_' and '.', start and end with a letter or digit, and be at most 63 characters"


@pytest.mark.parametrize(
    "name",
    ["Acme: Corp", "Acme #1", "Acme's", 'say "hi"', "-Acme", "*Acme", "&Acme", "Åcme", "Acme ", "a" * 64],
)
def test_a_customer_name_that_cannot_be_a_label_is_refused_before_writing(name: str, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    result = run_line("init", tree, "--customer", name, "--age-recipient", public_key("dev"))
    label = name.replace(" ", "_")
    assert (result.exit_code, result.stdout) == (2, ""), result
    assert result.stderr == (
        f"aigonix-render: error: {name!r} cannot be a customer name: it becomes the label "
        f"tenant={label!r}, so it {ALLOWED}\n"
    )
    assert not tree.exists()


@pytest.mark.parametrize(
    ("customer", "application"),
    [
        ("Acme Corp", "shop"),
        ("true", "true"),
        ("null", "null"),
        ("1e3", "123"),
        ("0x1F", "0x1f"),
        ("yes", "on"),
        ("2001-12-14", "no"),
        ("A.b-C_d 9", "a-b"),
    ],
)
def test_names_yaml_would_retype_are_written_so_they_read_back(
    customer: str, application: str, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    result = run_line(
        "init",
        tree,
        "--customer",
        customer,
        "--application",
        application,
        "--age-recipient",
        public_key("dev"),
    )
    assert result.exit_code == 0, result
    validated = run_line("validate", "--strict", tree)
    assert (validated.exit_code, validated.stdout) == (0, ""), validated
    assert yaml.safe_load((tree / "aigonix.yaml").read_text())["name"] == customer
    app = yaml.safe_load((tree / "applications" / application / "aigonix.yaml").read_text())
    assert app["name"] == application
    assert app["environments"]["Dev"]["tenants"][0]["hosts"] == [{"host": f"{application}-dev.example.com"}]
    shown = run_line("generate", tree, "--app", application, "--env", "_shared")
    assert shown.exit_code == 0, shown
    namespace = next(d for d in yaml.safe_load_all(shown.stdout) if d and d["kind"] == "Namespace")
    assert namespace["metadata"]["labels"]["tenant"] == customer.replace(" ", "_")
