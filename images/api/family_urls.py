"""URL patterns of the image-management families (update and tags, members, copy and export), kept apart so
that each family's module owns its own routes."""
from images.api.copy_urls import urlpatterns as copy_patterns
from images.api.members_urls import urlpatterns as member_patterns
from images.api.update_urls import urlpatterns as update_patterns

urlpatterns = [*update_patterns, *member_patterns, *copy_patterns]
