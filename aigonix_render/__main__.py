"""``python -m aigonix_render``: the command line, as the ``aigonix-render`` script runs it."""

from aigonix_render.cli import main

main()
