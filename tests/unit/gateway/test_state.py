"""Per-gateway state: reference allocation, order/trade dedupe, query scheduling, throttling."""

from __future__ import annotations

import threading

from vnpy.trader.constant import Direction, Exchange, Status
from vnpy.trader.object import OrderData, PositionData

from vnpy_ctpsopt.gateway.state import (
    LogThrottle,
    OrderBook,
    PositionBook,
    QueryScheduler,
    RefAllocator,
)


def test_refs_are_unique_under_threads_and_above_max_order_ref() -> None:
    refs = RefAllocator()
    refs.floor("  100")
    out: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        got = [refs.next() for _ in range(500)]
        with lock:
            out.extend(got)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 4000
    assert min(int(x) for x in out) == 101
    refs.floor(5)  # never goes down
    assert refs.next() == "4101"
    refs.floor("junk")
    assert refs.last == 4101


def order(status: Status, traded: float = 0, orderid: str = "1_2_3") -> OrderData:
    return OrderData(
        gateway_name="G",
        symbol="10007001",
        exchange=Exchange.SSE,
        orderid=orderid,
        direction=Direction.LONG,
        volume=5,
        traded=traded,
        status=status,
    )


def test_order_book_pushes_changes_only_and_never_regresses() -> None:
    book = OrderBook()
    assert book.accept(order(Status.SUBMITTING), 1, 2, "3", "SSE", "")
    assert not book.accept(order(Status.SUBMITTING), 1, 2, "3", "SSE", "")
    assert book.accept(order(Status.NOTTRADED), 1, 2, "3", "SSE", "77")
    assert not book.accept(order(Status.NOTTRADED), 1, 2, "3", "SSE", "77")
    assert not book.accept(order(Status.SUBMITTING), 1, 2, "3", "SSE", "")  # RESTART replay
    assert book.accept(order(Status.PARTTRADED, 2), 1, 2, "3", "SSE", "77")
    assert not book.accept(order(Status.PARTTRADED, 1), 1, 2, "3", "SSE", "77")
    assert book.accept(order(Status.ALLTRADED, 5), 1, 2, "3", "SSE", "77")
    # A replayed older state after the final one is dropped.
    assert not book.accept(order(Status.NOTTRADED), 1, 2, "3", "SSE", "77")
    assert book.orderid_for_trade("SSE", "77") == "1_2_3"
    record = book.get("1_2_3")
    assert record is not None and record.order.status is Status.ALLTRADED


def test_trades_are_deduplicated_and_held_until_their_order() -> None:
    book = OrderBook()
    assert book.is_new_trade("SSE", "9", "0")
    assert not book.is_new_trade("SSE", "9", "0")
    assert book.is_new_trade("SSE", "9", "1")  # TradeID is unique per exchange and direction
    assert book.is_new_trade("SZSE", "9", "0")
    data = {"ExchangeID": "SSE", "OrderSysID": " 77", "TradeID": "1"}
    book.hold_trade(data)
    assert book.release_trades("SSE", "78") == []
    assert book.release_trades("SSE", "77") == [data]
    book.hold_trade(data)
    assert book.release_all_trades() == [data]
    assert book.release_all_trades() == []


def test_position_book_zeroes_positions_that_disappear() -> None:
    book = PositionBook()
    p1 = PositionData(gateway_name="G", symbol="a", exchange=Exchange.SSE, direction=Direction.LONG, volume=3)
    p2 = PositionData(gateway_name="G", symbol="b", exchange=Exchange.SSE, direction=Direction.SHORT, volume=1)
    assert book.diff([p1, p2], lambda p: True) == [p1, p2]
    result = book.diff([p1], lambda p: True)
    assert len(result) == 2
    zero = result[1]
    assert (zero.vt_positionid, zero.volume) == (p2.vt_positionid, 0)
    assert book.diff([p1], lambda p: True) == [p1]


