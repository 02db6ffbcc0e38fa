"""Random sequences of requests, market refreshes and day rolls across investors and both
exchanges; money/position invariants must hold after every step (seeded, reproducible)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from counter_kit import MAKERS, Harness, ladder, orders

from vnpy_ctpsopt.sim.counter import CounterConfig

KINDS = {
    "SSE": [("2", "3", "1"), ("2", "1", "3"), ("2", "1", "1"), ("1", "1", "1"), ("1", "1", "3"),
            ("1", "3", "1")],
    "SZSE": [("2", "3", "1"), ("2", "1", "3"), ("3", "3", "1"), ("H", "3", "1"), ("G", "1", "1"),
             ("1", "1", "1"), ("1", "1", "3")],
}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_operations_keep_invariants(seed: int) -> None:
    rng = random.Random(seed)
    h = Harness(
        CounterConfig(
            capital=200_000.0, self_trade_check=rng.random() < 0.5, market_makers=MAKERS
        )
    )
    sessions = [h.login(f"R{i}") for i in range(3)]
    options = list(h.names.values())
    refs: list[tuple[object, str]] = []
    for step in range(500):
        s = rng.choice(sessions)
        iid = rng.choice(options)
        inst = h.instruments[iid]
        roll = rng.random()
        if roll < 0.55:
            pt, tc, vc = rng.choice(KINDS[inst.exchange_id])
            mid = h.market.pre_settle[iid]
            price = round(mid + rng.randint(-6, 6) * 0.0001, 4) if pt == "2" else 0.0
            hedge = "4" if (rng.random() < 0.15 and inst.is_call) else "1"
            out = h.order(s, iid, rng.choice("01"), rng.choice("0011"), price,
                          rng.randint(1, 12), price_type=pt, time_condition=tc,
                          volume_condition=vc, hedge=hedge)
            for p in orders(out)[-1:]:
                refs.append((s, p["OrderRef"]))
        elif roll < 0.70 and refs:
            owner, ref = rng.choice(refs)
            h.call("order_action", owner, {"OrderRef": ref, "ActionFlag": "0"})
        elif roll < 0.80:
            mid = round(h.market.pre_settle[iid] + rng.randint(-5, 5) * 0.0001, 4)
            h.market.set_book(iid, ladder(mid, 0.0001, [rng.randint(1, 30) for _ in range(5)],
                                          True),
                              ladder(round(mid + 0.0002, 4), 0.0001,
                                     [rng.randint(1, 30) for _ in range(5)], False))
            h.clock.now += timedelta(seconds=1)
            h.check(h.counter.on_market(h.clock.now))
        elif roll < 0.85:
            h.call("lock_insert", s, {"InstrumentID": "510050", "ExchangeID": "SSE",
                                      "Volume": rng.choice([10000, 20000]),
                                      "LockType": rng.choice("12")})
        elif roll < 0.92:
            ask = round(h.market.pre_settle[iid] + rng.randint(1, 5) * 0.0001, 4)
            h.call("quote_insert", s, {"InstrumentID": iid, "AskPrice": ask,
                                       "BidPrice": round(ask - 0.0004, 4),
                                       "AskVolume": rng.randint(1, 3),
                                       "BidVolume": rng.randint(1, 3)})
        elif roll < 0.97:
            h.call("exec_order_insert", s, {"InstrumentID": iid, "Volume": rng.randint(1, 3),
                                            "ActionType": "1", "HedgeFlag": "1"})
        elif step > 100 and h.counter.trading_day < "20261223":
            h.check(h.counter.roll_day())
            refs.clear()
        for session in sessions:
            account = h.account(session)
            assert account["Available"] == pytest.approx(
                account["Balance"] - account["CurrMargin"] - account["FrozenMargin"]
                - account["FrozenCash"] - account["FrozenCommission"]
                - account["DeliveryMargin"]
            )
    # settle everything, expiry included, from whatever state the walk reached
    while h.counter.trading_day <= "20261223":
        h.check(h.counter.roll_day())
    for session in sessions:
        assert [r for r in h.positions(session) if r["InstrumentID"] in options] == []
        account = h.account(session)
        assert account["CurrMargin"] == account["FrozenCash"] == 0.0
