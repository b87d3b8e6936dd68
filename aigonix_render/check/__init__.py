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
rules look: one match reads an object's head (``objects._HEAD``), a search finds the blocks
whose meaning does not depend on where they are (``blocks._keyed_blocks``), and
``reader._read_block`` parses those, once per distinct text, and the few ``spec`` sections
a rule reads whole. Text in any other style goes to libyaml. ``tests/test_output_check``
proves that both readings give the same objects and the same findings, on every object of
the sample, a hostile tree, every case and generated trees.

One job a module: ``reader`` (canonical YAML, else libyaml), ``objects`` (what each
rendered object is), ``sources`` (the input each comes from), ``collisions`` (two things
that meet, shared databases), ``apiserver`` (every rule of every object, told once) with
its rules in ``metadata``, ``blocks``, ``quantities``, ``routes``, ``workloads`` and
``sizes``.
"""

from __future__ import annotations

from aigonix_render.check.apiserver import _kind_rules as _kind_rules
from aigonix_render.check.apiserver import _refused
from aigonix_render.check.blocks import _block_rules as _block_rules
from aigonix_render.check.collisions import _file_collisions, _object_collisions, _shared_databases
from aigonix_render.check.immutable import refusals
from aigonix_render.check.metadata import ANNOTATIONS_LIMIT
from aigonix_render.check.metadata import _name_rules as _name_rules
from aigonix_render.check.objects import _Finding as _Finding
from aigonix_render.check.objects import _Object as _Object
from aigonix_render.check.objects import _object as _object
from aigonix_render.check.objects import _pending, _read_files
from aigonix_render.check.objects import _read as _read
from aigonix_render.check.reader import _libyaml as _libyaml
from aigonix_render.check.reader import _read_block as _read_block
from aigonix_render.check.reader import _whole as _whole
from aigonix_render.check.sizes import OBJECT_SIZE_LIMIT, check_secret_size
from aigonix_render.check.sizes import _size_rules as _size_rules
from aigonix_render.check.sizes import _string_rules as _string_rules
from aigonix_render.check.sources import _Places
from aigonix_render.foundation import Problem, sort_problems
from aigonix_render.load import Tree
from aigonix_render.model import Model
from aigonix_render.render import Rendering

__all__ = ["ANNOTATIONS_LIMIT", "OBJECT_SIZE_LIMIT", "check_rendering", "check_secret_size", "refusals"]
# The ``x as x`` imports above are what tests/test_output_check reads to prove the fast
# reading and libyaml's agree: each reading, and each rule of one object.


def check_rendering(rendering: Rendering, model: Model, tree: Tree) -> list[Problem]:
    """Every collision and every object the API server would refuse, sorted."""
    places = _Places.of(model, tree)
    objects = [*_read_files(rendering), *(_pending(secret) for secret in rendering.secrets)]
    problems = [
        *_object_collisions(objects, places),
        *_file_collisions(rendering, objects, places),
        *_shared_databases(objects, places),
        *_refused(objects, places),
    ]
    return sort_problems(problems)
