"""A fake Azure (ARM + Microsoft Graph) HTTPS server and the fake Northwind estate it serves."""
