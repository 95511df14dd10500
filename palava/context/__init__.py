"""Cultural context of places: the pure date logic of the cultural calendar (Hijri, recurrence)."""
