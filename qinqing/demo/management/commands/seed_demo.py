from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qinqing.demo.seeding import city_exists, logins, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo city (organisations, enterprises, its officials and enterprise users, "
        "twenty policies and half a year of their cases)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--enterprises", type=int, default=2000, help="how many enterprises (default 2000)"
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo city exists")
        parser.add_argument("--seed", type=int, default=20221013, help="random seed of the generator")
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help="publish the policies but load no cases, invitations or story (quicker; for benchmarks)",
        )

    def handle(
        self, *args: Any, enterprises: int, if_empty: bool, seed: int, no_cases: bool, **options: Any
    ) -> None:
        if city_exists():
            if if_empty:
                self.stdout.write("The demo city is already loaded.")
                return
            raise CommandError("The demo city is already loaded; use a fresh database.")
        if enterprises < 10:
            raise CommandError("--enterprises must be at least 10.")
        seed_demo(enterprises=enterprises, seed=seed, say=self.stdout.write, cases=not no_cases)
        self.stdout.write(self.style.SUCCESS("Demo city loaded. Logins:"))
        for role, username, password in logins():
            self.stdout.write(f"  {username:<10} {password}  {role}")
