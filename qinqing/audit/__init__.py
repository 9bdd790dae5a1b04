"""The audit trail: every change of state, append-only and hash-chained.

Other apps call `qinqing.audit.services.audit_record` inside the transaction of their
change. Events are chained (sealed) in that transaction or just after it commits
(settings.AUDIT_SEALING), guarded by database triggers against UPDATE, DELETE and
TRUNCATE, and signed hourly in checkpoints with an Ed25519 key kept outside the
database. `manage.py verify_audit` recomputes the chain and names the first broken
event. The design, its guarantees and its limits are in docs/audit.md.
"""
