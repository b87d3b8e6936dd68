"""Loading the tree: what cannot be input is refused at the one place every case passes.

Each class of failure, with more cases than the issue listed:
1. a folder of the tree that is a symlink (or no folder) is an error naming it, never skipped;
2. a problem about a file that holds secrets never shows a value or a line of its text;
3. files no one publishes (``.env``, editor leftovers) are left out with a warning;
4. odd file names, FIFOs, sockets, devices, huge, vanishing or unreadable files are
   problems (never a traceback, never a hang), and every report prints one line each;
5 and 6 are case folders (``schema-error*``, ``secrets-file-damaged-*``, ...).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import uuid
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import pytest
from conftest import BASE, run_line, snapshot
from test_hostile_input import assert_no_crash, run_measured

from aigonix_render.commands.reporter import REPORTERS
from aigonix_render.foundation import manifest_folders, unpublished
from aigonix_render.foundation.problems import Problem, Severity
from aigonix_render.load import documents, folders, reading, select, strays

SHOP = "applications/shop"
BILLING = f"{SHOP}/microservices/billing"
WEB = f"{SHOP}/microservices/web/aigonix.yaml"
DEV = f"{BILLING}/environments/Dev"
DEV_SECRETS = f"{DEV}/secrets.yaml"
REGISTRY = "registry.sops.yaml"
SETTINGS = f"{BILLING}/files/settings.json"
REAL_FOLDERS = (
    "applications/, microservices/, environments/, files/ and the folders in them must be real folders"
)
GONE = "not found: a symlink to nothing, or deleted during the run"
ONE_PROBLEM = re.compile(r"\S.*:\d+:\d+: (error|warning): \S.*")


def problem_lines(tree: Path, *options: str) -> tuple[int, list[str]]:
    result = run_line("validate", *options, tree)
    assert result.stderr == "", result
    return result.exit_code, result.stdout.splitlines()


def assert_refused(tree: Path, line: str) -> None:
    code, lines = problem_lines(tree)
    assert code == 1, lines
    assert line in lines, lines


# --- 1. the folders of the tree are real folders ------------------------------------------------

FOLDERS = [
    "applications",
    SHOP,
    f"{SHOP}/microservices",
    BILLING,
    f"{BILLING}/environments",
    DEV,
    f"{BILLING}/files",
    f"{DEV}/files",
]


def move_and_link(tree: Path, folder: str, target: Path) -> None:
    (tree / folder).mkdir(parents=True, exist_ok=True)
    (tree / folder / "extra.json").write_text("{}\n")
    shutil.move(tree / folder, target)
    (tree / folder).symlink_to(target, target_is_directory=True)


@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("folder", FOLDERS)
def test_a_symlinked_folder_of_the_tree_is_refused(folder: str, where: str, base_tree: Path) -> None:
    parent = base_tree if where == "inside" else base_tree.parent
    move_and_link(base_tree, folder, parent / f"moved-{uuid.uuid4().hex}")
    assert_refused(base_tree, f"{folder}:1:1: error: a symlink: {REAL_FOLDERS}")


@pytest.mark.parametrize("folder", [SHOP, BILLING, DEV])
def test_a_symlink_to_nothing_where_a_folder_was_is_refused(folder: str, base_tree: Path) -> None:
    shutil.rmtree(base_tree / folder)
    (base_tree / folder).symlink_to(base_tree / "nowhere", target_is_directory=True)
    assert_refused(base_tree, f"{folder}:1:1: error: a symlink: {REAL_FOLDERS}")


@pytest.mark.parametrize(
    "folder", ["applications", f"{SHOP}/microservices", f"{BILLING}/environments", f"{BILLING}/files"]
)
def test_a_file_where_a_folder_of_the_tree_belongs_is_refused(folder: str, base_tree: Path) -> None:
    shutil.rmtree(base_tree / folder)
    (base_tree / folder).write_text("not a folder\n")
    assert_refused(base_tree, f"{folder}:1:1: error: not a folder: {REAL_FOLDERS}")


def test_a_symlinked_environment_folder_leaves_the_output_alone(
    base_tree: Path, rendered: Path, tmp_path: Path
) -> None:
    """Skipping it would drop the environment's objects, and Flux would prune them."""
    before = snapshot(rendered)
    move_and_link(base_tree, DEV, tmp_path / "elsewhere")
    result = run_line("render", base_tree, "-o", rendered)
    assert result.exit_code == 1, result
    assert f"{DEV}:1:1: error: a symlink: {REAL_FOLDERS}\n" in result.stderr
    assert "secrets.yaml is missing" not in result.stderr
    assert snapshot(rendered) == before


