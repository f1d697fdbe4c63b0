"""Console pages of the images app, one module per family; routes in `images/urls.py`."""
