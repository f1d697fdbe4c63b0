"""Keys: customer master keys per account and region, data keys, and the providers that hold them."""