# --- 2. problems about files that hold secrets never show their text -------------------------

CANARY = f"CANARY-{uuid.uuid4().hex}"
HIDDEN = "details hidden: this file holds secrets"
SYNTAX_HIDDEN = f"YAML syntax: invalid YAML here ({HIDDEN})"
# A sound sops block (a template: braces doubled), so that the values' own problems show.
GOOD_SOPS = "sops: {{mac: 'ENC[x]', lastmodified: '2024-01-31T12:00:00Z', age: [{{recipient: r, enc: e}}]}}\n"
# Each text holds the canary where the parser would quote it; the message it must get instead.
SECRET_TEXTS: dict[str, tuple[str, str]] = {
    "undefined-alias": ("password: *{c}\nusername: x\n", SYNTAX_HIDDEN),
    "alias-name": ("password: &{c} x\nusername: *{c}\n", "not encrypted with sops"),
    "reused-anchor": ("password: &a {c}\nusername: &a {c}\n", "not encrypted with sops"),
    "custom-tag": ("password: !{c} x\nusername: x\n", "unsupported YAML value of type TaggedScalar"),
    "bad-token": ("password: `{c}\nusername: x\n", SYNTAX_HIDDEN),
    "at-sign": ("password: @{c}\nusername: x\n", SYNTAX_HIDDEN),
    "unknown-escape": ('password: "\\{c}"\nusername: x\n', SYNTAX_HIDDEN),
    "unclosed-quote": ('password: "{c}\nusername: x\n', f"never closed ({HIDDEN})"),
    "unclosed-flow": ("password: [{c}\nusername: x\n", f"never closed ({HIDDEN})"),
    "bad-indentation": ("password: x\n  username: {c}\n", "mapping values are not allowed here"),
    "tab": ("password: {c}\n\tusername: x\n", "a tab character"),
    "duplicate-key": ("password: {c}\npassword: {c}\n", 'found duplicate key "password"'),
    "duplicate-odd-key": ('"password={c}": 1\n"password={c}": 2\n', SYNTAX_HIDDEN),
    "key-holding-a-value": ("password={c}: x\nusername: x\n" + GOOD_SOPS, "this key is not expected"),
    "non-string-key": ("1: {c}\nusername: x\n", "keys must be strings"),
    "complex-key": ("? [{c}]\n: x\n", "keys must be strings"),
    "control-character": (
        "password: {c}\x07\nusername: x\n",
        f"a character here is not allowed in YAML ({HIDDEN})",
    ),
    "nul": ("password: {c}\x00\nusername: x\n", f"a character here is not allowed in YAML ({HIDDEN})"),
    "not-utf8": ("password: {c}\udcff\nusername: x\n", "not valid UTF-8"),  # the byte 0xff
    "byte-order-mark": ("\ufeffpassword: {c}\nusername: x\n", "byte-order mark"),
    "directive": ("%FOO {c}\n---\npassword: x\n", "not encrypted with sops"),
    "two-documents": ("password: {c}\n---\nusername: {c}\n", "found several"),
    "list": ("- {c}\n", "the document must be a mapping"),
    "mapping-value": ("password: {{k: {c}}}\nusername: x\n" + GOOD_SOPS, "must be a string, not a mapping"),
    "colon-in-value": ("password: {c}: {c}\nusername: x\n", "mapping values are not allowed here"),
    "fake-encryption": (
        "password: ENC[{c}]\nusername: ENC[AES256_GCM,data:{c},type:int]\n" + GOOD_SOPS,
        "must be a string",
    ),
    "damaged-sops": (
        "password: {c}\nsops: {{mac: {c}, lastmodified: {c}, age: [{{recipient: {c}}}]}}\n",
        "damaged",
    ),
}


def write_secret_text(path: Path, text: str) -> None:
    path.write_text(text.format(c=CANARY), newline="", errors="surrogateescape")


def use_credentials(tree: Path, relative: str) -> None:
    customer = tree / "aigonix.yaml"
    customer.write_text(customer.read_text().replace(f"credentials: {REGISTRY}", f"credentials: {relative}"))
    (tree / relative).parent.mkdir(parents=True, exist_ok=True)


