"""The ``kops`` command line (click). Command modules import only click at module level."""
