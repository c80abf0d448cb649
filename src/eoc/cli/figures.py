"""`eoc figures`: placeholder until its issue fills it."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("figures", help="(not built yet)")
    parser.set_defaults(func=lambda args: None)