@pytest.mark.parametrize("place", [REGISTRY, "keys/registry.enc.yaml", DEV_SECRETS])
@pytest.mark.parametrize("case", sorted(SECRET_TEXTS))
def test_a_problem_in_a_secrets_file_never_shows_its_text(case: str, place: str, base_tree: Path) -> None:
    text, message = SECRET_TEXTS[case]
    if place not in (REGISTRY, DEV_SECRETS):
        use_credentials(base_tree, place)
    if place == DEV_SECRETS:
        text, message = as_secret_names(text), as_secret_names(message)
    write_secret_text(base_tree / place, text)
    for output in ("json", "github", "text"):
        result = run_line("validate", "--format", output, base_tree)
        assert result.exit_code == 1, result
        assert CANARY[7:] not in result.stdout + result.stderr, result
    lines = [line for line in result.stdout.splitlines() if line.startswith(f"{place}:")]
    assert any(message in line for line in lines), lines


def as_secret_names(text: str) -> str:
    """The registry's keys renamed to the billing microservice's secrets."""
    return text.replace("password", "DB_PASSWORD").replace("username", "API_KEY")


def test_a_reused_anchor_in_a_secrets_file_prints_no_warning(base_tree: Path) -> None:
    """ruamel warns about it with the two lines of the file; YAML 1.2 allows it."""
    write_secret_text(base_tree / REGISTRY, SECRET_TEXTS["reused-anchor"][0])
    measured = run_measured("validate", base_tree)
    assert_no_crash(measured)
    assert measured.run.stderr == "", measured
    assert CANARY not in measured.run.stdout, measured


def test_a_key_that_is_no_variable_name_is_not_shown(base_tree: Path) -> None:
    secrets = base_tree / DEV_SECRETS
    secrets.write_text(f"DB_PASSWORD={CANARY}: x\n" + secrets.read_text())
    assert_refused(
        base_tree,
        f"{DEV_SECRETS}:1:1: error: this key is not expected in the secrets of "
        f"{BILLING}/aigonix.yaml (expected: DB_PASSWORD, API_KEY)",
    )


def test_a_document_of_a_secrets_file_never_quotes_a_token() -> None:
    document = documents.Document("secrets.yaml", {"A": "x"}, f"A: {CANARY}\n", sensitive=True)
    assert document.token(["A"]) == ""


# --- 3. files no one publishes stay out of the ConfigMap -------------------------------------

LEFTOVERS = [
    ".env",
    ".env.local",
    ".DS_Store",
    ".gitignore",
    ".#settings.json",
    ".settings.json.swp",
    "settings.json.swp",
    "settings.json.swo",
    "settings.json~",
    "#settings.json#",
    "~$report.docx",
    "settings.json.orig",
    "settings.json.bak",
    "Thumbs.db",
    "desktop.ini",
]


@pytest.mark.parametrize("name", LEFTOVERS)
def test_a_file_no_one_publishes_is_left_out_with_a_warning(name: str, base_tree: Path) -> None:
    (base_tree / BILLING / "files" / name).write_text(f"{CANARY}\n")
    warning = f"{BILLING}/files/{name}:1:1: warning: {name!r} is left out: hidden files and editor leftovers never go into a ConfigMap"
    assert problem_lines(base_tree) == (0, [warning])
    assert problem_lines(base_tree, "--strict") == (1, [warning])


@pytest.mark.parametrize("name", ["settings.json", "app.env", "config.yaml", "..data", "env", "a~b"])
def test_ordinary_names_are_not_leftovers(name: str) -> None:
    assert not unpublished(name)


def test_left_out_files_are_never_rendered(base_tree: Path, keyed: Path, tmp_path: Path) -> None:
    for relative in (f"{BILLING}/files/.env", f"{BILLING}/files/settings.json~", f"{DEV}/files/.DS_Store"):
        (base_tree / relative).parent.mkdir(exist_ok=True)
        (base_tree / relative).write_text(f"{CANARY}\n")
    out = tmp_path / "out"
    assert run_line("render", base_tree, "-o", out).exit_code == 0
    assert not [p for p in out.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]


# --- 4. odd names and special, huge, vanishing or unreadable files ---------------------------

SPECIAL_PLACES = ["aigonix.yaml", WEB, DEV_SECRETS, REGISTRY, SETTINGS, f"{BILLING}/files/new.json"]


def replace_with(tree: Path, relative: str, make: Callable[[Path], None]) -> None:
    path = tree / relative
    path.unlink(missing_ok=True)
    make(path)


