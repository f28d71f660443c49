"""Setting up meetings: details, panel, households, imports and QR join cards; the audit
trail and the sign-off of the minutes."""

from . import audit as audit  # its pages join the staff blueprint before it is registered
