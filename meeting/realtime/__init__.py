"""Socket.IO: who may connect to which meeting, the state each screen receives, broadcasts."""
