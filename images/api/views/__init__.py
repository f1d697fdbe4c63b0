"""API views of the images app (IMS and Glance), one module per family; routes in `images/api/urls.py`."""
