"""placeholder"""


def add_arguments(parser):  # type: ignore[no-untyped-def]
    pass
