"""aigonix-render: a GitOps manifest compiler for the Aigonix Platform.

The pipeline, one package a stage, each importing only the stages before it and the
foundations: ``load`` reads the tree, ``validate`` checks it, ``model`` makes the values
render reads, ``render`` writes Kubernetes objects as text, ``check`` refuses what the API
server would refuse, ``seal`` encrypts the Secrets, ``write`` replaces the output
directory. ``commands`` joins the stages per command; ``cli`` is the command line and the
one error boundary.
"""

__version__ = "0.1.0"

# The stages in the pipeline's order; a package imports only those before it.
STAGES = ("foundation", "load", "validate", "model", "render", "check", "seal", "write", "commands")
