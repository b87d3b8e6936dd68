"""foundation.records: a record behaves as the frozen dataclass it replaces, field for field."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import pickle
import pkgutil
from collections.abc import Callable
from dataclasses import field
from functools import cached_property
from types import ModuleType
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
    theirs, mine = Twin(*args, **kwargs), Host(*args, **kwargs)
    assert repr(mine) == repr(theirs).replace("Twin(", "Host(")
    assert vars(mine) == vars(theirs)
    assert mine.__match_args__ == theirs.__match_args__
    assert vars(replace(mine, port=8)) == vars(dataclasses.replace(theirs, port=8))
    assert vars(pickle.loads(pickle.dumps(mine))) == vars(mine)
    assert vars(copy.deepcopy(mine)) == vars(mine)


def test_equality_and_hash_follow_the_compared_fields() -> None:
    for cls in (Twin, Host):
        first, same, other = cls("a", note="x", labels={"k": "v"}), cls("a", note="y"), cls("a", port=1)
        assert first == same and first != other and (first == "a") is False
        with pytest.raises(TypeError, match="unhashable type: 'list'"):
            hash(first)
    assert Twin("a") != Host("a")  # another class, as two dataclasses are


def test_a_factory_gives_each_record_its_own_value() -> None:
    first, second = Host("a"), Host("b")
    first.tags.append("x")
    assert second.tags == [] and Host.port == 443 and not hasattr(Host, "tags")


def test_a_record_is_frozen() -> None:
    host = Host("a")
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


def test_match_sees_the_fields_and_an_error_names_the_class() -> None:
    @record
    class Point:
        x: int
        y: int

    match Point(1, 2):
        case Point(x, y):
            assert (x, y) == (1, 2)
    with pytest.raises(TypeError, match=r"Point\.__init__\(\) missing 1 required positional argument: 'y'"):
        Point(1)  # type: ignore[call-arg]


def test_a_field_left_out_of_equality_is_left_out_of_the_hash_and_a_cached_property_works() -> None:
    @record
    class Named:
        name: str
        note: str = field(default="", compare=False)

        @cached_property
        def upper(self) -> str:
            return self.name.upper()

    first = Named("a", "x")
    assert hash(first) == hash(Named("a", "y")) and first.upper == "A" and vars(first)["upper"] == "A"
    assert copy.deepcopy(first) == first and vars(copy.deepcopy(first))["upper"] == "A"


def _shared_list() -> None:
    @record
    class Shared:
        tags: list[str] = []  # noqa: RUF012 - the mistake on purpose


def _shared_field() -> None:
    @record
    class Shared:
        data: bytearray = field(default=bytearray())


def _not_in_init() -> None:
    @record
    class Counted:
        count: int = field(default=0, init=False)


def _init_only() -> None:
    @record
    class Seeded:
        seed: dataclasses.InitVar[int]


def _keyword_only() -> None:
    @record
    class Keyed:
        a: int
        _: dataclasses.KW_ONLY
        b: int


def _own_equality() -> None:
    @record
    class Equal:
        a: int

        def __eq__(self, other: object) -> bool:
            return True


def _own_ordering() -> None:
    @record(order=True)
    class Ranked:
        a: int

        def __lt__(self, other: object) -> bool:  # type: ignore[misc]  # the mistake on purpose
            return True


def _own_subclass_hook() -> None:
    @record
    class Hooked:
        a: int

        def __init_subclass__(cls) -> None:
            pass


def _field_named_self() -> None:
    @record
    class Odd:
        self: int


def _default_first() -> None:
    @record
    class Late:
        a: int = 0
        b: int  # type: ignore[misc]


def _based() -> None:
    class Base:
        pass

    @record
    class Derived(Base):
        b: int


def _subclassed() -> None:
    @record
    class Base:
        a: int

    class Derived(Base):
        pass


@pytest.mark.parametrize(
    ("define", "error", "message"),
    [
        (_shared_list, ValueError, r"Shared\.tags: a mutable default is shared"),
        (_shared_field, ValueError, r"Shared\.data: a mutable default is shared"),
        (
            _not_in_init,
            TypeError,
            r"Counted\.count: a record's field takes default, default_factory, compare",
        ),
        (_init_only, TypeError, r"Seeded\.seed: a record has no InitVar"),
        (_keyword_only, TypeError, r"Keyed\._: a record has no"),
        (_own_equality, TypeError, r"Equal: a record writes __eq__ itself"),
        (_own_ordering, TypeError, r"Ranked: a record writes __lt__ itself"),
        (_own_subclass_hook, TypeError, r"Hooked: a record writes __init_subclass__ itself"),
        (_field_named_self, TypeError, r"Odd\.self: a record's field is not named so"),
        (_default_first, TypeError, r"Late\.b: a field without a default follows a"),
        (_based, TypeError, r"Derived: a record has no base class"),
        (_subclassed, TypeError, r"Derived: a record has no subclass \(.*Base is one\)"),
    ],
)
def test_what_a_record_does_not_do_is_refused_when_it_is_defined(
    define: Callable[[], None], error: type[Exception], message: str
) -> None:
    """No dataclass feature is dropped silently: each would behave otherwise at run time."""
    with pytest.raises(error, match=message):
        define()


def test_an_unordered_record_may_order_itself() -> None:
    @record
    class Version:
        number: int

        def __lt__(self, other: Version) -> bool:
            return self.number > other.number  # newest first

    assert sorted([Version(1), Version(3), Version(2)]) == [Version(3), Version(2), Version(1)]


def test_every_immutable_value_class_is_a_record() -> None:
    """One way to define a value: a frozen dataclass costs 0.6 ms at every start-up."""
    frozen = [
        f"{module.__name__}.{name}"
        for module in _every_module()
        for name, value in vars(module).items()
        if _frozen_dataclass(value) and value.__module__ == module.__name__
    ]
    assert frozen == []


def _frozen_dataclass(value: object) -> bool:
    params = vars(value).get("__dataclass_params__") if isinstance(value, type) else None
    return params is not None and bool(params.frozen)


def _every_module() -> list[ModuleType]:
    found = pkgutil.walk_packages(aigonix_render.__path__, "aigonix_render.")
    return [importlib.import_module(m.name) for m in found if not m.name.endswith("__main__")]
