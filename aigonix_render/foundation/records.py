"""Immutable value classes that cost little to define: ``record`` and ``replace``.

Every command imports the classes of the stages it runs before it does any work, and
``generate`` runs for every Argo CD Application of a commit. On Python 3.11 a
``dataclasses.dataclass(frozen=True)`` compiles six methods, one ``exec`` each: about
0.6 ms a class, 35 ms of ``generate``'s imports for its 53 classes. ``record`` compiles
``__init__``, ``__eq__`` and ``__hash__`` (and the orderings when asked) in one ``exec``,
about 0.17 ms, and shares the rest (``__repr__``, the frozen ``__setattr__``). The methods
it writes do what a frozen dataclass's do, at the same speed per object.

What this project uses of frozen dataclasses is what a record offers: fields declared by
annotations, in order; defaults, and ``dataclasses.field`` with ``default``,
``default_factory`` or ``compare=False``; ``__post_init__``; ``order=True``; ``replace``
(``dataclasses.replace``); ``__match_args__``; pickling and copying (the instance's
``__dict__`` is set directly, as for any class). Type checkers read a record as a frozen
dataclass (``dataclass_transform``). Mutable working state stays a plain dataclass.
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


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of the record ``obj`` with ``changes`` (``dataclasses.replace``)."""
    values = {name: getattr(obj, name) for name in type(obj).__match_args__}  # type: ignore[attr-defined]
    return type(obj)(**{**values, **changes})


def _make(cls: type[_T], order: bool) -> type[_T]:
    fields = [_field(cls, name, annotation) for name, annotation in _annotations(cls)]
    scope: dict[str, object] = {"_set": object.__setattr__, "_NO_DEFAULT": _NO_DEFAULT}
    scope.update(_defaults(fields))
    made: dict[str, Any] = {}
    exec(_source(cls, fields, order), scope, made)
    for name, method in made.items():
        if name not in cls.__dict__:
            setattr(cls, name, method)
    for name, method in (("__repr__", _repr), ("__setattr__", _frozen), ("__delattr__", _frozen)):
        if name not in cls.__dict__:
            setattr(cls, name, method)
    setattr(cls, _FIELD_NAMES, tuple(field.name for field in fields))
    return cls


def _annotations(cls: type) -> list[tuple[str, object]]:
    annotations = inspect.get_annotations(cls)  # inspect: loaded already, by dataclasses
    return [(n, a) for n, a in annotations.items() if not str(a).startswith(("ClassVar", "typing.ClassVar"))]


def _field(cls: type, name: str, annotation: object) -> _Field:
    """The field ``name``, its default taken off the class as ``dataclasses`` does."""
    value = cls.__dict__.get(name, _NO_DEFAULT)
    if not isinstance(value, dataclasses.Field):
        if isinstance(value, list | dict | set):
            raise ValueError(
                f"{cls.__qualname__}.{name}: a mutable default is shared, use field(default_factory=...)"
            )
        return _Field(name, default=value)
    if value.default is _NO_DEFAULT:
        delattr(cls, name)
    else:
        setattr(cls, name, value.default)
    return _Field(name, value.default, value.default_factory, bool(value.compare))


def _defaults(fields: list[_Field]) -> dict[str, object]:
    defaults: dict[str, object] = {}
    for field in fields:
        if field.default is not _NO_DEFAULT:
            defaults[f"_default_{field.name}"] = field.default
        if field.factory is not _NO_DEFAULT:
            defaults[f"_factory_{field.name}"] = field.factory
    return defaults


def _source(cls: type, fields: list[_Field], order: bool) -> str:
    """``__init__``, ``__eq__``, ``__hash__`` (and the orderings) as one piece of source."""
    compared = "".join(f"self.{f.name}," for f in fields if f.compare)
    key, other = f"({compared})", f"({compared.replace('self.', 'other.')})"
    lines = [f"def __init__(self, {', '.join(_parameter(f) for f in fields)}):", *_assignments(cls, fields)]
    lines += ["def __eq__(self, other):", " if other.__class__ is self.__class__:"]
    lines += [f"  return {key} == {other}", " return NotImplemented"]
    lines += ["def __hash__(self):", f" return hash({key})"]
    for method, operator in _ORDERINGS.items() if order else ():
        lines += [f"def {method}(self, other):", " if other.__class__ is self.__class__:"]
        lines += [f"  return {key} {operator} {other}", " return NotImplemented"]
    return "\n".join(lines) + "\n"


def _parameter(field: _Field) -> str:
    if field.factory is not _NO_DEFAULT:
        return f"{field.name}=_NO_DEFAULT"
    if field.default is not _NO_DEFAULT:
        return f"{field.name}=_default_{field.name}"
    return field.name


def _assignments(cls: type, fields: list[_Field]) -> list[str]:
    lines = []
    for field in fields:
        value = field.name
        if field.factory is not _NO_DEFAULT:
            value = f"_factory_{field.name}() if {field.name} is _NO_DEFAULT else {field.name}"
        lines.append(f" _set(self, {field.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        lines.append(" self.__post_init__()")
    return lines or [" pass"]


def _repr(self: object) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__match_args__)  # type: ignore[attr-defined]
    return f"{type(self).__qualname__}({shown})"


def _frozen(self: object, name: str, *value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
