"""Matching of incoming orders against the synthetic book and resting client orders."""

from __future__ import annotations

from vnpy_ctpsopt.core.matching import (
    BUY,
    SELL,
    Fill,
    Resting,
    RestingBook,
    cross_resting,
    match_incoming,
    uncross_clients,
)
from vnpy_ctpsopt.core.orders import OrderKind as K

BIDS = [(0.0500, 10), (0.0499, 20), (0.0498, 30), (0.0497, 40), (0.0496, 50)]
ASKS = [(0.0502, 5), (0.0503, 6), (0.0504, 7), (0.0505, 8), (0.0506, 9)]


def book(*orders: Resting) -> RestingBook:
    rb = RestingBook()
    for order in orders:
        rb.add(order)
    return rb


def test_limit_gfd_walks_and_rests() -> None:
    r = match_incoming(K.LIMIT_GFD, BUY, 15, 0.0503, BIDS, ASKS, RestingBook())
    assert [(f.price, f.volume) for f in r.fills] == [(0.0502, 5), (0.0503, 6)]
    assert r.filled == 11 and r.rest_price == 0.0503 and not r.cancelled


def test_limit_gfd_no_cross_rests_whole() -> None:
    r = match_incoming(K.LIMIT_GFD, SELL, 3, 0.0510, BIDS, ASKS, RestingBook())
    assert r.fills == [] and r.rest_price == 0.0510


def test_limit_fok_all_or_nothing() -> None:
    r = match_incoming(K.LIMIT_FOK, BUY, 12, 0.0503, BIDS, ASKS, RestingBook())
    assert r.fills == [] and r.cancelled
    r = match_incoming(K.LIMIT_FOK, BUY, 11, 0.0503, BIDS, ASKS, RestingBook())
    assert r.filled == 11 and not r.cancelled and r.rest_price is None


def test_limit_fak_cancels_rest() -> None:
    r = match_incoming(K.LIMIT_FAK, SELL, 40, 0.0499, BIDS, ASKS, RestingBook())
    assert r.filled == 30 and r.cancelled and r.rest_price is None


def test_market_ioc_walks_whole_side() -> None:
    r = match_incoming(K.MARKET_IOC, BUY, 40, 0.0, BIDS, ASKS, RestingBook())
    assert r.filled == 35 and r.cancelled
    assert r.fills[-1].price == 0.0506


def test_market_fok() -> None:
    assert match_incoming(K.MARKET_FOK, SELL, 151, 0.0, BIDS, ASKS, RestingBook()).fills == []
    r = match_incoming(K.MARKET_FOK, SELL, 150, 0.0, BIDS, ASKS, RestingBook())
    assert r.filled == 150 and not r.cancelled


def test_best5_stops_after_five_levels() -> None:
    asks = [*ASKS, (0.0507, 100)]
    r = match_incoming(K.BEST5_IOC, BUY, 50, 0.0, BIDS, asks, RestingBook())
    assert r.filled == 35 and r.cancelled
    assert {f.price for f in r.fills} == {p for p, _ in ASKS}


def test_market_to_limit_rests_at_last_fill() -> None:
    r = match_incoming(K.MARKET_TO_LIMIT, BUY, 8, 0.0, BIDS, ASKS, RestingBook())
    assert [(f.price, f.volume) for f in r.fills] == [(0.0502, 5)]
    assert r.rest_price == 0.0502


def test_best_opposite_and_best_own() -> None:
    r = match_incoming(K.BEST_OPPOSITE, SELL, 12, 0.0, BIDS, ASKS, RestingBook())
    assert r.filled == 10 and r.rest_price == 0.0500
    r = match_incoming(K.BEST_OWN, BUY, 3, 0.0, BIDS, ASKS, RestingBook())
    assert r.fills == [] and r.rest_price == 0.0500
    own = book(Resting(1, "a", BUY, 0.0501, 2, 1))
    r = match_incoming(K.BEST_OWN, BUY, 3, 0.0, BIDS, ASKS, own)
    assert r.rest_price == 0.0501


