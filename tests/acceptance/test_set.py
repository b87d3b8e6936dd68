"""``set image`` / ``set env``: in-place edits of a microservice's aigonix.yaml.

The diff of every edit is asserted line by line: an image bump is one changed line, with its
comments, quotes, blank lines, indentation and Flux setter marker kept; anything the tree
refuses leaves every file byte for byte as it was.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

import click
import pytest
from conftest import BASE, run_line, snapshot
from ruamel.yaml import YAML

from aigonix_render.cli import cli
from aigonix_render.commands import edit
from aigonix_render.commands.edited_tree import validate_edited
from aigonix_render.foundation import Problem
from aigonix_render.foundation.errors import AigonixError, InvalidInput, UsageError

WEB = "applications/shop/microservices/web/aigonix.yaml"
IMAGE = "testcustomer.azurecr.io/web:1.0.0"
BUMPED = "testcustomer.azurecr.io/web:1.0.1"

COMMENTED = """\
---
# yaml-language-server: $schema=../../../../schemas/microservice.schema.json
# The public web front end.
apiVersion: aigonix.io/v1
kind: Microservice
name: Web      # shown in Studio
id: 55555555-5555-4555-8555-555555555555

head:
  # bumped by Flux image automation
  image: testcustomer.azurecr.io/web:1.0.0 # {"$imagepolicy": "flux-system:web"}
  port: 8080
  command: [ dotnet ]
  probes: { liveness: {path: /healthz}, readiness: {path: /ready} }

ingress:
  path: /   # the site root
env:
  LOG_LEVEL: info       # quiet by default
  GREETING: 'hello, world'
  VERSION: "1.10"

  # shown on the front page
  BANNER: "Welcome"
environments:
  Prod:
    replicas: 2
    # production logs less
    env: {LOG_LEVEL: warn}

# end of file
"""

FOUR_SPACES = """\
apiVersion: aigonix.io/v1
kind: Microservice
name: Web
id: 55555555-5555-4555-8555-555555555555
head:
    image: testcustomer.azurecr.io/web:1.0.0
    probes:
        liveness:
            path: /healthz
        readiness:
            path: /ready
ingress:
    path: /
env:
    LOG_LEVEL: info
"""

FLOW_OVERRIDES = """\
apiVersion: aigonix.io/v1
kind: Microservice
name: Web
id: 55555555-5555-4555-8555-555555555555
head: {image: testcustomer.azurecr.io/web:1.0.0, probes: {liveness: {path: /healthz}, readiness: {path: /ready}}}
environments: {Prod: {replicas: 2}}
"""

CRLF = FOUR_SPACES.replace("\n", "\r\n")


def changes(before: str, after: str) -> list[str]:
    """The changed lines of the unified diff, without its headers and hunk marks."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if not line.startswith(("---", "+++", "@@"))]


def with_web(tree: Path, text: str) -> Path:
    (tree / WEB).write_bytes(text.encode("utf-8"))
    return tree


def web(tree: Path) -> str:
    return (tree / WEB).read_bytes().decode("utf-8")


def read(tree: Path) -> dict[str, object]:
    data = YAML(typ="safe", pure=True).load(web(tree))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def commented(base_tree: Path) -> Path:
    return with_web(base_tree, COMMENTED)


@pytest.fixture
def two_webs(base_tree: Path) -> Path:
    """A second application, admin, with a microservice also named Web."""
    app = base_tree / "applications" / "admin"
    (app / "microservices" / "web").mkdir(parents=True)
    (app / "aigonix.yaml").write_text(
        "apiVersion: aigonix.io/v1\nkind: Application\nname: admin\n"
        "id: 99999999-9999-4999-8999-999999999999\n"
        "environments:\n  Dev:\n    tenants:\n      - id: 445f8ea8-1a6f-40d7-b2fc-796dba92dc44\n"
        "        alias: default\n        hosts:\n          - host: admin-dev.test.example\n"
    )
    (app / "microservices" / "web" / "aigonix.yaml").write_text(
        "apiVersion: aigonix.io/v1\nkind: Microservice\nname: Web\n"
        "id: aaaaaaaa-0000-4000-8000-000000000001\n"
        "head:\n  image: testcustomer.azurecr.io/admin-web:1.0.0\n"
    )
    return base_tree


