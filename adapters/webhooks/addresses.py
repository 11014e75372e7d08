"""Which addresses webhooks may be sent to: public ones only, unless the operator allows
a target (ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS). The guard against server-side request
forgery: a subscriber must not make the registry call into its own network.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

_METADATA = "a cloud metadata service"
# The first range that holds an address names the reason; more specific ranges first.
_FORBIDDEN: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ip_network(network), reason)
    for network, reason in (
        ("169.254.169.254/32", _METADATA),  # AWS, GCP, Azure, OpenStack, Oracle, ...
        ("169.254.170.2/32", _METADATA),  # AWS ECS task metadata
        ("100.100.100.200/32", _METADATA),  # Alibaba Cloud
        ("fd00:ec2::254/128", _METADATA),  # AWS over IPv6
        ("::ffff:0:0/96", "an IPv4-mapped IPv6 address"),
        ("0.0.0.0/8", "an unspecified ('this network') address"),
        ("::/128", "the unspecified address"),
        ("127.0.0.0/8", "a loopback address"),
        ("::1/128", "a loopback address"),
        ("10.0.0.0/8", "a private address"),
        ("172.16.0.0/12", "a private address"),
        ("192.168.0.0/16", "a private address"),
        ("100.64.0.0/10", "a carrier-grade NAT (shared) address"),
        ("169.254.0.0/16", "a link-local address"),
        ("fe80::/10", "a link-local address"),
        ("fc00::/7", "a unique-local address"),
        ("224.0.0.0/4", "a multicast address"),
        ("ff00::/8", "a multicast address"),
    )
)
# IPv6 ranges that carry an IPv4 address inside: judged by that address.
_SIX_TO_FOUR = ip_network("2002::/16")
_NAT64 = ip_network("64:ff9b::/96")


def forbidden_because(address: IPAddress) -> str | None:
    """Why webhooks may not go to `address`, or None if it is a public address."""
    for network, reason in _FORBIDDEN:
        if address in network:
            return reason
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner = forbidden_because(embedded)
        return None if inner is None else f"an IPv6 address carrying {embedded}, {inner}"
    if not address.is_global:
        return "an address reserved for special use, not a public one"
    return None


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    if not isinstance(address, IPv6Address):
        return None
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True, slots=True)
class AllowedTargets:
    """What the operator exempts from the guard: host names and address ranges."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, setting: str) -> AllowedTargets:
        """From a comma-separated list of host names, addresses and CIDR ranges."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (part.strip() for part in setting.split(",")):
            if not entry:
                continue
            try:
                networks.append(ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if "/" in entry or ":" in entry or " " in entry:
                raise ValueError(
                    f"ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS: {entry!r} is neither a host name nor "
                    "an address or CIDR range (e.g. 'hooks.internal, 10.1.0.0/16, 127.0.0.1')"
                )
            hosts.add(_host_key(entry))
        return cls(frozenset(hosts), tuple(networks))

    def refusal(self, host: str, addresses: list[IPAddress]) -> str | None:
        """Why `host`, resolved to `addresses`, may not be called; None if it may. One
        forbidden address among them is enough: the connection could go to any."""
        if _host_key(host) in self.hosts:
            return None
        for address in addresses:
            if any(address in network for network in self.networks):
                continue
            reason = forbidden_because(address)
            if reason is not None:
                written = literal_address(host) == address
                where = f"'{host}' is" if written else f"'{host}' resolves to {address},"
                return (
                    f"{where} {reason}: webhooks go only to public addresses (an operator "
                    "can exempt a target with ADR_REGISTRY_WEBHOOK_ALLOW_HOSTS)"
                )
        return None


def _host_key(host: str) -> str:
    return host.lower().rstrip(".")


def literal_address(host: str) -> IPAddress | None:
    """The address a host is written as, if it is one (IPv6 without brackets)."""
    try:
        return ip_address(host)
    except ValueError:
        return None
