"""The one escaping path: every string comes back unchanged from every YAML reader."""

from __future__ import annotations

import pytest
import yaml
from hostile import HOSTILE_VALUES, PEM
from ruamel.yaml import YAML

from aigonix_render.foundation.yaml_text import scalar

CORPUS = [
    *HOSTILE_VALUES,
    PEM,
    *[
        "y",
        "Y",
        "n",
        "N",
        "yes",
        "Yes",
        "NO",
        "on",
        "On",
        "off",
        "OFF",
        "true",
        "True",
        "false",
        "null",
        "NULL",
        "Null",
        "~",
        "-",
        "---",
        "...",
    ],
    *[
        "0042",
        "1e3",
        "1e+3",
        "1_000",
        "0x1F",
        "0o17",
        "0b101",
        ".inf",
        ".NaN",
        "+1",
        "-1",
        "1:20",
        "2024-01-01",
    ],
    *[
        "2000m",
        "3b574183-cc5a",
        "a:",
        "a: b",
        "#x",
        "x #y",
        "*alias",
        "&anchor",
        "!tag",
        "%directive",
        "@at",
        "`tick`",
    ],
    *[
        "",
        " ",
        "\t",
        "\n",
        "\n\n",
        "x\n",
        "x\n\n",
        " x\ny",
        "x \ny",
        "x\r\ny",
        "\ufeffbom",
        "\x00nul",
        "\x7f\x85\x9f",
    ],
    *[
        "\u2028\u2029",
        "😀\n🎉",
        "{{ x }}\n{% y %}",
        "a\n---\nb",
        "a\n...\nb",
        "'single'",
        '"double"',
        "|",
        ">",
        "? q",
    ],
]


@pytest.mark.parametrize("value", CORPUS, ids=[repr(v)[:40] for v in CORPUS])
@pytest.mark.parametrize("indent", [0, 2, 6])
def test_value_round_trips(value: str, indent: int) -> None:
    pad = " " * indent
    document = f"{pad}key: {scalar(value, indent)}\n{pad}next: end\n"
    if indent:
        document = "outer:\n" + document
    for loaded in (yaml.safe_load(document), YAML(typ="safe").load(document)):
        mapping = loaded["outer"] if indent else loaded
        assert mapping == {"key": value, "next": "end"}


def test_plain_only_when_unambiguous() -> None:
    assert scalar("nginx") == "nginx"
    assert scalar("app.kubernetes.io/name") == "app.kubernetes.io/name"
    assert scalar("yes") == '"yes"'
    assert scalar("0042") == '"0042"'
    assert scalar(3) == "3"
    assert scalar(True) == "true"


def test_non_scalars_are_refused() -> None:
    with pytest.raises(TypeError):
        scalar({"a": 1})