@pytest.mark.parametrize("relative", SPECIAL_PLACES)
def test_a_fifo_where_a_file_is_read_does_not_block(relative: str, base_tree: Path) -> None:
    replace_with(base_tree, relative, os.mkfifo)
    measured = run_measured("validate", base_tree, timeout=30)
    assert_no_crash(measured)
    assert measured.run.exit_code == 1, measured
    assert f"{relative}:1:1: error: not a regular file\n" in measured.run.stdout, measured


def bind_socket(path: Path) -> None:
    """A unix socket at ``path`` (bound from its folder: socket paths are short)."""
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(path.name)
    finally:
        os.chdir(here)


@pytest.mark.parametrize("relative", [WEB, DEV_SECRETS, f"{BILLING}/files/new.json"])
def test_a_socket_where_a_file_is_read_is_refused(relative: str, base_tree: Path) -> None:
    replace_with(base_tree, relative, bind_socket)
    assert_refused(base_tree, f"{relative}:1:1: error: not a regular file")


def make_null_device(path: Path) -> None:
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("this user cannot make a device")


@pytest.mark.parametrize("relative", [WEB, f"{BILLING}/files/null"])
def test_a_device_where_a_file_is_read_is_refused(relative: str, base_tree: Path) -> None:
    replace_with(base_tree, relative, make_null_device)
    assert_refused(base_tree, f"{relative}:1:1: error: not a regular file")


HUGE = 8 << 30  # sparse: no disk, but reading it would need 8 GiB of memory
WITH_SETTINGS = HUGE + (BASE / SETTINGS).stat().st_size


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        (WEB, "larger than 1024 KiB: not an aigonix.yaml this tool reads"),
        (DEV_SECRETS, "larger than 1024 KiB: not an aigonix.yaml this tool reads"),
        (REGISTRY, "larger than 1024 KiB: not an aigonix.yaml this tool reads"),
        (f"{BILLING}/files/huge.bin", f"in Dev the config files add up to {WITH_SETTINGS} bytes"),
    ],
)
def test_a_huge_file_is_refused_without_reading_it(relative: str, message: str, base_tree: Path) -> None:
    with (base_tree / relative).open("ab") as file:
        file.truncate(HUGE)
    measured = run_measured("validate", base_tree, timeout=30)  # under a 1 GiB RLIMIT_AS
    assert_no_crash(measured)
    assert measured.run.exit_code == 1, measured
    assert f"{relative}:1:1: error: {message}" in measured.run.stdout, measured


def test_a_symlink_loop_is_a_problem(base_tree: Path) -> None:
    (base_tree / BILLING / "files" / "loop").symlink_to("loop")
    web = base_tree / WEB
    web.unlink()
    web.symlink_to(web.name)
    code, lines = problem_lines(base_tree)
    assert code == 1
    assert f"{BILLING}/files/loop:1:1: error: a symlink loop" in lines
    assert f"{WEB}:1:1: error: a symlink loop" in lines


