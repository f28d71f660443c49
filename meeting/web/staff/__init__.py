"""Setting up meetings: details, panel, households, imports and QR join cards; the audit
trail and the sign-off of the minutes."""

# their pages join the staff blueprint before it is registered
from . import accounts as accounts
from . import audit as audit
