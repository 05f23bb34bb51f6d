"""Channel connectors of the intake assistant."""
