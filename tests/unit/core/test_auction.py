"""Single-price call auction uncross (matching.auction_price / call_auction) on hand-made
order sets: max executed volume, then the smallest imbalance, then the price closest to the
reference (SSE/SZSE option rules), then the higher price; price-time priority on each side."""

from __future__ import annotations

import pytest

from vnpy_ctpsopt.core.matching import (
    BUY,
    MARKET_SEQ,
    SELL,
    AuctionOrder,
    auction_price,
    call_auction,
    market_auction_orders,
)


def buy(key: int | None, price: float, volume: int, seq: int) -> AuctionOrder:
    return AuctionOrder(key, BUY, price, volume, seq)


def sell(key: int | None, price: float, volume: int, seq: int) -> AuctionOrder:
    return AuctionOrder(key, SELL, price, volume, seq)


Summary = tuple[float | None, int, list[tuple[int | None, int | None, int]]]


def summary(orders: list[AuctionOrder], reference: float) -> Summary:
    result = call_auction(orders, reference)
    return (
        result.price,
        result.volume,
        [(m.buy.key, m.sell.key, m.volume) for m in result.matches],
    )


# buys 0.0505x3, 0.0503x2, 0.0500x5; sells 0.0499x2, 0.0502x4, 0.0506x3. Executable volume:
# 0.0499/0.0500: 2; 0.0502: min(5, 6) = 5 (imbalance 1); 0.0503: min(5, 6) = 5 (imbalance 1);
# 0.0505: min(3, 6) = 3; 0.0506: 0. 0.0502 and 0.0503 tie on volume and imbalance.
BOOK = [
    buy(1, 0.0505, 3, 1),
    buy(2, 0.0503, 2, 2),
    buy(3, 0.0500, 5, 3),
    sell(4, 0.0499, 2, 4),
    sell(5, 0.0502, 4, 5),
    sell(6, 0.0506, 3, 6),
]


def test_max_volume_then_reference_breaks_the_tie() -> None:
    # reference above: 0.0503 is nearer. Buys 1 and 2 fill (5), sells 4 (2) and 5 (3 of 4)
    assert summary(BOOK, 0.0510) == (0.0503, 5, [(1, 4, 2), (1, 5, 1), (2, 5, 2)])
    # reference below: 0.0502; the same orders trade, at the other price
    assert summary(BOOK, 0.0490) == (0.0502, 5, [(1, 4, 2), (1, 5, 1), (2, 5, 2)])


def test_smallest_imbalance_beats_the_reference() -> None:
    # buy 0.0505x5; sells 0.0500x5 and 0.0505x1: 5 lots at both; imbalance 0 at 0.0500, 1 at
    # 0.0505, so 0.0500 although the reference 0.0506 is nearer 0.0505
    orders = [buy(1, 0.0505, 5, 1), sell(2, 0.0500, 5, 2), sell(3, 0.0505, 1, 3)]
    assert summary(orders, 0.0506) == (0.0500, 5, [(1, 2, 5)])


@pytest.mark.parametrize(
    ("reference", "price"),
    [(0.0503, 0.0503), (0.0510, 0.0505), (0.0490, 0.0500), (0.0, 0.0505)],
)
def test_reference_inside_the_crossing_range(reference: float, price: float) -> None:
    # buy 0.0505x2, sell 0.0500x2: every price in [0.0500, 0.0505] executes 2 with no
    # imbalance: the reference itself when inside, else the nearest end; no reference: higher
    orders = [buy(1, 0.0505, 2, 1), sell(2, 0.0500, 2, 2)]
    assert auction_price(orders, reference) == (price, 2)
    assert summary(orders, reference) == (price, 2, [(1, 2, 2)])


def test_nothing_crosses() -> None:
    assert auction_price([buy(1, 0.0500, 1, 1), sell(2, 0.0501, 1, 2)], 0.05) == (None, 0)
    assert auction_price([buy(1, 0.0500, 1, 1)], 0.05) == (None, 0)
    result = call_auction([buy(1, 0.0500, 1, 1), sell(2, 0.0501, 1, 2)], 0.05)
    assert (result.price, result.volume, result.matches) == (None, 0, [])


def test_time_priority_on_the_marginal_side_and_market_last() -> None:
    # three sells at 0.0502 (client seq 7, client seq 3, the market's level), buy 3: the
    # earlier client first, then the later one; the market's level (after clients) gets nothing
    market = market_auction_orders([], [(0.0502, 5), (0.0503, 0)])
    assert market == [AuctionOrder(None, SELL, 0.0502, 5, MARKET_SEQ)]
    orders = [sell(7, 0.0502, 2, 7), sell(3, 0.0502, 2, 3), buy(9, 0.0502, 3, 9), *market]
    assert summary(orders, 0.05) == (0.0502, 3, [(9, 3, 2), (9, 7, 1)])


def test_the_market_book_takes_part() -> None:
    # client buy 0.0510x4 meets the market's asks 0.0502x1, 0.0503x2, 0.0504x5 (and its bids
    # 0.0500x10 below): 0.0503 gives 3, 0.0504 and 0.0510 give 4 (imbalance 4 both) -> 4 lots
    # at 0.0504, nearer the reference 0.0500; one price for every level taken
    market = market_auction_orders([(0.0500, 10)], [(0.0502, 1), (0.0503, 2), (0.0504, 5)])
    result = call_auction([buy(1, 0.0510, 4, 1), *market], 0.0500)
    assert (result.price, result.volume) == (0.0504, 4)
    assert [(m.buy.key, m.sell.price, m.volume) for m in result.matches] == [
        (1, 0.0502, 1),
        (1, 0.0503, 2),
        (1, 0.0504, 1),
    ]
