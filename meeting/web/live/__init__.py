"""The screens of the live meeting for staff: the host's console, the projector, the secretary."""
