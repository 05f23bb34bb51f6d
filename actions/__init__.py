"""Custom actions of the intake assistant, one module per responsibility."""
