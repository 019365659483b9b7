"""The client's network address, honouring X-Forwarded-For only from trusted proxies.

Flood limits (kontaktcenter.flood) and the console's login throttling count per
address. Behind a reverse proxy (HAProxy with ``option forwardfor``) every resident
arrives from the proxy's address, so one busy proxy would be limited as one client; but
``X-Forwarded-For`` is an ordinary header that any client can forge. So the header is
read only when the direct peer is in ``KC_TRUSTED_PROXIES`` (comma-separated IPs and
CIDR networks; empty, the default, trusts nobody). Each proxy appends the address it
received the request from, so the chain is read from the right: the client is the
right-most address that is not itself a trusted proxy. Everything to its left was
written by the client and is ignored.

Plain Python (no Rasa, Sanic or aiohttp imports): the channels and the console pass the
peer address and the header lines they got.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping

ENV_VAR = "KC_TRUSTED_PROXIES"
HEADER = "X-Forwarded-For"
# A chain longer than this is read only from the right this far (no real deployment has
# more proxies; a client cannot make us walk an arbitrarily long header).
MAX_HOPS = 32

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
TrustedProxies = tuple[Network, ...]


def parse_trusted_proxies(value: str | None) -> TrustedProxies:
    """``KC_TRUSTED_PROXIES`` as networks; a Swedish ValueError names a bad entry.

    A network that covers every address (``0.0.0.0/0``, ``::/0``) is refused: trusting
    everyone is exactly the forged-header hole this setting exists to close.
    """
    networks: list[Network] = []
    for raw in (value or "").split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(
                f"{ENV_VAR}: {entry!r} är ingen IP-adress eller CIDR "
                "(t.ex. 10.0.0.5, 10.0.0.0/8 eller 2001:db8::/32)."
            ) from None
        if network.prefixlen == 0:
            raise ValueError(
                f"{ENV_VAR}: {entry!r} litar på alla adresser; ange bara proxyns adresser."
            )
        networks.append(_unmapped_network(network))
    return tuple(networks)


def trusted_proxies_from_env(env: Mapping[str, str] | None = None) -> TrustedProxies:
    """The trusted proxies configured in the environment (none when unset)."""
    return parse_trusted_proxies((os.environ if env is None else env).get(ENV_VAR))


def client_address(
    peer: str | None, forwarded_for: Iterable[str] | str | None, trusted: TrustedProxies
) -> str | None:
    """The address to count a request against.

    ``peer`` is the direct peer of the connection; ``forwarded_for`` the request's
    ``X-Forwarded-For`` header lines in order (several lines read as one comma list).
    Without a trusted peer the header is ignored and the peer is the client. From a
    trusted peer the chain is walked from the right over trusted proxies; the first
    address that is not one is the client. An entry that is no address stops the walk:
    the last trusted hop is then the client (never a value the client chose).
    """
    peer_ip = parse_address(peer)
    if peer_ip is None:
        return peer or None  # not an IP (a unix socket, say): nothing to trust
    if not _is_trusted(peer_ip, trusted) or not forwarded_for:
        return str(peer_ip)
    lines = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for)
    hops = [hop for line in lines for hop in str(line).split(",")]
    client = peer_ip
    for hop in reversed(hops[-MAX_HOPS:]):
        address = parse_address(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, trusted):
            break
    return str(client)


def parse_address(text: str | None) -> Address | None:
    """One address as proxies write it: ``1.2.3.4``, ``1.2.3.4:80``, ``2001:db8::1``,
    ``[2001:db8::1]:443``; IPv4-mapped IPv6 as IPv4. None for anything else."""
    value = (text or "").strip().strip('"')
    if not value or len(value) > 64:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1:] and not _is_port(value[end + 1:])):
            return None
        value = value[1:end]
    elif value.count(":") == 1:
        host, port = value.split(":")
        if not port.isdigit():
            return None
        value = host
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return _unmapped(address)


def _is_port(text: str) -> bool:
    return text.startswith(":") and text[1:].isdigit()


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _unmapped_network(network: Network) -> Network:
    """``::ffff:10.0.0.0/104`` as ``10.0.0.0/8``, so mapped peers match IPv4 entries."""
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    return network


def _is_trusted(address: Address, trusted: TrustedProxies) -> bool:
    return any(address.version == net.version and address in net for net in trusted)
