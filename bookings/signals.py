"""What bookings tells the apps above it (intake, reminders). Bookings imports none of them.

Each is sent inside the transaction that made the change, with `appointment=` (or `entry=`), so a receiver's
writes (an outbox row, an intake record) commit or roll back with it. Receivers must not do
slow work or talk to the network: they enqueue that with transaction.on_commit.
"""

from django.dispatch import Signal

appointment_booked = Signal()  # appointment
appointment_rescheduled = Signal()  # appointment, previous_start, previous_provider_id
appointment_cancelled = Signal()  # appointment
# appointment, ended_at (when the visit really ended: the completion time, or the booked end if
# completed later), now (the time of the completion)
appointment_completed = Signal()
# The patient arrived / did not come: `event` is the AppointmentEvent just written (a check-in that was
# undone and made again is a new event), `now` the time of it.
appointment_checked_in = Signal()  # appointment, event, now
appointment_no_show = Signal()  # appointment, event, now
# A one-time code to send to the contact details on file (reminders writes the outbox row).
identity_code_requested = Signal()  # appointment, identity_code
# The person holding an online booking's link proved control of the email on file (intake then
# counts what was submitted through that link as the patient's own).
appointment_identity_verified = Signal()  # appointment, now
# A waitlist entry was just offered a freed time (reminders writes the offer into the outbox).
waitlist_offer_made = Signal()  # entry, now
