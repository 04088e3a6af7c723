"""The project shell's API faces: the cross-app endpoints (a bot turn, an interaction's status change)."""
