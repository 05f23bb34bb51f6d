"""The clinician's side: the intake record store."""
