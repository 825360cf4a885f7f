"""Staff sign-in: the throttled password step, two-factor codes, and how long a session lasts."""
