"""Running Lantern's processes: the front proxy's and supervisor's configuration, the watchdog."""
