"""The tutorial's experiments and the ``minigrad`` command (see ``experiments/__main__.py``)."""
