"""foundation.records: a record behaves as the frozen dataclass it replaces, field for field."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re
from dataclasses import field
from pathlib import Path
from typing import Any, cast

import pytest

import aigonix_render
from aigonix_render.foundation import record, replace


def _marked(text: str) -> str:
    return f"<{text}>"


def _host_class(name: str) -> type[Any]:
    """A host with defaults of every kind and a ``__post_init__``; made twice below."""

    def post_init(self: Any) -> None:
        object.__setattr__(self, "name", _marked(self.name))

    namespace = {
        "__module__": __name__,
        "__annotations__": {
            "name": "str",
            "port": "int",
            "tags": "list[str]",
            "note": "str",
            "labels": "dict",
        },
        "port": 443,
        "tags": field(default_factory=list),
        "note": field(default="", compare=False),
        "labels": field(default_factory=dict, compare=False),
        "__post_init__": post_init,
    }
    return type(name, (), namespace)


Host = record(_host_class("Host"))
Twin = dataclasses.dataclass(frozen=True)(_host_class("Twin"))


def _pair() -> tuple[type[Any], type[Any]]:
    return Twin, Host


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("a",), {}),
    (("a", 80), {}),
    (("a",), {"tags": ["x"], "note": "n"}),
    ((), {"name": "b", "port": 1, "tags": [], "note": "m", "labels": {"k": "v"}}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_a_record_is_built_shown_and_copied_as_the_dataclass(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    made, ours = _pair()
    theirs, mine = made(*args, **kwargs), ours(*args, **kwargs)
    assert repr(mine) == repr(theirs).replace("Twin(", "Host(")
    assert vars(mine) == vars(theirs)
    assert mine.__match_args__ == theirs.__match_args__
    assert vars(replace(mine, port=8)) == vars(dataclasses.replace(theirs, port=8))
    assert vars(pickle.loads(pickle.dumps(mine))) == vars(mine)
    assert vars(copy.deepcopy(mine)) == vars(mine)


def test_equality_and_hash_follow_the_compared_fields() -> None:
    made, ours = _pair()
    for cls in (made, ours):
        first, same, other = cls("a", note="x", labels={"k": "v"}), cls("a", note="y"), cls("a", port=1)
        assert first == same and first != other and (first == "a") is False
        with pytest.raises(TypeError, match="unhashable type: 'list'"):
            hash(first)
    assert made("a") != ours("a")  # another class, as two dataclasses are


def test_a_factory_gives_each_record_its_own_value() -> None:
    _, ours = _pair()
    first, second = ours("a"), ours("b")
    first.tags.append("x")
    assert second.tags == [] and ours.port == 443 and not hasattr(ours, "tags")


def test_a_record_is_frozen() -> None:
    _, ours = _pair()
    host = ours("a")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'port'"):
        host.port = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        del host.port


def test_an_ordered_record_sorts_as_an_ordered_dataclass() -> None:
    @record(order=True)
    class Mark:
        line: int
        column: int = 0

    @dataclasses.dataclass(frozen=True, order=True)
    class Ordered:
        line: int
        column: int = 0

    values = [(3, 1), (1, 2), (1, 1), (2, 0)]
    assert [(m.line, m.column) for m in sorted(Mark(*v) for v in values)] == sorted(values)
    assert Mark(1) <= Mark(1) and Mark(2) > Mark(1, 5) and Mark(1) >= Mark(0, 9)
    assert Mark(1).__lt__(cast(Any, Ordered(2))) is NotImplemented
    assert hash(Mark(1, 2)) == hash(Ordered(1, 2))


def test_a_shared_mutable_default_is_refused_and_match_sees_the_fields() -> None:
    with pytest.raises(ValueError, match=r"Shared\.tags: a mutable default is shared"):

        @record
        class Shared:
            tags: list[str] = []  # noqa: RUF012 - the mistake this test makes on purpose

    @record
    class Point:
        x: int
        y: int

    match Point(1, 2):
        case Point(x, y):
            assert (x, y) == (1, 2)


def test_every_immutable_value_class_is_a_record() -> None:
    """One way to define a value: a frozen dataclass costs 0.6 ms at every start-up."""
    package = Path(aigonix_render.__file__).parent
    pattern = re.compile(r"^@(?:dataclasses\.)?dataclass\(.*frozen=True", re.M)
    frozen = [p.relative_to(package) for p in sorted(package.rglob("*.py")) if pattern.search(p.read_text())]
    assert frozen == []
