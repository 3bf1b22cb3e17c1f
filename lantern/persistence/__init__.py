"""Where conversations are kept: Lantern's tracker and lock stores and what they rely on.

`stores` holds the classes endpoints.yml names (`LanternTrackerStore`: SQLite or
PostgreSQL, `LanternLockStore`: memory or Redis); `tracker_encryption` encrypts
events at rest with the key rings of `key_ring` (the intake store uses those too);
`held_trackers` keeps saved conversations in memory between turns; `retention`
deletes them when their time is up. One package, so everything that decides what
is stored, for how long and how it is protected is reviewed in one place.
Importing the package imports nothing else (`stores` pulls in Rasa).
"""
