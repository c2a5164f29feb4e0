# End-to-end tests of the daemon over HTTP on loopback.
