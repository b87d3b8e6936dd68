"""The commands built on the stages: one module a command, each imported where it is run.

It takes what the user asked for (from ``cli`` or the Action) and returns what the command
prints or writes: ``pipeline`` (validate and ``render`` in full: the stages in order),
``generate`` (one application environment for Argo CD's plugin), ``review`` (``diff
--base``: a git revision rendered and compared with the tree now; ``revision`` reads the
tree at the revision from git, ``review_changes`` holds the result, ``review_format``
shows it as text or Markdown), ``edit`` (``set image`` and ``set env``; ``yaml_edit``
changes the one value in the YAML text), ``init``, ``show``, ``importer`` (``import``: a dump of the platform's objects →
a tree), ``reporter`` (problems as text, JSON or GitHub annotations) and ``pr_comment``
(the pull-request comment); for ``cli`` itself, ``cli_edit`` (the click commands that
write a tree: ``init``, ``set``, ``import``) and ``cli_options`` (the click options they
share with ``cli``). Each command is imported from its own module, not from here:
``generate`` must start in a fraction of a second and may not load what ``import`` needs.
"""
