"""Edge centres: a station's own centre, which owns its queues while the city keeps the
whole picture (`station.py` on the station, `city.py` on the city; the rows that travel
are `storage/replication.py`'s)."""
