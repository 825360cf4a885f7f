"""The caller's address: X-Forwarded-For is believed only as far as the configured proxies wrote it."""

import pytest
from django.test import RequestFactory

from medspa.http import client_ip


def request(remote="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="203.0.113.5")) == "192.0.2.10"


def test_behind_one_proxy_the_address_it_appended_wins_over_anything_the_caller_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    forged = "198.51.100.1, 198.51.100.2, 203.0.113.5"  # the caller wrote two; the proxy appended the last
    assert client_ip(request(remote="10.0.0.2", forwarded=forged)) == "203.0.113.5"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_caller(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(remote="10.0.0.3", forwarded="198.51.100.1, 203.0.113.5, 10.0.0.2")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", ["", "203.0.113.5", "   "])
def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(remote="10.0.0.3", forwarded=forwarded)) == "10.0.0.3"


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "unknown", "999.1.1.1", "203.0.113.5:443"])
def test_an_entry_that_is_not_an_ip_address_falls_back_to_the_connection(settings, value):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(remote="10.0.0.2", forwarded=f"198.51.100.1, {value}")) == "10.0.0.2"


def test_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="2001:DB8:0:0::1")) == "2001:db8::1"
    assert client_ip(request(forwarded="::ffff:203.0.113.5")) == "203.0.113.5"


def test_a_missing_connection_address_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="")) is None
