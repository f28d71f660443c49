"""Setting up meetings: details, panel, households, imports and QR join cards."""