@pytest.fixture
def vanishing(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Files named here are deleted just before they are read, as by a concurrent checkout."""
    names: set[str] = set()
    real = reading.read_file

    def read_file(path: Path, name: str, limit: int) -> bytes | reading.TooLarge | Problem:
        if name in names:
            path.unlink()
        return real(path, name, limit)

    monkeypatch.setattr(reading, "read_file", read_file)
    monkeypatch.setattr(folders, "read_file", read_file)
    monkeypatch.setattr(select, "read_file", read_file)
    yield names


@pytest.mark.parametrize("relative", [WEB, DEV_SECRETS, REGISTRY, SETTINGS])
def test_a_file_deleted_during_the_run_is_a_problem(
    relative: str, base_tree: Path, vanishing: set[str]
) -> None:
    vanishing.add(relative)
    assert_refused(base_tree, f"{relative}:1:1: error: {GONE}")


def test_the_tree_deleted_during_the_run_is_a_problem(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = manifest_folders

    def then_delete(base: str, excluded: Collection[str], skipped: Callable[[str], bool] | None) -> list[str]:
        found = real(base, excluded, skipped)
        shutil.rmtree(base_tree)
        return found

    monkeypatch.setattr(strays, "manifest_folders", then_delete)
    assert_refused(
        base_tree, "aigonix.yaml:1:1: error: missing: the root needs an aigonix.yaml of kind Customer"
    )


@pytest.fixture
def denied(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Paths ending in a name given here cannot be opened or listed, even by root."""
    names: set[str] = set()
    real_open, real_listdir = os.open, os.listdir

    def check(path: object) -> None:
        if any(str(path).endswith(name) for name in names):
            raise PermissionError(13, "Permission denied", str(path))

    def guarded_open(path: str, flags: int, *args: int, **kwargs: int) -> int:
        check(path)
        return real_open(path, flags, *args, **kwargs)

    def guarded_listdir(path: str) -> list[str]:
        check(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "listdir", guarded_listdir)
    yield names


@pytest.mark.parametrize(
    "relative", [WEB, DEV_SECRETS, REGISTRY, SETTINGS, f"{SHOP}/microservices", f"{BILLING}/files"]
)
def test_a_permission_denied_is_a_problem_naming_it(relative: str, base_tree: Path, denied: set[str]) -> None:
    denied.add(relative)
    assert_refused(base_tree, f"{relative}:1:1: error: cannot be read: permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
@pytest.mark.parametrize("relative", [WEB, DEV_SECRETS, SETTINGS, f"{SHOP}/microservices"])
def test_an_unreadable_file_or_folder_is_a_problem(relative: str, base_tree: Path) -> None:
    (base_tree / relative).chmod(0)
    try:
        assert_refused(base_tree, f"{relative}:1:1: error: cannot be read: permission denied")
    finally:
        (base_tree / relative).chmod(0o700)


ODD_NAMES = {
    "not-utf8": (os.fsdecode(b"caf\xe9.json"), "caf\\xe9.json"),
    "newline": ("a\nb.json", "a\\nb.json"),
    "escape": ("\x1b[31mred.json", "\\x1b[31mred.json"),
    "carriage-return": ("x\r::error::forged", "x\\r::error::forged"),
    "right-to-left": ("gnp.\u202etxt", "gnp.\\u202etxt"),
}


@pytest.mark.parametrize("place", ["files", "application", "stray"])
@pytest.mark.parametrize("case", sorted(ODD_NAMES))
def test_odd_names_are_escaped_in_every_report(case: str, place: str, base_tree: Path) -> None:
    name, shown = ODD_NAMES[case]
    relative = {
        "files": f"{BILLING}/files/{name}",
        "application": f"applications/{name}",
        "stray": f"{name}/aigonix.yaml",
    }[place]
    if place == "files":
        (base_tree / relative).write_text("{}\n")
    else:
        (base_tree / relative.removesuffix("/aigonix.yaml")).mkdir()
        if place == "stray":
            (base_tree / relative).write_text("kind: Customer\n")
    measured = run_measured("validate", base_tree)
    assert_no_crash(measured)
    assert measured.run.exit_code == 1, measured
    assert "\ufffd" not in measured.run.stdout, measured  # nothing that is not UTF-8
    assert all(ONE_PROBLEM.fullmatch(line) for line in measured.run.stdout.splitlines()), measured
    assert f"{relative.replace(name, shown)}:1:1: error: " in measured.run.stdout, measured


def test_every_report_prints_one_line_per_problem() -> None:
    problems = [
        Problem(os.fsdecode(b"a\nb\xff\x1b"), 1, 2, "line\rbreak\u2028here"),
        Problem("ok.yaml", 3, 4, "fine", Severity.WARNING),
    ]
    assert problems[0].file == "a\\nb\\xff\\x1b"
    assert REPORTERS["text"](problems).splitlines() == [
        "a\\nb\\xff\\x1b:1:2: error: line\\rbreak\\u2028here",
        "ok.yaml:3:4: warning: fine",
    ]
    github = REPORTERS["github"](problems)
    assert len(github.splitlines()) == 2 and all(line.startswith("::") for line in github.splitlines())
    parsed = json.loads(REPORTERS["json"](problems))
    assert [p["file"] for p in parsed["problems"]] == ["a\\nb\\xff\\x1b", "ok.yaml"]


@pytest.mark.parametrize("case", sorted(ODD_NAMES))
def test_odd_names_stop_a_render_with_a_problem_not_a_crash(
    case: str, base_tree: Path, keyed: Path, tmp_path: Path
) -> None:
    """``render`` digests its inputs before validating: that must survive any name too."""
    name, shown = ODD_NAMES[case]
    (base_tree / f"{BILLING}/files/{name}").write_text("{}\n")
    measured = run_measured("render", base_tree, "-o", tmp_path / "out")
    assert_no_crash(measured)
    assert measured.run.exit_code == 1, measured
    assert f"{BILLING}/files/{shown}:1:1: error: " in measured.run.stderr, measured
    assert not (tmp_path / "out").exists()