# set image


def test_an_image_bump_is_one_line_and_keeps_the_flux_marker(commented: Path) -> None:
    result = edit.set_image(commented, "web", BUMPED)
    assert changes(COMMENTED, web(commented)) == [
        f'-  image: {IMAGE} # {{"$imagepolicy": "flux-system:web"}}',
        f'+  image: {BUMPED} # {{"$imagepolicy": "flux-system:web"}}',
    ]
    assert result == edit.SetResult(WEB, "head.image", True, IMAGE, BUMPED)
    assert result.summary() == f"{WEB}: head.image {IMAGE!r} -> {BUMPED!r}"


@pytest.mark.parametrize(
    "text", [COMMENTED, FOUR_SPACES, FLOW_OVERRIDES, CRLF], ids=["commented", "4", "flow", "crlf"]
)
def test_bumping_and_bumping_back_gives_the_same_bytes(base_tree: Path, text: str) -> None:
    with_web(base_tree, text)
    edit.set_image(base_tree, "Web", BUMPED)
    assert web(base_tree) == text.replace(IMAGE, BUMPED)
    edit.set_image(base_tree, "Web", IMAGE)
    assert (base_tree / WEB).read_bytes() == text.encode("utf-8")


def test_env_creates_the_override_block_at_the_end_of_environments(commented: Path) -> None:
    result = edit.set_image(commented, "web", BUMPED, environment="Dev")
    assert web(commented) == COMMENTED.replace(
        "    env: {LOG_LEVEL: warn}\n",
        f"    env: {{LOG_LEVEL: warn}}\n  Dev:\n    head:\n      image: {BUMPED}\n",
    )
    assert (result.key, result.old) == ("environments.Dev.head.image", None)


def test_env_adds_head_to_an_existing_override(commented: Path) -> None:
    edit.set_image(commented, "web", BUMPED, environment="Prod")
    assert changes(COMMENTED, web(commented)) == ["+    head:", f"+      image: {BUMPED}"]


def test_new_blocks_use_the_files_four_space_indentation(base_tree: Path) -> None:
    with_web(base_tree, FOUR_SPACES)
    edit.set_image(base_tree, "web", BUMPED, environment="Prod")
    edit.set_env(base_tree, "web", "LOG_FORMAT", "json")
    assert web(base_tree) == FOUR_SPACES.replace(
        "    LOG_LEVEL: info\n",
        "    LOG_LEVEL: info\n    LOG_FORMAT: json\n"
        f"environments:\n    Prod:\n        head:\n            image: {BUMPED}\n",
    )


def test_indented_sequences_do_not_change_the_mapping_indentation(base_tree: Path) -> None:
    billing = base_tree / "applications/shop/microservices/billing/aigonix.yaml"
    before = billing.read_text()
    edit.set_env(base_tree, "billing", "CURRENCY", "USD", environment="Dev")
    assert billing.read_text() == before + "environments:\n  Dev:\n    env:\n      CURRENCY: USD\n"


def test_flow_mappings_get_the_new_keys_inside_their_braces(base_tree: Path) -> None:
    with_web(base_tree, FLOW_OVERRIDES)
    edit.set_image(base_tree, "web", BUMPED, environment="Prod")
    edit.set_env(base_tree, "web", "LOG_LEVEL", "debug", environment="Dev")
    assert changes(FLOW_OVERRIDES, web(base_tree)) == [
        "-environments: {Prod: {replicas: 2}}",
        f"+environments: {{Prod: {{replicas: 2, head: {{image: {BUMPED}}}}}, Dev: {{env: {{LOG_LEVEL: debug}}}}}}",
    ]


def test_an_empty_flow_mapping_gets_its_first_key(base_tree: Path) -> None:
    text = FLOW_OVERRIDES + "env: {}\n"
    with_web(base_tree, text)
    edit.set_env(base_tree, "web", "LOG_LEVEL", "info")
    assert changes(text, web(base_tree)) == ["-env: {}", "+env: {LOG_LEVEL: info}"]


