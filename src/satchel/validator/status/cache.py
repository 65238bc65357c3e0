"""PLACEHOLDER: the per-URL status-list cache lands here."""


class StatusListCache:
    pass
