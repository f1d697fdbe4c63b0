import pytest, logging

pytestmark = pytest.mark.compat


def test_probe(world):
    import openstack
    openstack.enable_logging(debug=True, http_debug=True)
    from openstack.connection import Connection
    conn = Connection(auth_url=world["url"] + "/v3", username="alpha-admin", password="Correct-Horse-42",
                      user_domain_name="alpha", project_name="cn-north-4", project_domain_name="alpha",
                      region_name="cn-north-4", interface="public")
    imgs = list(conn.image.images(limit=5))
    print(len(imgs), imgs[0])
    print(conn.image.get_image(imgs[0].id))
    assert 0
