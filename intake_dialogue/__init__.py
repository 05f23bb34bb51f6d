"""Dialogue: the rule policy named in config.yml and the response generator named in
endpoints.yml."""
