"""The practice's side: its settings, the clinician summary, the staff CLI, PHQ-9/GAD-7,
the plain words for concerns, the IPT wording and the scheduling normalizer."""