def test_empty_sides_cancel_market_kinds() -> None:
    for kind in (K.MARKET_IOC, K.MARKET_FOK, K.MARKET_TO_LIMIT, K.BEST_OPPOSITE, K.BEST5_IOC):
        r = match_incoming(kind, BUY, 1, 0.0, BIDS, [], RestingBook())
        assert r.cancelled and r.fills == [], kind
    r = match_incoming(K.BEST_OWN, SELL, 1, 0.0, BIDS, [], RestingBook())
    assert r.cancelled and r.fills == []
    # a limit order simply rests on an empty book
    assert match_incoming(K.LIMIT_GFD, BUY, 1, 0.05, [], [], RestingBook()).rest_price == 0.05


def test_clients_trade_with_each_other_price_time() -> None:
    rb = book(
        Resting(7, "b", SELL, 0.0502, 2, 2),
        Resting(6, "a", SELL, 0.0502, 3, 1),
        Resting(8, "c", SELL, 0.0501, 1, 3),
    )
    assert [o.key for o in rb.asks] == [8, 6, 7]
    r = match_incoming(K.LIMIT_GFD, BUY, 6, 0.0502, BIDS, ASKS, rb)
    # better price first; at 0.0502 the clients (time order) before the synthetic level
    assert [(f.resting_key, f.volume) for f in r.fills] == [(8, 1), (6, 3), (7, 2)]
    assert all(f.level_price is None for f in r.fills)
    r = match_incoming(K.LIMIT_GFD, BUY, 8, 0.0502, BIDS, ASKS, rb)
    assert r.fills[-1] == Fill(0.0502, 2, None, 0.0502)


def test_resting_book_reduce_remove() -> None:
    rb = book(Resting(1, "a", BUY, 0.05, 3, 1), Resting(2, "a", BUY, 0.06, 1, 2))
    assert rb.best(BUY) == 0.06 and rb.best(SELL) is None
    rb.reduce(2, 1)
    assert rb.best(BUY) == 0.05 and len(rb) == 1
    assert rb.remove(1) is not None and rb.remove(1) is None


def test_cross_resting_limited_by_displayed_volume() -> None:
    rb = book(
        Resting(1, "a", BUY, 0.0503, 8, 1),
        Resting(2, "b", BUY, 0.0503, 8, 2),
        Resting(3, "c", SELL, 0.0600, 1, 3),
    )
    fills = cross_resting(rb, BIDS, ASKS)
    # 11 displayed at or below 0.0503: first order takes 8 at its own price, second gets 3
    assert [(f.resting_key, f.price, f.volume) for f in fills] == [
        (1, 0.0503, 5),
        (1, 0.0503, 3),
        (2, 0.0503, 3),
    ]
    assert [f.level_price for f in fills] == [0.0502, 0.0503, 0.0503]
    assert cross_resting(book(Resting(4, "a", SELL, 0.0500, 4, 1)), BIDS, ASKS)[0].volume == 4


def test_cross_resting_takers_trade_at_the_level_prices() -> None:
    rb = book(Resting(1, "a", BUY, 0.0503, 8, 1), Resting(2, "b", BUY, 0.0503, 8, 2))
    fills = cross_resting(rb, BIDS, ASKS, takers={1})
    assert [(f.resting_key, f.price, f.volume) for f in fills] == [
        (1, 0.0502, 5),  # held through an auction: the book's prices
        (1, 0.0503, 3),
        (2, 0.0503, 3),  # an ordinary resting order: its own price
    ]


def test_uncross_clients() -> None:
    rb = book(
        Resting(1, "a", BUY, 0.0510, 5, 1),
        Resting(2, "b", SELL, 0.0505, 3, 2),
        Resting(3, "c", SELL, 0.0508, 4, 3),
    )
    assert uncross_clients(rb) == [(1, 2, 0.0510, 3), (1, 3, 0.0510, 2)]
    assert uncross_clients(book(Resting(1, "a", BUY, 0.05, 1, 1))) == []
