class IntakeError(Exception):
    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field  # the form field the message belongs to, when there is one
