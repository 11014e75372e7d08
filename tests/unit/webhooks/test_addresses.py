"""The SSRF guard's address rules: which addresses webhooks may go to, and what the
operator's allow list exempts."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.webhooks.addresses import AllowedTargets, IPAddress, forbidden_because

# One or more of each family the issue names, with the reason it is refused.
FORBIDDEN = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("fd12:3456::1", "unique-local"),
    ("fc00::1", "unique-local"),
    ("::ffff:127.0.0.1", "IPv4-mapped"),
    ("::ffff:10.0.0.1", "IPv4-mapped"),
    ("::ffff:93.184.215.14", "IPv4-mapped"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.170.2", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.2.1", "reserved"),
    ("2002:7f00:1::", "carrying 127.0.0.1, a loopback address"),
    ("2002:a9fe:a9fe::", "carrying 169.254.169.254, a cloud metadata service"),
    ("64:ff9b::a00:1", "carrying 10.0.0.1, a private address"),
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2002:5db8:d70e::"]


@pytest.mark.parametrize(("address", "reason"), FORBIDDEN)
def test_every_forbidden_address_family_is_refused_naming_it(address: str, reason: str) -> None:
    because = forbidden_because(ip_address(address))
    assert because is not None
    assert reason in because


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_may_receive_webhooks(address: str) -> None:
    assert forbidden_because(ip_address(address)) is None


# IPv6 that carries IPv4: 6to4 and NAT64 are judged by the IPv4 address (tested above);
# IPv4-mapped addresses are refused whatever they carry, stricter than the registry.
_CARRYING_IPV4 = (ip_network("2002::/16"), ip_network("64:ff9b::/96"), ip_network("::ffff:0:0/96"))


@given(address=st.ip_addresses())
def test_only_global_unicast_addresses_pass_as_pythons_registry_says(
    address: IPv4Address | IPv6Address,
) -> None:
    if any(address in network for network in _CARRYING_IPV4):
        return
    # Multicast is global in the registry, but no webhook receiver.
    assert (forbidden_because(address) is None) == (address.is_global and not address.is_multicast)


@given(address=st.ip_addresses(v=4))
def test_an_ipv4_address_mapped_into_ipv6_is_refused_whatever_it_is(address: IPv4Address) -> None:
    mapped = IPv6Address(f"::ffff:{address}")
    assert forbidden_because(mapped) == "an IPv4-mapped IPv6 address"


def _addresses(*texts: str) -> list[IPAddress]:
    return [ip_address(text) for text in texts]


def test_one_forbidden_address_among_the_answers_refuses_the_host() -> None:
    reason = AllowedTargets().refusal("hooks.example.com", _addresses("93.184.215.14", "10.0.0.7"))
    assert reason is not None
    assert reason.startswith("'hooks.example.com' resolves to 10.0.0.7, a private address")
    assert "ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS" in reason


def test_the_allow_list_exempts_listed_hosts_addresses_and_ranges() -> None:
    allowed = AllowedTargets.parse(" Hooks.Internal. , 127.0.0.1, 10.1.0.0/16 ,, ::1")
    assert allowed.refusal("hooks.internal", _addresses("10.9.9.9")) is None
    assert allowed.refusal("127.0.0.1", _addresses("127.0.0.1")) is None
    assert allowed.refusal("::1", _addresses("::1")) is None
    assert allowed.refusal("ci.internal", _addresses("10.1.200.3")) is None
    assert allowed.refusal("ci.internal", _addresses("10.2.0.1")) is not None
    assert allowed.refusal("127.0.0.2", _addresses("127.0.0.2")) is not None
    # Mapped, an allowed IPv4 address is another address, and still refused.
    assert allowed.refusal("x", _addresses("::ffff:127.0.0.1")) is not None


def test_an_empty_allow_list_allows_nothing_private() -> None:
    assert AllowedTargets.parse("") == AllowedTargets()
    assert AllowedTargets().refusal("127.0.0.1", _addresses("127.0.0.1")) is not None


@pytest.mark.parametrize("entry", ["http://hooks.internal", "10.0.0.0/33", "a b"])
def test_an_allow_list_entry_that_is_neither_host_nor_range_fails_at_start(entry: str) -> None:
    with pytest.raises(ValueError, match="ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS"):
        AllowedTargets.parse(entry)
