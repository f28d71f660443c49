"""Downloads of a meeting's minutes and notice list, for signed-in staff."""
