"""Stage 5, the check over everything rendered: a ``Rendering`` → the problems Kubernetes
would have with it, before anything is sealed or written.

Two kinds of mistakes pass every rule of the input and still break the output: two
rendered things that meet (the same object from two places, or one output file written
twice) and objects the Kubernetes API server refuses (a name, a label, a host, a path, a
quantity, a size or a string it does not take). Instead of a rule per way of getting
there, this package reads what render made and checks all of it, so a new template or
name is checked without a new rule. Each problem is reported at the input the thing came
from (the microservice, the environment, the application), and at both sources when two
things meet.

Reading 23,000 objects (N=1000 microservices) with libyaml costs seconds, so the check
reads render's own canonical YAML (block style, ``yaml_text``'s scalars) only where its
rules look: one match reads an object's head (``objects.read_object``), a search finds the
blocks whose meaning does not depend on where they are (``blocks.block_rules``), and
``reader.read_block`` parses those, once per distinct text, and the few ``spec`` sections
a rule reads whole. Text in any other style goes to libyaml (``reader.read_libyaml``).
``tests/hardening/test_output_check`` proves that both readings give the same objects and
the same findings, on every object of the sample, a hostile tree, every case and generated
trees.

One job a module: ``reader`` (canonical YAML, else libyaml), ``objects`` (what each
rendered object is, and a ``Finding`` in one), ``sources`` (the input each comes from),
``collisions`` (two things that meet, shared databases), ``apiserver`` (every rule of every
object, told once) with its rules in ``metadata``, ``blocks``, ``quantities``, ``routes``,
``workloads`` and ``sizes``; ``found`` (every object read and its rules run, on two cores
for a large rendering, ``foundation.in_two``); and ``immutable`` (``refusals``: changes Kubernetes cannot
apply in place, against the previous output). The package offers ``check_rendering``,
``check_secret_size`` (for the seal stage), ``refusals`` and the two limits; and
``check_kept`` with ``Told`` and ``Verdict`` (``verdicts``: kept verdicts joined with new
ones). ``verdicts`` and ``immutable`` load when a name of theirs is first used
(``foundation.lazy``): ``generate``, run by Argo CD for every Application, needs neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aigonix_render.check.apiserver import told_once
from aigonix_render.check.collisions import file_collisions, object_collisions, shared_databases
from aigonix_render.check.found import objects_found
from aigonix_render.check.metadata import ANNOTATIONS_LIMIT
from aigonix_render.check.sizes import OBJECT_SIZE_LIMIT, check_secret_size
from aigonix_render.check.sources import Places
from aigonix_render.foundation import Problem, lazy_exports, sort_problems
from aigonix_render.load import Tree
from aigonix_render.model import Model
from aigonix_render.render import Rendering

if TYPE_CHECKING:
    from aigonix_render.check.immutable import refusals
    from aigonix_render.check.verdicts import Told, Verdict, check_kept

HOMES = {"immutable": ("refusals",), "verdicts": ("Told", "Verdict", "check_kept")}
__getattr__ = lazy_exports(__name__, HOMES)

__all__ = [
    "ANNOTATIONS_LIMIT",
    "OBJECT_SIZE_LIMIT",
    "Told",
    "Verdict",
    "check_kept",
    "check_rendering",
    "check_secret_size",
    "refusals",
]


def check_rendering(rendering: Rendering, model: Model, tree: Tree) -> list[Problem]:
    """Every collision and every object the API server would refuse, sorted."""
    places = Places.of(model, tree)
    objects, found = objects_found(rendering, places)
    problems = [
        *object_collisions(objects, places),
        *file_collisions(rendering, objects, places),
        *shared_databases(objects, places),
        *told_once(
            (problem, obj) for obj, problems in zip(objects, found, strict=True) for problem in problems
        ),
    ]
    return sort_problems(problems)
