"""URLconfs of hosts that got something wrong, for the system checks' tests."""