def test_crlf_files_keep_their_line_breaks(base_tree: Path) -> None:
    with_web(base_tree, CRLF)
    edit.set_env(base_tree, "web", "LOG_FORMAT", "json", environment="Prod")
    expected = CRLF + "environments:\r\n    Prod:\r\n        env:\r\n            LOG_FORMAT: json\r\n"
    assert (base_tree / WEB).read_bytes() == expected.encode("utf-8")


def test_a_file_without_a_last_line_break_stays_so(base_tree: Path) -> None:
    text = FOUR_SPACES.rstrip("\n")
    with_web(base_tree, text)
    edit.set_env(base_tree, "web", "LOG_FORMAT", "json")
    assert web(base_tree) == text + "\n    LOG_FORMAT: json"


# set env: spelling and quoting


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("1.10", '"1.10"'),
        ("yes", '"yes"'),
        ("null", '"null"'),
        ("0x1", '"0x1"'),
        ("on", '"on"'),
        ("1_000", '"1_000"'),
        ("2024-01-01", '"2024-01-01"'),
        ("", '""'),
        ("a: b", '"a: b"'),
        ("x # y", '"x # y"'),
        ("*star", '"*star"'),
        (" padded", '" padded"'),
        ("two\nlines", '"two\\nlines"'),
        ("-x", "-x"),
        ("it's", "it's"),
        ("https://shop.example/a?b=c", "https://shop.example/a?b=c"),
        ("debug", "debug"),
    ],
)
def test_set_env_writes_a_string_quoted_only_when_yaml_needs_it(
    commented: Path, value: str, written: str
) -> None:
    edit.set_env(commented, "web", "NEW", value)
    assert changes(COMMENTED, web(commented)) == [f"+  NEW: {written}"]
    assert read(commented)["env"] == {
        "LOG_LEVEL": "info",
        "GREETING": "hello, world",
        "VERSION": "1.10",
        "BANNER": "Welcome",
        "NEW": value,
    }


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("LOG_LEVEL", "debug", "  LOG_LEVEL: debug       # quiet by default"),
        ("LOG_LEVEL", "yes", '  LOG_LEVEL: "yes"       # quiet by default'),
        ("GREETING", "it's me", "  GREETING: 'it''s me'"),
        ("GREETING", "tab\there", '  GREETING: "tab\\there"'),
        ("VERSION", "2", '  VERSION: "2"'),
        ("BANNER", "plain", '  BANNER: "plain"'),
    ],
)
def test_set_env_keeps_the_values_quoting_style(commented: Path, name: str, value: str, line: str) -> None:
    old = next(x for x in COMMENTED.splitlines() if x.startswith(f"  {name}:"))
    edit.set_env(commented, "web", name, value)
    assert changes(COMMENTED, web(commented)) == [f"-{old}", f"+{line}"]


def test_a_number_that_should_be_a_string_gets_quoted(base_tree: Path) -> None:
    text = FOUR_SPACES + "    VERSION: 1.10\n"
    with_web(base_tree, text)
    result = edit.set_env(base_tree, "web", "VERSION", "1.10")
    assert changes(text, web(base_tree)) == ["-    VERSION: 1.10", '+    VERSION: "1.10"']
    assert (result.old, result.changed) == ("1.10", True)


def test_null_and_empty_values_are_replaced_and_appended_after(base_tree: Path) -> None:
    text = (
        FOUR_SPACES
        + "environments:\n    Prod:\n        env:\n            GONE: null\n            EMPTY:\n        replicas: 2\n"
    )
    with_web(base_tree, text)
    edit.set_env(base_tree, "web", "GONE", "back", environment="Prod")
    edit.set_env(base_tree, "web", "EMPTY", "full", environment="Prod")
    edit.set_env(base_tree, "web", "NEW", "last", environment="Prod")
    assert changes(text, web(base_tree)) == [
        "-            GONE: null",
        "-            EMPTY:",
        "+            GONE: back",
        "+            EMPTY: full",
        "+            NEW: last",
    ]


