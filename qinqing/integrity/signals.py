"""What the integrity app tells the others.

`relation_declared` is sent inside the declaration's transaction, so that whatever the
declaring official answered for (a policy case's open step, an objection) is handed to
someone else in the same commit: never a declaration in force with the work still theirs.
Receivers get `declaration` (a `RelationDeclaration`)."""

from django.dispatch import Signal

relation_declared = Signal()
