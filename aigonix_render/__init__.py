"""aigonix-render: a GitOps manifest compiler for the Aigonix Platform."""

__version__ = "0.1.0"