class Clock:
    """Replaces time.monotonic inside the scheduler module for deterministic tests."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(monkeypatch, interval: float = 1.0, **kw):  # type: ignore[no-untyped-def]
    clock = Clock()
    monkeypatch.setattr("vnpy_ctpsopt.gateway.state.time.monotonic", clock)
    ids = iter(range(1, 10_000))
    given_up: list[str] = []
    sched = QueryScheduler(
        lambda: next(ids), interval=interval, on_give_up=given_up.append, wake_thread=False, **kw
    )
    sched.active = True
    return sched, clock, given_up


def test_one_query_in_flight_and_at_most_one_per_interval(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sched, clock, _ = make(monkeypatch)
    sent: list[tuple[str, int]] = []
    sched.request("a", lambda r: sent.append(("a", r)) or 0)
    sched.request("b", lambda r: sent.append(("b", r)) or 0)
    sched.request("a", lambda r: sent.append(("a2", r)) or 0)  # 'a' in flight: queued once more
    sched.request("a", lambda r: sent.append(("a3", r)) or 0)  # already queued: dropped
    assert sent == [("a", 1)]
    sched.done(1)  # interval not over: waits for the timer
    assert sent == [("a", 1)]
    clock.now += 1.0
    sched.on_timer()
    assert sent == [("a", 1), ("b", 2)]
    sched.done(99)  # not ours: ignored
    clock.now += 1.0
    sched.on_timer()
    assert len(sent) == 2
    sched.done(2)
    assert sent[-1] == ("a2", 3)
    assert sched.pending() == ["a"]


def test_negative_return_codes_retry_at_head(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sched, clock, given_up = make(monkeypatch, max_retries=2)
    codes = iter([-2, -3, 0])
    calls: list[int] = []

    def send(reqid: int) -> int:
        calls.append(reqid)
        return next(codes)

    sched.request("x", send)
    sched.request("y", lambda r: 0)
    assert calls == [1]
    for _ in range(2):
        clock.now += 1.0
        sched.on_timer()
    assert len(calls) == 3
    assert sched.in_flight_name() == "x"
    assert not given_up
    # A task that keeps failing is given up and the queue moves on.
    sched2, clock2, given_up2 = make(monkeypatch, max_retries=1)
    sched2.request("z", lambda r: -1)
    for _ in range(3):
        clock2.now += 1.0
        sched2.on_timer()
    assert given_up2 == ["z"]
    assert sched2.pending() == []


def test_error_90_requeues_and_timeouts_free_the_slot(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sched, clock, _ = make(monkeypatch, timeout=5.0)
    sent: list[int] = []
    sched.request("pos", lambda r: sent.append(r) or 0)
    assert sched.retry(1)
    assert not sched.retry(1)
    assert sched.pending() == ["pos"]
    clock.now += 1.0
    sched.on_timer()
    assert sent == [1, 2]
    clock.now += 6.0  # no answer: given up, the next one may go
    sched.request("acc", lambda r: sent.append(r) or 0)
    sched.on_timer()
    assert sent == [1, 2, 3]


def test_inactive_scheduler_sends_nothing_and_reset_clears(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sched, clock, _ = make(monkeypatch)
    sched.active = False
    sent: list[int] = []
    sched.request("a", lambda r: sent.append(r) or 0)
    clock.now += 5
    sched.on_timer()
    assert sent == []
    sched.reset()
    assert sched.pending() == []


def test_front_requests_jump_the_queue(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sched, clock, _ = make(monkeypatch)
    order_sent: list[str] = []
    sched.request("first", lambda r: order_sent.append("first") or 0)
    sched.request("later", lambda r: order_sent.append("later") or 0)
    sched.request("urgent", lambda r: order_sent.append("urgent") or 0, front=True)
    sched.done(1)
    clock.now += 1
    sched.on_timer()
    assert order_sent == ["first", "urgent"]


def test_log_throttle(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    monkeypatch.setattr("vnpy_ctpsopt.gateway.state.time.monotonic", clock)
    throttle = LogThrottle(window=60)
    assert throttle.check("断开") == "断开"
    assert throttle.check("断开") is None
    assert throttle.check("别的") == "别的"
    assert throttle.check("断开") is None
    clock.now += 61
    text = throttle.check("断开")
    assert text is not None and "重复2次" in text
    # A key groups messages that differ only by a number; the latest text is the one shown.
    assert throttle.check("心跳 30秒", key="hb") == "心跳 30秒"
    assert throttle.check("心跳 45秒", key="hb") is None
    clock.now += 61
    text = throttle.check("心跳 120秒", key="hb")
    assert text is not None and text.startswith("心跳 120秒") and "重复1次" in text
    # Distinct messages do not pile up once their window is over.
    for i in range(3 * LogThrottle.max_keys):
        throttle.check(f"异常 {i}")
        clock.now += 1
    assert len(throttle._last) <= LogThrottle.max_keys  # noqa: SLF001


def test_next_query_goes_after_the_interval_without_waiting_for_the_timer() -> None:
    ids = iter(range(1, 100))
    sched = QueryScheduler(lambda: next(ids), interval=0.05)
    sched.active = True
    second_sent = threading.Event()
    sched.request("a", lambda r: 0)
    sched.request("b", lambda r: second_sent.set() or 0)
    sched.done(1)
    assert second_sent.wait(5.0)
    sched.reset()


def test_a_refresh_asked_while_its_query_is_being_sent_is_kept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The counter's answer or a fill (another thread) can come while send() has not returned yet.
    sched, clock, _ = make(monkeypatch, interval=0.0)
    sent: list[int] = []

    def send_and_meanwhile_a_fill(reqid: int) -> int:
        sent.append(reqid)
        if len(sent) == 1:
            sched.request("pos", lambda r: sent.append(r) or 0)
        return 0

    sched.request("pos", send_and_meanwhile_a_fill)
    sched.done(sent[0])
    assert sent == [1, 2]
    assert sched.pending() == ["pos"]


def test_an_answer_before_send_returns_does_not_send_the_query_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sched, clock, _ = make(monkeypatch, interval=0.0)
    sent: list[int] = []

    def send_answered_at_once(reqid: int) -> int:
        sent.append(reqid)
        sched.done(reqid)
        return 0

    sched.request("pos", send_answered_at_once)
    assert sent == [1]
    assert sched.pending() == []
