"""A hand-built instrument set and a controllable market for driving SimCounter case by case.

The market is a stand-in with fixed, test-chosen five-level books (the real SimMarket moves on
its own); it implements the part of the SimMarket interface the counter uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from vnpy_ctpsopt.sim.counter import CounterConfig, Outgoing, SessionRef, SimCounter
from vnpy_ctpsopt.sim.instruments import (
    SimInstrument,
    etf_instrument,
    option_instrument,
    option_price_limits,
)

TRADING_DAY = "20261221"  # Monday; the December 2026 expiry is Wednesday 20261223
EXPIRY = "20261223"
OPEN_DAY = date(2026, 11, 2)

Levels = list[tuple[float, int]]


def build_instruments() -> dict[str, SimInstrument]:
    """SSE 510050 and SZSE 159919 with a call and a put each (December 2026)."""
    items = [
        etf_instrument("510050"),
        option_instrument("510050", 2026, 12, "1", 2.9, OPEN_DAY),
        option_instrument("510050", 2026, 12, "2", 2.7, OPEN_DAY),
        etf_instrument("159919"),
        option_instrument("159919", 2026, 12, "1", 4.0, OPEN_DAY),
        option_instrument("159919", 2026, 12, "2", 4.0, OPEN_DAY),
    ]
    return {i.instrument_id: i for i in items}


def ids(instruments: dict[str, SimInstrument]) -> dict[str, str]:
    """Short names -> instrument ids: sse_call, sse_put, szse_call, szse_put."""
    out = {}
    for inst in instruments.values():
        if not inst.is_option:
            continue
        venue = "sse" if inst.exchange_id == "SSE" else "szse"
        out[f"{venue}_{'call' if inst.is_call else 'put'}"] = inst.instrument_id
    return out


def ladder(best: float, step: float, volumes: list[int], down: bool) -> Levels:
    sign = -1 if down else 1
    return [(round(best + sign * i * step, 4), v) for i, v in enumerate(volumes)]


@dataclass
class BookMarket:
    """Fixed books per instrument; displayed volume taken by the counter stays taken."""

    instruments: dict[str, SimInstrument]
    trading_day: str = TRADING_DAY
    books: dict[str, tuple[Levels, Levels]] = field(default_factory=dict)
    pre_settle: dict[str, float] = field(default_factory=dict)
    pre_closes: dict[str, float] = field(default_factory=dict)
    spots: dict[str, float] = field(default_factory=dict)
    settlements: dict[str, float] = field(default_factory=dict)
    taken: list[tuple[str, str, float, int]] = field(default_factory=list)
    trades: list[tuple[str, float, int]] = field(default_factory=list)
    open_interest: dict[str, int] = field(default_factory=dict)
    rolled_with: list[tuple[date, int]] = field(default_factory=list)
    auctions: list[tuple[str, float, bool]] = field(default_factory=list)

    def set_book(self, iid: str, bids: Levels, asks: Levels) -> None:
        self.books[iid] = (list(bids), list(asks))

    def book(self, iid: str) -> tuple[Levels, Levels]:
        bids, asks = self.books.get(iid, ([], []))
        return list(bids), list(asks)

    def take_liquidity(self, iid: str, side: str, price: float, volume: int) -> None:
        bids, asks = self.books[iid]
        levels = asks if side == "ask" else bids
        for i, (p, v) in enumerate(levels):
            if abs(p - price) < 1e-9:
                levels[i] = (p, v - volume)
        self.taken.append((iid, side, price, volume))

    def record_trade(self, iid: str, price: float, volume: int, oi_delta: int) -> None:
        self.trades.append((iid, price, volume))
        self.open_interest[iid] = self.open_interest.get(iid, 0) + oi_delta

    def auction_price(self, iid: str, price: float, closing: bool) -> None:
        self.auctions.append((iid, price, closing))

    def last_price(self, iid: str) -> float:
        for trade in reversed(self.trades):
            if trade[0] == iid:
                return trade[1]
        return self.pre_settle.get(iid, self.pre_closes.get(iid, 0.0))

    def limits(self, iid: str) -> tuple[float, float]:
        inst = self.instruments[iid]
        return option_price_limits(
            inst.options_type,
            inst.strike,
            self.pre_settle[iid],
            self.pre_closes[inst.underlying_id],
            inst.limit_ratio,
        )

    def pre_settlement(self, iid: str) -> float:
        return self.pre_settle[iid]

    def pre_close(self, underlying: str) -> float:
        return self.pre_closes[underlying]

    def spot(self, underlying: str) -> float:
        return self.spots.get(underlying, self.pre_closes[underlying])

    def settle(self) -> dict[str, float]:
        prices = {iid: self.settlements.get(iid, p) for iid, p in self.pre_settle.items()}
        prices.update({code: self.spot(code) for code in self.pre_closes})
        return prices

    def snapshot(self, iid: str, now: datetime) -> dict[str, Any]:
        bids, asks = self.book(iid)
        last = self.trades[-1][1] if self.trades and self.trades[-1][0] == iid else 0.0
        return {
            "InstrumentID": iid,
            "LastPrice": last or self.pre_settle.get(iid, self.spots.get(iid, 0.0)),
            "BidPrice1": bids[0][0] if bids else 0.0,
            "AskPrice1": asks[0][0] if asks else 0.0,
        }

    def roll(self, next_day: date, listing: list[SimInstrument]) -> None:
        """Next day with the same hand-built instruments (the real listing is recorded only)."""
        self.rolled_with.append((next_day, len(listing)))
        prices = self.settle()
        self.trading_day = next_day.strftime("%Y%m%d")
        for iid in list(self.pre_settle):
            self.pre_settle[iid] = prices[iid]
        for code in list(self.pre_closes):
            self.pre_closes[code] = prices[code]
        self.settlements.clear()


def standard_market(instruments: dict[str, SimInstrument]) -> BookMarket:
    market = BookMarket(instruments)
    names = ids(instruments)
    market.pre_closes = {"510050": 2.8, "159919": 4.0}
    market.pre_settle = {
        names["sse_call"]: 0.0500,
        names["sse_put"]: 0.0400,
        names["szse_call"]: 0.1000,
        names["szse_put"]: 0.0900,
    }
    for iid, mid in market.pre_settle.items():
        market.set_book(
            iid,
            ladder(mid, 0.0001, [10, 20, 30, 40, 50], down=True),
            ladder(mid + 0.0002, 0.0001, [5, 6, 7, 8, 9], down=False),
        )
    return market


@dataclass
class Clock:
    now: datetime = datetime(2026, 12, 21, 10, 0, 0)

    def __call__(self) -> datetime:
        return self.now


# Investors the tests quote with (ReqQuoteInsert is for market makers only).
MAKERS = frozenset({"MM", "B", "P1", "R0", "R1", "R2"})


class Harness:
    """A counter on the hand-built market, with helpers that check invariants after each call."""

    def __init__(
        self,
        config: CounterConfig | None = None,
        store: Any = None,
        clock: Clock | None = None,
        *,
        market_day: str = TRADING_DAY,
        delist_options: bool = False,
        pre_closes: dict[str, float] | None = None,
    ) -> None:
        self.instruments = build_instruments()
        self.names = ids(self.instruments)
        self.market = standard_market(self.instruments)
        self.market.trading_day = market_day
        self.market.pre_closes.update(pre_closes or {})
        if delist_options:
            self.market.instruments = {
                k: v for k, v in self.instruments.items() if not v.is_option
            }
            self.market.pre_settle.clear()
        self.clock = clock or Clock()
        self.config = config or CounterConfig(market_makers=MAKERS)
        listing = self.market.instruments
        self.counter = SimCounter(self.config, self.market, listing, store, self.clock)
        self._session_ids = 100
        self.reqid = 0

    def check(self, out: list[Outgoing] | None = None) -> None:
        problems = self.counter.check_invariants()
        assert problems == [], problems
        if out:  # private-flow numbers rise in delivery order, per investor
            last: dict[str, int] = {}
            for o in out:
                if o.target == "investor":
                    assert o.seq is not None and o.seq > last.get(o.key, 0), o
                    last[o.key] = o.seq

    def login(self, investor: str = "1001", password: str = "pw", front: int = 1) -> SessionRef:
        self._session_ids += 1
        ref = SessionRef(front, self._session_ids, "9999", investor)
        data, error = self.counter.login(
            ref, {"BrokerID": "9999", "UserID": investor, "Password": password}
        )
        assert error["ErrorID"] == 0, error
        return ref

    def order(
        self,
        session: SessionRef,
        iid: str,
        direction: str,
        offset: str,
        price: float,
        volume: int,
        *,
        price_type: str = "2",
        time_condition: str = "3",
        volume_condition: str = "1",
        hedge: str = "1",
        ref: str = "",
        exchange: str = "",
    ) -> list[Outgoing]:
        self.reqid += 1
        req = {
            "BrokerID": session.broker_id,
            "InvestorID": session.investor_id,
            "UserID": session.investor_id,
            "InstrumentID": iid,
            "ExchangeID": exchange or getattr(self.instruments.get(iid), "exchange_id", "SSE"),
            "OrderRef": ref,
            "OrderPriceType": price_type,
            "Direction": direction,
            "CombOffsetFlag": offset,
            "CombHedgeFlag": hedge,
            "LimitPrice": price,
            "VolumeTotalOriginal": volume,
            "TimeCondition": time_condition,
            "VolumeCondition": volume_condition,
            "MinVolume": 1,
            "ContingentCondition": "1",
            "ForceCloseReason": "0",
            "IsAutoSuspend": 0,
        }
        out = self.counter.order_insert(session, req, self.reqid)
        self.check(out)
        return out

    def call(self, method: str, session: SessionRef, req: dict[str, Any]) -> list[Outgoing]:
        self.reqid += 1
        out: list[Outgoing] = getattr(self.counter, method)(session, req, self.reqid)
        self.check(out)
        return out

    def account(self, session: SessionRef) -> dict[str, Any]:
        return self.counter.query(session, "TradingAccount", {})[0]

    def positions(self, session: SessionRef, iid: str = "") -> list[dict[str, Any]]:
        return self.counter.query(session, "InvestorPosition", {"InstrumentID": iid})

    def position(self, session: SessionRef, iid: str, direction: str, hedge: str = "1") -> dict:
        rows = [
            r
            for r in self.positions(session, iid)
            if r["PosiDirection"] == direction and r["HedgeFlag"] == hedge
        ]
        assert len(rows) <= 1
        return rows[0] if rows else {}


def callbacks(out: list[Outgoing], name: str) -> list[tuple[Any, ...]]:
    """Argument tuples of every callback called ``name``, in order."""
    return [o.callback[1] for o in out if o.callback[0] == name]


def names(out: list[Outgoing]) -> list[str]:
    return [o.callback[0] for o in out]


def orders(out: list[Outgoing]) -> list[dict[str, Any]]:
    return [args[0] for args in callbacks(out, "onRtnOrder")]


def trades(out: list[Outgoing]) -> list[dict[str, Any]]:
    return [args[0] for args in callbacks(out, "onRtnTrade")]


def rejection(out: list[Outgoing], rsp: str = "onRspOrderInsert") -> int:
    """ErrorID of a counter rejection; checks the Rsp + ErrRtn pair and no OnRtnOrder."""
    rsps = callbacks(out, rsp)
    assert len(rsps) == 1, names(out)
    data, error, _reqid, last = rsps[0]
    assert last is True
    err_name = "onErrRtn" + rsp[len("onRsp"):]
    errs = callbacks(out, err_name)
    assert len(errs) == 1 and errs[0][1] == error
    assert not callbacks(out, "onRtnOrder")
    return int(error["ErrorID"])
