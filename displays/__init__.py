"""What shows calls: the counter-sign agent (the hall display page is served by the centre)."""
