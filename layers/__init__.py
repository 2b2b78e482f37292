"""Live layers of the twin: ATCS traffic observations and citizen complaints, stored and on H3."""

__all__: list[str] = []
