class SupervisionError(ValueError):
    """A step that cannot be taken now; the message is shown to the user as is."""