def test_a_block_scalar_becomes_one_line(base_tree: Path) -> None:
    text = FOUR_SPACES + "    MOTD: |\n        hello\n        world\n    TAIL: kept\n"
    with_web(base_tree, text)
    edit.set_env(base_tree, "web", "MOTD", "hi")
    assert changes(text, web(base_tree)) == [
        "-    MOTD: |",
        "-        hello",
        "-        world",
        "+    MOTD: hi",
    ]


@pytest.mark.parametrize("name", ["FIRST", "SECOND"])
def test_anchors_and_aliases_are_left_to_the_user(base_tree: Path, name: str) -> None:
    with_web(base_tree, FOUR_SPACES + "    FIRST: &level info\n    SECOND: *level\n")
    before = snapshot(base_tree)
    with pytest.raises(edit.EditError) as raised:
        edit.set_env(base_tree, "web", name, "debug")
    assert str(raised.value) == (
        f"{WEB}:16:12: env.{name} is the value of the YAML anchor &level: it is shared by every "
        "place that refers to the anchor (*level), so setting it would change them all; "
        "edit it there by hand, or replace the alias by a mapping of its own"
    )
    assert snapshot(base_tree) == before


def test_an_anchor_nothing_refers_to_is_still_left_to_the_user(base_tree: Path) -> None:
    with_web(base_tree, FOUR_SPACES + "    FIRST: &level info\n")
    before = snapshot(base_tree)
    with pytest.raises(edit.EditError, match="FIRST is a YAML anchor or alias; edit the file by hand"):
        edit.set_env(base_tree, "web", "FIRST", "debug")
    assert snapshot(base_tree) == before


# Nothing to do, nothing written


def test_the_same_value_writes_nothing(commented: Path) -> None:
    before = (commented / WEB).stat()
    result = edit.set_image(commented, "WEB", IMAGE)
    after = (commented / WEB).stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert result == edit.SetResult(WEB, "head.image", False, IMAGE, IMAGE)
    assert result.summary() == f"{WEB}: head.image is already {IMAGE!r}, unchanged"


def test_the_write_keeps_the_mode_and_leaves_no_temporary_file(commented: Path) -> None:
    (commented / WEB).chmod(0o640)
    edit.set_image(commented, "web", BUMPED)
    assert (commented / WEB).stat().st_mode & 0o777 == 0o640
    assert os.listdir(commented / WEB.rsplit("/", 1)[0]) == ["aigonix.yaml"]


# Refused: nothing changes anywhere


@pytest.mark.parametrize(
    ("image", "environment", "problem"),
    [
        ("bad image", None, "11:10: error: 'bad image' is not a valid image reference"),
        (
            "registry.example/Web:1.0",
            None,
            "11:10: error: 'registry.example/Web:1.0' is not a valid image reference",
        ),
        ("bad image", "Dev", "32:14: error: 'bad image' is not a valid image reference"),
    ],
)
def test_an_invalid_image_is_refused_before_writing(
    commented: Path, image: str, environment: str | None, problem: str
) -> None:
    before = snapshot(commented)
    with pytest.raises(InvalidInput) as raised:
        edit.set_image(commented, "web", image, environment)
    assert [p.text() for p in raised.value.problems] == [f"{WEB}:{problem}"]
    assert raised.value.exit_code == 1
    assert snapshot(commented) == before


@pytest.mark.parametrize(
    ("microservice", "name", "environment", "message"),
    [
        (
            "nope",
            "X",
            None,
            "no microservice 'nope'; the tree has: shop/Audit, shop/Billing, shop/Ledger, shop/Web",
        ),
        (
            "web",
            "X",
            "Staging",
            "application 'shop' has no environment 'Staging' (names are case-sensitive): Dev, Prod",
        ),
        (
            "web",
            "X",
            "dev",
            "application 'shop' has no environment 'dev' (names are case-sensitive): Dev, Prod",
        ),
        (
            "billing",
            "API_KEY",
            None,
            "API_KEY is a secret of shop/Billing: use sops edit "
            "applications/shop/microservices/billing/environments/<Env>/secrets.yaml",
        ),
        (
            "shop/billing",
            "DB_PASSWORD",
            "Prod",
            "DB_PASSWORD is a secret of shop/Billing: use sops edit "
            "applications/shop/microservices/billing/environments/Prod/secrets.yaml",
        ),
    ],
)
def test_unknown_names_and_secrets_are_refused(
    commented: Path, microservice: str, name: str, environment: str | None, message: str
) -> None:
    before = snapshot(commented)
    with pytest.raises(edit.EditError) as raised:
        edit.set_env(commented, microservice, name, "value", environment)
    assert (str(raised.value), raised.value.exit_code) == (message, 1)
    assert snapshot(commented) == before


