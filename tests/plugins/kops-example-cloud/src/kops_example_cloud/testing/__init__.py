"""The example cloud's stand-in: its API in memory (:mod:`.cloudstate`), served over HTTP (:mod:`.server`), started
by the testbed (:mod:`.testbed`)."""
