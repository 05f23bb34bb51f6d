"""Where conversations and intake records are kept: the tracker store and lock store
named in the endpoints files, the intake record store, and erasure across both."""
