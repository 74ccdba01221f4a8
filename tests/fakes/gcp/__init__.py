"""A local fake of the Google Cloud APIs the GCP collector reads."""
