from kops_openstack.api import ERRORS


class _Err(Exception):
    def __init__(self, code):
        super().__init__(f"status {code}")
        self.status_code = code


def test_transient_statuses():
    assert ERRORS.transient(_Err(409))
    assert ERRORS.transient(_Err(503))
    assert ERRORS.transient(_Err(429))
    assert not ERRORS.transient(_Err(404))
    assert not ERRORS.transient(ValueError("x"))
