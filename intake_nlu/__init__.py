"""The NLU components named in config.yml, one per file: the crisis detector, the concern
extractor, the intent classifier, and the spaCy pipeline builder they share."""
