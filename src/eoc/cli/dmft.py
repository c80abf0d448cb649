"""`eoc dmft`: placeholder until its issue fills it."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("dmft", help="(not built yet)")
    parser.set_defaults(func=lambda args: None)
