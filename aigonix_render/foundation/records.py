"""Immutable value classes that cost little to define: ``record`` and ``replace``.

Every command imports the classes of the stages it runs before it does any work, and
``generate`` runs for every Argo CD Application of a commit. On Python 3.11 a
``dataclasses.dataclass(frozen=True)`` compiles six methods, one ``exec`` each: about
0.6 ms a class, 35 ms of ``generate``'s imports for its 53 classes. ``record`` compiles
``__init__``, ``__eq__`` and ``__hash__`` (and the orderings when asked) in one ``exec``,
about 0.2 ms, and shares the rest (``__repr__``, the frozen ``__setattr__``). Per object,
``__init__``, ``__eq__`` and ``__hash__`` are as fast as a frozen dataclass's (the shared
``__repr__`` takes twice as long, on no hot path), and equality, hash, order and ``repr``
text are the same.

What this project uses of frozen dataclasses is what a record offers: fields declared by
annotations, in order; defaults, and ``dataclasses.field`` with ``default``,
``default_factory`` or ``compare=False``; ``__post_init__``; ``order=True``; ``replace``
(``dataclasses.replace``); ``__match_args__``; pickling and copying (the instance's
``__dict__`` is set directly, as for any class). Type checkers read a record as a frozen
dataclass (``dataclass_transform``), and check ``replace`` as ``dataclasses.replace``.
Anything else is refused when the class is defined, so that no dataclass feature is
silently dropped: other ``field`` options, ``InitVar``, ``KW_ONLY``, a method the record
writes defined by the class, a base class, a subclass (a record is final). Mutable working
state stays a plain dataclass.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, overload

_T = TypeVar("_T")

if TYPE_CHECKING:  # typing has it from Python 3.11; type checkers know it from typing_extensions
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[_T], _T]:
        return lambda function: function


_NO_DEFAULT = dataclasses.MISSING
_FIELD_NAMES = "__match_args__"
"""Where a record keeps its fields' names, in order (as dataclasses do, for ``match``)."""
_ORDERINGS = {"__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">="}
_WRITTEN = ("__init__", "__eq__", "__hash__", "__repr__", "__setattr__", "__delattr__", "__init_subclass__")
"""What every record writes itself (and the orderings, with ``order=True``)."""
_OWN = "_record_"
"""The prefix of the names the generated code uses besides the fields (no field has it)."""
_REFUSED_TYPES = ("InitVar", "KW_ONLY")


class _Field(NamedTuple):
    """One field as ``__init__`` takes it."""

    name: str
    default: object = _NO_DEFAULT
    factory: object = _NO_DEFAULT
    compare: bool = True


@overload
@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(*, order: bool = False) -> Callable[[type[_T]], type[_T]]: ...


def record(cls: type[_T] | None = None, /, *, order: bool = False) -> Any:
    """The class made a record: ``@record`` or ``@record(order=True)``."""
    if cls is None:
        return lambda later: _make(later, order)
    return _make(cls, order)


if TYPE_CHECKING:  # checked as dataclasses.replace is: the names and types of the changes
    from dataclasses import replace as replace
else:

    def replace(obj, /, **changes):
        """A copy of the record ``obj`` with ``changes`` (``dataclasses.replace``)."""
        values = {name: getattr(obj, name) for name in getattr(type(obj), _FIELD_NAMES)}
        return type(obj)(**{**values, **changes})


def _make(cls: type[_T], order: bool) -> type[_T]:
    _refuse_shape(cls, order)
    fields = [_field(cls, name) for name in _annotated(cls)]
    scope: dict[str, object] = {f"{_OWN}set": object.__setattr__, f"{_OWN}missing": _NO_DEFAULT}
    scope.update(_defaults(fields))
    made: dict[str, Any] = {}
    exec(_source(cls, fields, order), scope, made)  # fields' names and fixed text; defaults by reference
    for method in made.values():
        method.__qualname__, method.__module__ = f"{cls.__qualname__}.{method.__name__}", cls.__module__
    shared = {"__repr__": _repr, "__setattr__": _no_assignment, "__delattr__": _no_deletion}
    for name, value in {**made, **shared, "__init_subclass__": classmethod(_final)}.items():
        setattr(cls, name, value)
    setattr(cls, _FIELD_NAMES, tuple(field.name for field in fields))
    return cls


def _refuse_shape(cls: type, order: bool) -> None:
    """A record is a class of its own: no base, no method it writes, no subclass."""
    if cls.__bases__ != (object,):
        raise TypeError(f"{cls.__qualname__}: a record has no base class")
    written = [name for name in (*_WRITTEN, *(_ORDERINGS if order else ())) if name in cls.__dict__]
    if written:
        raise TypeError(f"{cls.__qualname__}: a record writes {written[0]} itself")


def _annotated(cls: type) -> list[str]:
    """The fields' names, in order: the annotations but ``ClassVar`` ones."""
    names = []
    for name, annotation in inspect.get_annotations(cls).items():  # inspect: loaded by dataclasses
        kind = str(annotation).removeprefix("typing.").removeprefix("dataclasses.")
        if kind.startswith(_REFUSED_TYPES) or kind == str(dataclasses.KW_ONLY):
            raise TypeError(f"{cls.__qualname__}.{name}: a record has no {kind}")
        if name == "self" or name.startswith(_OWN):
            raise TypeError(f"{cls.__qualname__}.{name}: a record's field is not named so")
        if not kind.startswith("ClassVar"):
            names.append(name)
    return names


def _field(cls: type, name: str) -> _Field:
    """The field ``name``, its default taken off the class as ``dataclasses`` does."""
    value = cls.__dict__.get(name, _NO_DEFAULT)
    if not isinstance(value, dataclasses.Field):
        return _Field(name, _shareable(cls, name, value))
    if (
        not value.init
        or not value.repr
        or value.hash is not None
        or value.metadata
        or value.kw_only is not _NO_DEFAULT
    ):
        raise TypeError(
            f"{cls.__qualname__}.{name}: a record's field takes default, default_factory, compare"
        )
    if value.default is _NO_DEFAULT:
        delattr(cls, name)
    else:
        setattr(cls, name, value.default)
    return _Field(name, _shareable(cls, name, value.default), value.default_factory, bool(value.compare))


def _shareable(cls: type, name: str, default: object) -> object:
    """``default``, which every record made without the field shares: not mutable."""
    if default is not _NO_DEFAULT and type(default).__hash__ is None:
        raise ValueError(
            f"{cls.__qualname__}.{name}: a mutable default is shared, use field(default_factory=...)"
        )
    return default


def _defaults(fields: list[_Field]) -> dict[str, object]:
    defaults: dict[str, object] = {}
    for field in fields:
        if field.default is not _NO_DEFAULT:
            defaults[f"{_OWN}default_{field.name}"] = field.default
        if field.factory is not _NO_DEFAULT:
            defaults[f"{_OWN}factory_{field.name}"] = field.factory
    return defaults


def _source(cls: type, fields: list[_Field], order: bool) -> str:
    """``__init__``, ``__eq__``, ``__hash__`` (and the orderings) as one piece of source."""
    compared = "".join(f"self.{f.name}," for f in fields if f.compare)
    key, other = f"({compared})", f"({compared.replace('self.', 'other.')})"
    lines = [f"def __init__(self, {', '.join(_parameters(cls, fields))}):", *_assignments(cls, fields)]
    lines += ["def __eq__(self, other):", " if other.__class__ is self.__class__:"]
    lines += [f"  return {key} == {other}", " return NotImplemented"]
    lines += ["def __hash__(self):", f" return hash({key})"]
    for method, operator in _ORDERINGS.items() if order else ():
        lines += [f"def {method}(self, other):", " if other.__class__ is self.__class__:"]
        lines += [f"  return {key} {operator} {other}", " return NotImplemented"]
    return "\n".join(lines) + "\n"


def _parameters(cls: type, fields: list[_Field]) -> list[str]:
    parameters, defaulted = [], None
    for field in fields:
        if field.factory is not _NO_DEFAULT:
            parameters.append(f"{field.name}={_OWN}missing")
        elif field.default is not _NO_DEFAULT:
            parameters.append(f"{field.name}={_OWN}default_{field.name}")
        elif defaulted is not None:
            raise TypeError(f"{cls.__qualname__}.{field.name}: a field without a default follows {defaulted}")
        else:
            parameters.append(field.name)
        if field.factory is not _NO_DEFAULT or field.default is not _NO_DEFAULT:
            defaulted = defaulted or field.name
    return parameters


def _assignments(cls: type, fields: list[_Field]) -> list[str]:
    lines = []
    for field in fields:
        value = field.name
        if field.factory is not _NO_DEFAULT:
            value = f"{_OWN}factory_{field.name}() if {field.name} is {_OWN}missing else {field.name}"
        lines.append(f" {_OWN}set(self, {field.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        lines.append(" self.__post_init__()")
    return lines or [" pass"]


def _repr(self: object) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in getattr(type(self), _FIELD_NAMES))
    return f"{type(self).__qualname__}({shown})"


def _no_assignment(self: object, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _no_deletion(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _final(cls: type, /, **_: object) -> None:
    raise TypeError(f"{cls.__qualname__}: a record has no subclass ({cls.__mro__[1].__qualname__} is one)")
