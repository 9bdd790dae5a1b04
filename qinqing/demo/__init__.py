"""The demo city. `logins()` lists one login per role for the demo's start banner."""


def logins() -> list[tuple[str, str, str]]:
    from .seeding import logins as _logins

    return _logins()
