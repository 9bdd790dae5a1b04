"""The one router every module of the ledger API registers on: a path served by two
modules (GET /problems reads, POST /problems reports) must sit on one router, or the
second method would never be reached. Each module tags its operations itself."""

from ninja import Router

router = Router()
