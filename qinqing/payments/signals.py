"""What the payments app tells the apps that asked for a payment, and asks them.

`payment_settled` and `payment_failed` are sent with `instruction=<PaymentInstruction>`,
inside the transaction that records the outcome, at most once per outcome: a receiver
that raises rolls the recording back (and the outcome is recorded again on the next
reconciliation).
"""

from django.dispatch import Signal

# The money arrived: the gateway settled the transfer (by its answer, by a settlement
# notice, or when asked by key). Sent once per instruction, however often it is told.
payment_settled = Signal()

# A definitive rejection by the gateway: no money moved. An officer may retry
# (`payment_retry`) after fixing the cause; a later settlement sends payment_settled.
payment_failed = Signal()

# Asked before a failed payment is sent again (and before a page offers to), with
# `actor` and `instruction`: the app that asked for the payment answers why the actor may
# not retry it (its own rules on the record paid for, e.g. recusal), or None. Every
# route that retries goes through `payments.services.payment_retry`, which asks.
payment_retry_asked = Signal()

# A failed payment was sent again (`payment_retry`, by whichever route), with `actor` and
# `instruction`, inside the retry's transaction: the app that asked for the payment puts
# its record back to "being paid" in the same commit.
payment_resent = Signal()

# Asked when a failed payment is sent again, with `instruction`: the app that asked for
# the payment answers the payee it pays today ({"payee_name", "payee_account",
# "payee_bank"}) if it keeps the payee itself (a policy case pays the enterprise's
# verified bank account in the registry: corrected there, never typed in at a retry), or
# None (an officer may correct the payee by hand). It raises `ValidationFailed` when
# nobody can be paid (the account is not verified).
payment_payee_asked = Signal()
