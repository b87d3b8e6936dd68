"""What ``generate`` does not pay for at start-up (issue 22), and that nothing changed for it.

The command line loads the modules of ``render``, ``diff``, ``init``, ``set`` and ``import``
only when one of them runs or is listed (``cli.LATER``), yet offers every command as
before. ``foundation.yaml_text`` compiles its two patterns of all printable code points
(milliseconds at every start) only for text that is not plain ASCII; for ASCII text its
shortcut answers what the patterns answer.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import pytest

from aigonix_render import cli as cli_module
from aigonix_render.commands import cli_edit, cli_render
from aigonix_render.foundation import yaml_text

COMMANDS = ["diff", "generate", "import", "init", "render", "schema", "set", "show", "validate"]

PRINTABLE = re.compile(
    "[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)
"""The pattern ``yaml_text`` compiled at import before issue 22, written out again."""

PROBE = """
import json, sys
import aigonix_render.cli
from aigonix_render.foundation import yaml_text
seen = [yaml_text.scalar("key: value"), yaml_text.scalar("two\\nlines\\n")]
before = yaml_text._unprintable.cache_info().currsize + yaml_text._literal_safe.cache_info().currsize
seen += [yaml_text.quoted("caf\\u00e9 \\u2028"), yaml_text.scalar("caf\\u00e9\\nlines\\n")]
after = yaml_text._unprintable.cache_info().currsize + yaml_text._literal_safe.cache_info().currsize
print(json.dumps({"modules": sorted(sys.modules), "seen": seen, "compiled": [before, after]}))
"""


def probe() -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    found: dict[str, object] = json.loads(result.stdout)
    return found


def test_the_command_line_loads_no_module_of_a_command_it_does_not_run() -> None:
    modules = probe()["modules"]
    assert isinstance(modules, list)
    later = ("cli_edit", "cli_render", "live_cli", "pipeline", "init", "edit", "importer")
    assert [m for m in modules if m.rsplit(".", 1)[-1] in later] == []


def test_every_command_is_offered_and_is_its_modules_command() -> None:
    context = click.Context(cli_module.cli)
    assert cli_module.cli.list_commands(context) == COMMANDS
    assert cli_module.cli.get_command(context, "init") is cli_edit.init
    assert cli_module.cli.get_command(context, "set") is cli_edit.set_group
    assert cli_module.cli.get_command(context, "import") is cli_edit.import_
    assert cli_module.cli.get_command(context, "render") is cli_render.render
    assert cli_module.cli.get_command(context, "nothing") is None
    for name in COMMANDS:
        command = cli_module.cli.get_command(context, name)
        assert command is not None and command.name == name


def test_the_big_patterns_are_compiled_only_for_text_beyond_ascii() -> None:
    found = probe()
    assert found["compiled"] == [0, 2]
    assert found["seen"] == ['"key: value"', "|\n  two\n  lines", '"café \\u2028"', "|\n  café\n  lines"]


ASCII = [chr(code) for code in range(128)]


@pytest.mark.parametrize("first", ASCII)
def test_the_ascii_shortcut_answers_what_the_patterns_answer(first: str) -> None:
    for second in ASCII:
        text = first + second + "x"
        assert yaml_text._printable_ascii(text) == (PRINTABLE.fullmatch(text) is not None), repr(text)
        assert yaml_text.quoted(text) == yaml_text._unprintable().sub(yaml_text._escape, json.dumps(text)), (
            text
        )


def test_text_beyond_ascii_still_goes_through_the_patterns() -> None:
    for text in ("é", "\u2028", "\ufeff", "\U0001f600", "a\x85b", "\ud800"):
        assert not yaml_text._printable_ascii(text)
    assert yaml_text.quoted("a\x85b\u2028") == '"a\\u0085b\\u2028"'
    assert yaml_text.scalar("é\nx\n") == "|\n  é\n  x"
    assert yaml_text.scalar("é\x85\nx\n") == '"é\\u0085\\nx\\n"'
