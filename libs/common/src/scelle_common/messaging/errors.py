"""Errors a consumer handler raises to say how a message must be treated."""


class PermanentError(Exception):
    """Retrying cannot help (invalid data, impossible state): dead-letter the message now.

    Any other exception is taken as transient and the message is requeued, up to
    the queue's delivery limit.
    """
