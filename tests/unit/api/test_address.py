import pytest

from vnpy_ctpsopt.api import FrontAddressError, normalize_front_address, parse_front_address


def test_tcp_and_ssl_are_native() -> None:
    front = parse_front_address("tcp://118.26.194.228:42205")
    assert front.is_native and front.host == "118.26.194.228" and front.port == 42205
    assert front.url == "tcp://118.26.194.228:42205"
    assert parse_front_address(" SSL://example.com:443 ").url == "ssl://example.com:443"


def test_sim_address_keeps_name_and_params_in_order() -> None:
    front = parse_front_address("sim://paper?seed=7&speed=2&state=memory")
    assert not front.is_native
    assert front.name == "paper"
    assert front.params == (("seed", "7"), ("speed", "2"), ("state", "memory"))
    assert parse_front_address("sim://").name == "default"


@pytest.mark.parametrize(
    "address",
    ["118.26.194.228:42205", "http://x:1", "tcp://hostonly", "tcp://:123", "tcp://h:notaport", ""],
)
def test_bad_addresses_list_the_accepted_forms(address: str) -> None:
    with pytest.raises(FrontAddressError) as info:
        parse_front_address(address)
    assert "tcp://host:port" in str(info.value) and "sim://" in str(info.value)


def test_normalize_adds_tcp_only_when_missing() -> None:
    assert normalize_front_address("1.2.3.4:5") == "tcp://1.2.3.4:5"
    assert normalize_front_address("sim://x") == "sim://x"
    assert normalize_front_address("  ") == ""
