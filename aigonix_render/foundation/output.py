"""What render makes and write stores: one file of the output directory, as text.

Its own module so that render (which makes these) does not depend on the write stage.
"""

from __future__ import annotations

from aigonix_render.foundation.records import record


@record
class OutputFile:
    """One rendered file: its path in the output directory and its text."""

    path: str
    text: str
