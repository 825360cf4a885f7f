"""Signed webhooks: the clinic's other systems hear of bookings, visits and intake.

`payloads` builds what is sent (ids, times and statuses only: never a health detail), `addresses`
decides where it may go, `signing` signs it, `services` keeps the endpoints and writes the
deliveries in the transaction of the event, and `sending` sends them for the outbox's one sender.
"""
