"""The leaf every layer stands on: records, the observation model, vocabularies, the catalogue.

Nothing here imports another kpiflow package; ``extractors``, ``schemas``,
``reports``, ``warehouse`` and ``flows`` import from it (see the layers test,
``tests/test_layers.py``).
"""