def test_a_name_in_two_applications_needs_the_application(two_webs: Path) -> None:
    with pytest.raises(
        edit.EditError, match=r"^'web' names several microservices, say which: admin/Web, shop/Web$"
    ):
        edit.set_image(two_webs, "web", BUMPED)
    result = edit.set_image(two_webs, "ADMIN/web", "testcustomer.azurecr.io/admin-web:1.0.1")
    assert result.path == "applications/admin/microservices/web/aigonix.yaml"
    assert result.warnings == ()  # the file's missing probes are not at the edited line
    assert web(two_webs) == (BASE / WEB).read_text()


def test_a_warning_at_the_edited_line_is_returned(commented: Path) -> None:
    result = edit.set_image(commented, "web", "testcustomer.azurecr.io/web:latest")
    assert [p.text() for p in result.warnings] == [
        f"{WEB}:11:10: warning: 'testcustomer.azurecr.io/web:latest' is not pinned: use a version tag, not latest"
    ]


def test_a_file_changed_meanwhile_is_not_overwritten(
    commented: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def someone_else_writes(*args: Any) -> list[Problem]:
        (commented / WEB).write_text(COMMENTED + "# theirs\n")
        return validate_edited(*args)

    monkeypatch.setattr("aigonix_render.commands.edit.validate_edited", someone_else_writes)
    with pytest.raises(edit.EditError, match="changed while it was being edited"):
        edit.set_image(commented, "web", BUMPED)
    assert web(commented) == COMMENTED + "# theirs\n"


def test_edit_errors_are_aigonix_errors_with_exit_code_1() -> None:
    assert issubclass(edit.EditError, AigonixError)
    assert edit.EditError.exit_code == 1


@pytest.mark.parametrize(("text", "pair"), [("A=b", ("A", "b")), ("A=b=c", ("A", "b=c")), ("A=", ("A", ""))])
def test_split_assignment(text: str, pair: tuple[str, str]) -> None:
    assert edit.split_assignment(text) == pair


@pytest.mark.parametrize("text", ["A", "=b", ""])
def test_split_assignment_refuses_what_is_no_assignment(text: str) -> None:
    with pytest.raises(UsageError, match="expected NAME=VALUE"):
        edit.split_assignment(text)


# ---------------------------------------------------------------------------------------
# The command line (runs once the lead has wired `set` into cli.py).

wired = pytest.mark.skipif(
    "set" not in cli.list_commands(click.Context(cli)), reason="`set` is not wired into cli.py yet"
)


@wired
def test_cli_set_image(commented: Path) -> None:
    result = run_line("set", "image", "web", BUMPED, commented)
    assert (result.exit_code, result.stdout) == (0, f"{WEB}: head.image {IMAGE!r} -> {BUMPED!r}\n"), result


@wired
def test_cli_set_env_refuses_a_secret_with_exit_1(commented: Path) -> None:
    result = run_line("set", "env", "billing", "API_KEY=x", "--env", "Dev", commented)
    assert result.exit_code == 1, result
    assert "sops edit applications/shop/microservices/billing/environments/Dev/secrets.yaml" in result.stderr


@wired
def test_cli_set_image_reports_problems_with_exit_1(commented: Path) -> None:
    result = run_line("set", "image", "web", "bad image", commented)
    assert result.exit_code == 1, result
    assert f"{WEB}:11:10: error: 'bad image' is not a valid image reference\n" in result.stderr


@wired
def test_cli_set_env_without_equals_is_a_usage_error(commented: Path) -> None:
    assert run_line("set", "env", "web", "NOVALUE", commented).exit_code == 2
