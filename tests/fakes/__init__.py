"""Local fake servers that speak the real APIs over HTTP (GitHub, Azure), started by test fixtures.

Nothing here patches an SDK: collectors are pointed at a 127.0.0.1 base URL and talk HTTP.
"""
