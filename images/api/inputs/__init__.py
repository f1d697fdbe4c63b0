"""Input serializers of the images API: they parse the wire format (IMS and Glance bodies) into the typed
keyword arguments a service takes, and give the OpenAPI schema its request types. One module per family."""
