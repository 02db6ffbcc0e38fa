"""Call auctions of the simulated counter (hours=exchange), through the seam.

sopt-rules.md A.2 "call auction matching: the price that maximises volume" and A.5 (9:15-9:25
opening call auction matched at 9:25, 14:57-15:00 closing call auction). The synthetic market's
book at the auction instant takes part; each test reads it from a control front with the same
seed and the same clock steps (the market's books do not depend on client orders) and places
the clients' orders strictly inside its spread, so the expected auction follows from the
clients' orders alone:

- A buys 3 at H and 1 at L; B sells 2 at L and 2 at H (L < H, one tick apart, inside the
  spread). At L 2 lots execute, at H 3 (max volume): every match trades at H, B's L sell (2)
  and 1 lot of B's H sell (marginal side, time priority), one TradeID per match on both sides;
  A's L buy does not cross and rests, B's H sell rests with 1 lot.
- opening: the auction price is the day's OpenPrice; the rest of B's H sell trades in
  continuous trading with C's buy entered in the 9:25-9:30 pause, at 9:30.
- closing: the auction price is published as ClosePrice at 15:00.
"""

from __future__ import annotations

from typing import Any

from sim_seam import BUY, SELL, Trader, sim_url, unique_name

TICK = 0.0001


def control_book(start: str, steps: list[float]) -> dict[str, dict[str, Any]]:
    """Depths of the SSE calls after the clock ``steps`` from ``start`` on a front without
    client orders (seed 11 like every sim_url front)."""
    control = Trader(sim_url(unique_name("ctl"), hours="exchange", start=start))
    try:
        for seconds in steps:
            control.exchange.advance(seconds)
        calls = [r for r in control.options("SSE") if r["OptionsType"] == "1"]
        return {r["InstrumentID"]: control.depth(r["InstrumentID"]) for r in calls}
    finally:
        control.close()


def wide_spread(depths: dict[str, dict[str, Any]]) -> tuple[str, float, float]:
    """An instrument whose spread leaves two prices strictly inside: (iid, L, H)."""
    for iid, depth in sorted(depths.items()):
        bid, ask = depth["BidPrice1"], depth["AskPrice1"]
        if depth["BidVolume1"] > 0 and depth["AskVolume1"] > 0 and ask - bid > 2.5 * TICK:
            low = round(bid + TICK, 4)
            return iid, low, round(low + TICK, 4)
    raise AssertionError("no SSE call with a spread of three ticks at the auction instant")


def trades(trader: Trader, order: dict[str, Any]) -> list[tuple[float, int, str]]:
    return [(t["Price"], t["Volume"], t["TradeID"]) for t in trader.trades(
        order["OrderSysID"], order["ExchangeID"])]  # fmt: skip


def place_auction_orders(
    a: Trader, b: Trader, iid: str, low: float, high: float, pause: float
) -> tuple[dict[str, Any], ...]:
    """A's buys now, ``pause`` seconds later B's sells; all held ('3') without a trade."""
    a_high = a.place(a.order_req(iid, high, BUY, volume=3))
    a_low = a.place(a.order_req(iid, low, BUY, volume=1))
    a.exchange.advance(pause)
    b_low = b.place(b.order_req(iid, low, SELL, volume=2))
    b_high = b.place(b.order_req(iid, high, SELL, volume=2))
    for trader, order in ((a, a_high), (a, a_low), (b, b_low), (b, b_high)):
        assert order["OrderStatus"] == "3" and not trades(trader, order)
    return a_high, a_low, b_low, b_high


def check_uncross(a: Trader, b: Trader, orders: tuple[dict[str, Any], ...], high: float) -> None:
    """The auction's outcome described in the module docstring."""
    a_high, a_low, b_low, b_high = orders
    a_high = a.wait_order(a_high["OrderRef"], ("0",))
    b_low = b.wait_order(b_low["OrderRef"], ("0",))
    b_high = b.wait_order(b_high["OrderRef"], ("1",))
    b.sync()
    a.sync()
    bought = trades(a, a_high)
    assert [(p, v) for p, v, _ in bought] == [(high, 2), (high, 1)]
    assert trades(b, b_low) == [bought[0]]  # same price, volume and TradeID
    assert trades(b, b_high) == [bought[1]]
    assert bought[0][2] != bought[1][2]
    assert (b_high["VolumeTraded"], b_high["VolumeTotal"]) == (1, 1)
    assert a.updates(a_low["OrderRef"])[-1]["OrderStatus"] == "3"
    assert not trades(a, a_low)


def test_opening_auction_uncrosses_at_one_price_at_925() -> None:
    steps = [120.0, 420.0]  # 9:18, 9:25
    iid, low, high = wide_spread(control_book("20261130T091600", steps))
    address = sim_url(unique_name("open"), hours="exchange", start="20261130T091600")
    a, b, c = Trader(address), Trader(address, user="00002"), Trader(address, user="00003")
    try:
        orders = place_auction_orders(a, b, iid, low, high, steps[0])
        a.exchange.advance(steps[1] - 0.5)  # 9:24:59.5: still collecting
        assert not a.spi.named("onRtnTrade") and not b.spi.named("onRtnTrade")
        a.exchange.advance(0.5)  # 9:25:00
        check_uncross(a, b, orders, high)
        assert a.depth(iid)["OpenPrice"] == high
        a.exchange.advance(60)  # 9:26: the pause, orders are held
        late = c.place(c.order_req(iid, high, BUY, volume=1))
        assert late["OrderStatus"] == "3" and not trades(c, late)
        a.exchange.advance(240)  # 9:30: continuous trading, the rest of B's H sell trades
        late = c.wait_order(late["OrderRef"], ("0",))
        b_high = b.wait_order(orders[3]["OrderRef"], ("0",))
        b.sync()
        (bought,) = trades(c, late)
        assert bought[:2] == (high, 1)
        assert trades(b, b_high)[-1] == bought
    finally:
        for trader in (a, b, c):
            trader.close()


def test_closing_auction_uncrosses_at_one_price_at_1500() -> None:
    steps = [60.0, 60.0, 60.0]  # 14:57, 14:58, 14:59 (no cancels), 15:00
    iid, low, high = wide_spread(control_book("20261130T145600", [*steps, 60.0]))
    address = sim_url(unique_name("close"), hours="exchange", start="20261130T145600")
    a, b = Trader(address), Trader(address, user="00002")
    try:
        for seconds in steps[:2]:
            a.exchange.advance(seconds)  # 14:58: closing auction
        orders = place_auction_orders(a, b, iid, low, high, steps[2])
        assert a.depth(iid)["ClosePrice"] == 0.0
        a.exchange.advance(59.5)  # 14:59:59.5: still collecting
        assert not a.spi.named("onRtnTrade") and not b.spi.named("onRtnTrade")
        a.exchange.advance(0.5)  # 15:00:00
        check_uncross(a, b, orders, high)
        assert a.depth(iid)["ClosePrice"] == high
    finally:
        a.close()
        b.close()
