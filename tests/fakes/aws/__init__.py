"""AWS test doubles: moto in server mode with a request log and fault injection, plus seeds."""
