"""The option backtesting engine: vnpy_portfoliostrategy BacktestingEngine's surface, ticks
replayed in time order across instruments, fills against each snapshot's five levels, the
account of ``book.AccountBook`` (per-contract fees, margin, covered, exercise, expiry).

Event order per snapshot: the instrument's resting orders cross the new book, then the
strategy's ``on_tick`` (only for instruments it trades: its ``vt_symbols``). An order sent in a
callback meets the latest book of its instrument at once (as on the counter); its order and
trade updates reach the strategy after the callback returns. At each day change every live
order is cancelled and the account closes the day (see ``AccountBook.close_day``).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from pandas import DataFrame
from vnpy.trader.constant import Direction, Exchange, Interval, Offset, OrderType, Status
from vnpy.trader.object import ContractData, OrderData, TickData, TradeData
from vnpy.trader.optimize import OptimizationSetting
from vnpy_portfoliostrategy.base import EngineType
from vnpy_portfoliostrategy.template import StrategyTemplate

from ..core.fees import FeeSchedule
from ..core.matching import Resting, RestingBook, match_incoming
from ..core.orders import OrderKind
from ..core.terms import BUY, SELL
from ..core.timetable import matching_allowed, order_accepted, phase_at
from ..sim import errors as E
from .book import CLOSE, COVERED, OPEN, SHORT, AccountBook, BookOrder, Settlement
from .contracts import BACKTESTING, BtContract
from .feed import BacktestError, DayFeed, SnapshotBlock, split_days
from .market import Quote
from .results import DailyRecorder, calculate_statistics, print_statistics

KINDS: dict[OrderType, OrderKind] = {
    OrderType.LIMIT: OrderKind.LIMIT_GFD,
    OrderType.FAK: OrderKind.LIMIT_FAK,
    OrderType.FOK: OrderKind.LIMIT_FOK,
    OrderType.MARKET: OrderKind.MARKET_IOC,
}
HOURS_EXCHANGE = "exchange"
HOURS_24X7 = "24x7"
_CONTINUOUS = phase_at(time(10, 0))


class BacktestingEngine:
    """Option backtester. Parameters as vnpy_portfoliostrategy's (``rates`` are added on top
    of the per-contract ``fees``; ``sizes``/``priceticks`` override the contracts'), plus the
    account's: ``fees``, ``margin_markup``, ``stocks`` (ETF shares at the start, by ETF code),
    ``auto_exercise`` (in-the-money longs exercised at expiry), ``hours``."""

    engine_type: EngineType = EngineType.BACKTESTING
    gateway_name: str = BACKTESTING

    def __init__(self) -> None:
        self.vt_symbols: list[str] = []
        self.interval: Interval = Interval.TICK
        self.start: datetime = datetime(1970, 1, 1)
        self.end: datetime = datetime(1970, 1, 1)
        self.rates: dict[str, float] = {}
        self.slippages: dict[str, float] = {}
        self.sizes: dict[str, float] = {}
        self.priceticks: dict[str, float] = {}
        self.capital: float = 1_000_000.0
        self.risk_free: float = 0.0
        self.annual_days: int = 240
        self.fees: FeeSchedule = FeeSchedule()
        self.margin_markup: float = 0.1
        self.stocks: dict[str, int] = {}
        self.auto_exercise: bool = True
        self.hours: str = HOURS_EXCHANGE
        self.greeks: bool = True
        self.show_progress: bool = True

        self.strategy_class: type[StrategyTemplate] | None = None
        self.strategy_setting: dict[str, Any] = {}
        self.strategy: StrategyTemplate | None = None
        self.source: Any = None
        self.contracts: dict[str, BtContract] = {}
        self.history: list[TickData] = []
        self.days: int = 0
        self.logs: list[str] = []
        self.daily_df: DataFrame | None = None
        self._reset()

    # --- set-up ----------------------------------------------------------------------------
    def _reset(self) -> None:
        self.account = AccountBook(self.capital, self.fees, self.margin_markup)
        for code, shares in self.stocks.items():
            self.account.set_shares(code, int(shares))
        self.quotes: dict[str, Quote] = {}
        self.orders: dict[str, OrderData] = {}
        self.book_orders: dict[int, BookOrder] = {}
        self.live: dict[int, str] = {}
        self.trades: dict[str, TradeData] = {}
        self.order_count = 0
        self.trade_count = 0
        self.datetime: datetime = datetime(1970, 1, 1)
        self.trading_day: date = date(1970, 1, 1)
        self.pre_settlements: dict[str, float] = {}
        self.events: list[tuple[Callable[[Any], None], Any]] = []
        self.settlement_events: list[Settlement] = []
        self.recorder = DailyRecorder(self)
        self.daily_df = None
        self._block: SnapshotBlock | None = None
        self._columns: dict[str, int] = {}
        self._row = 0
        self._resting_symbols: set[str] = set()

    def clear_data(self) -> None:
        """Forget the last run's orders, trades, account and results."""
        self._reset()
        self.logs.clear()

    def set_parameters(
        self,
        vt_symbols: list[str],
        interval: Interval = Interval.TICK,
        start: datetime | None = None,
        rates: dict[str, float] | None = None,
        slippages: dict[str, float] | None = None,
        sizes: dict[str, float] | None = None,
        priceticks: dict[str, float] | None = None,
        capital: float = 1_000_000.0,
        end: datetime | None = None,
        risk_free: float = 0.0,
        annual_days: int = 240,
        *,
        fees: FeeSchedule | None = None,
        margin_markup: float = 0.1,
        stocks: dict[str, int] | None = None,
        auto_exercise: bool = True,
        hours: str = HOURS_EXCHANGE,
        greeks: bool = True,
    ) -> None:
        """Set what vnpy_portfoliostrategy's engine takes, plus the option account's terms."""
        self.vt_symbols = list(vt_symbols)
        self.interval = interval
        if start is not None:
            self.start = start
        self.end = (end or datetime.now()).replace(hour=23, minute=59, second=59)
        if self.start.date() > self.end.date():
            raise BacktestError(f"开始日期 {self.start:%Y-%m-%d} 晚于结束日期 {self.end:%Y-%m-%d}")
        self.rates = dict(rates or {})
        self.slippages = dict(slippages or {})
        self.sizes = dict(sizes or {})
        self.priceticks = dict(priceticks or {})
        self.capital = float(capital) if capital else 1_000_000.0
        self.risk_free = risk_free
        self.annual_days = annual_days
        self.fees = fees or FeeSchedule()
        self.margin_markup = margin_markup
        self.stocks = dict(stocks or {})
        self.auto_exercise = auto_exercise
        if hours not in (HOURS_EXCHANGE, HOURS_24X7):
            raise BacktestError(f"hours 只能是 exchange 或 24x7: {hours!r}")
        self.hours = hours
        self.greeks = greeks
        self._reset()

    def add_strategy(self, strategy_class: type[StrategyTemplate], setting: dict[str, Any]) -> None:
        self.strategy_class = strategy_class
        self.strategy_setting = dict(setting)
        self.strategy = strategy_class(
            self, strategy_class.__name__, list(self.vt_symbols), dict(setting)
        )

    def set_source(self, source: Any) -> None:
        """A data source (``data.SimSource``/``data.DatabaseSource`` or any object with
        ``days(start, end) -> Iterator[DayFeed]``)."""
        self.source = source

    def set_history(self, ticks: Iterable[TickData], contracts: Iterable[Any]) -> None:
        """Preloaded ticks (time ordered) and their contracts (ContractData or BtContract)."""
        from .contracts import from_contract_data

        self.history = list(ticks)
        self.contracts = {
            c.vt_symbol: c if isinstance(c, BtContract) else from_contract_data(c)
            for c in contracts
        }

    def load_data(self) -> None:
        """Check the source against the strategy's symbols; data are produced day by day
        while the backtest runs (nothing is loaded twice)."""
        if self.source is None and not self.history:
            raise BacktestError("没有设置数据源：请先调用 set_source() 或 set_history()")

    def _feeds(self) -> Iterator[DayFeed]:
        if self.source is not None:
            yield from self.source.days(self.start.date(), self.end.date())
        else:
            start, end = self.start.date(), self.end.date()
            ticks = (t for t in self.history if start <= t.datetime.date() <= end)
            yield from split_days(ticks, self.contracts)

    # --- the run ---------------------------------------------------------------------------
    def run_backtesting(self) -> None:
        """Replay the data through the strategy; raises BacktestError with a Chinese message
        for bad input or a strategy that raises."""
        if self.strategy is None or self.strategy_class is None:
            raise BacktestError("没有添加策略：请先调用 add_strategy()")
        self.load_data()
        strategy = self.strategy
        self._call("on_init", strategy.on_init)
        strategy.inited = True
        self._call("on_start", strategy.on_start)
        strategy.trading = True
        self.write_log("开始回放历史数据")
        n_days = 0
        subscribed = set(self.vt_symbols)
        for feed in self._progress(self._feeds()):
            n_days += 1
            self._run_day(feed, subscribed, strategy)
        if not n_days:
            raise BacktestError(f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d} 区间内没有行情数据")
        strategy.trading = False
        self._call("on_stop", strategy.on_stop)
        self.write_log("历史数据回放结束")

    def _progress(self, feeds: Iterator[DayFeed]) -> Iterator[DayFeed]:
        if not self.show_progress:
            return feeds
        from .progress import progress

        total = getattr(self.source, "count_days", lambda s, e: None)(
            self.start.date(), self.end.date()
        )
        return progress(feeds, total=total, desc="回测", unit="天")

    def _start_day(self, feed: DayFeed) -> None:
        self.trading_day = feed.trading_day
        unknown = [v for v in self.vt_symbols if v not in feed.contracts]
        if unknown and not self.contracts:
            raise BacktestError(
                f"未知合约 {', '.join(unknown)}：数据源在 {feed.trading_day} 没有这些合约"
            )
        self.contracts.update(feed.contracts)
        if feed.pre_settlements:
            self.pre_settlements.update(feed.pre_settlements)

    def _run_day(self, feed: DayFeed, subscribed: set[str], strategy: StrategyTemplate) -> None:
        self._start_day(feed)
        for block in feed.blocks:
            self._run_block(block, subscribed, strategy)
        self._block = None
        quotes = self.quotes
        exchange_hours = self.hours == HOURS_EXCHANGE
        on_tick = strategy.on_tick
        events = self.events
        for tick in feed.ticks:
            vt_symbol = tick.vt_symbol
            quote = quotes.get(vt_symbol)
            if quote is None:
                quote = self._new_quote(vt_symbol)
            quote.update(tick)
            self.datetime = tick.datetime
            if quote.resting.by_key and (
                not exchange_hours or matching_allowed(phase_at(tick.datetime.time()))
            ):
                self._cross(quote)
            if vt_symbol in subscribed:
                try:
                    on_tick(tick)
                except BacktestError:
                    raise
                except Exception as exc:  # the strategy's bug: stop with a clear message
                    raise self._strategy_error("on_tick", exc) from None
            if events:
                self._flush()
        self._close_day(feed)

    def _run_block(
        self, block: SnapshotBlock, subscribed: set[str], strategy: StrategyTemplate
    ) -> None:
        """Replay a block of snapshots: per step only the instruments with resting orders and
        those the strategy subscribes are touched; the rest is read when asked for."""
        quotes = self.quotes
        columns = {vt: j for j, vt in enumerate(block.vt_symbols)}
        for vt in block.vt_symbols:
            if vt not in quotes:
                self._new_quote(vt)
        self._block, self._columns = block, columns
        watched = [(columns[vt], quotes[vt]) for vt in block.vt_symbols if vt in subscribed]
        exchange_hours = self.hours == HOURS_EXCHANGE
        on_tick = strategy.on_tick
        events = self.events
        resting = self._resting_symbols
        for row, dt in enumerate(block.times):
            self.datetime = dt
            self._row = row
            if resting and (not exchange_hours or matching_allowed(phase_at(dt.time()))):
                for vt in list(resting):
                    quote = quotes[vt]
                    quote.load(block, row, columns[vt])
                    self._cross(quote)
            for col, quote in watched:
                quote.load(block, row, col)
                tick = quote.tick
                try:
                    on_tick(tick)
                except BacktestError:
                    raise
                except Exception as exc:  # the strategy's bug: stop with a clear message
                    raise self._strategy_error("on_tick", exc) from None
                if events:
                    self._flush()
        last = len(block.times) - 1
        for vt, col in columns.items():
            quotes[vt].load(block, last, col)

    def _sync(self, quote: Quote) -> None:
        """Bring a block-fed instrument's quote to the current step."""
        block = self._block
        if block is not None:
            col = self._columns.get(quote.contract.vt_symbol)
            if col is not None:
                quote.load(block, self._row, col)

    def chain_snapshot(self) -> dict[str, Any]:
        """The current step of the block being replayed as numpy rows (views, one value per
        instrument, aligned with ``vt_symbols``): best bid/ask prices and volumes and last
        price; empty outside block replay. For strategies that watch a whole chain."""
        block = self._block
        if block is None:
            return {}
        r = self._row
        return {
            "vt_symbols": block.vt_symbols,
            "bid_price_1": block.bid_price[0, r],
            "ask_price_1": block.ask_price[0, r],
            "bid_volume_1": block.bid_volume[0, r],
            "ask_volume_1": block.ask_volume[0, r],
            "last_price": block.last[r],
        }

    def _new_quote(self, vt_symbol: str) -> Quote:
        contract = self.contracts.get(vt_symbol)
        if contract is None:
            raise BacktestError(f"行情中的合约 {vt_symbol} 没有合约信息")
        quote = self.quotes[vt_symbol] = Quote(contract)
        return quote

    def _call(self, name: str, func: Callable[[], None]) -> None:
        try:
            func()
        except BacktestError:
            raise
        except Exception as exc:
            raise self._strategy_error(name, exc) from None
        if self.events:
            self._flush()

    def _strategy_error(self, where: str, exc: Exception) -> BacktestError:
        frames = traceback.extract_tb(exc.__traceback__)
        place = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        name = self.strategy.strategy_name if self.strategy else ""
        when = f"{self.datetime:%Y-%m-%d %H:%M:%S}" if self.datetime.year > 1970 else "回放开始前"
        msg = (
            f"策略 {name} 在 {where} 中出错（{when}）：{type(exc).__name__}: {exc}"
            f"{'，位置 ' + place if place else ''}"
        )
        self.logs.append(msg)
        return BacktestError(msg)

    def _flush(self) -> None:
        """Deliver queued order/trade updates (they may queue more)."""
        events = self.events
        while events:
            batch = events[:]
            events.clear()
            for func, obj in batch:
                try:
                    func(obj)
                except BacktestError:
                    raise
                except Exception as exc:
                    raise self._strategy_error(getattr(func, "__name__", "回调"), exc) from None

    # --- orders ----------------------------------------------------------------------------
    def send_order(
        self,
        strategy: StrategyTemplate,
        vt_symbol: str,
        direction: Direction,
        offset: Offset,
        price: float,
        volume: float,
        lock: bool = False,
        net: bool = False,
        order_type: OrderType = OrderType.LIMIT,
        covered: bool = False,
    ) -> list[str]:
        """One order; returns its vt_orderid (a rejected order too, with status REJECTED)."""
        contract = self.contracts.get(vt_symbol)
        self.order_count += 1
        key = self.order_count
        symbol, _, exchange = vt_symbol.rpartition(".")
        order = OrderData(
            symbol=symbol,
            exchange=Exchange(exchange)
            if exchange in Exchange._value2member_map_
            else Exchange.SSE,
            orderid=str(key),
            type=order_type,
            direction=direction,
            offset=Offset.OPEN if offset == Offset.OPEN else Offset.CLOSE,
            price=price,
            volume=volume,
            status=Status.SUBMITTING,
            datetime=self.datetime,
            gateway_name=self.gateway_name,
            reference=strategy.strategy_name if strategy else "",
        )
        vt_orderid = order.vt_orderid
        self.orders[vt_orderid] = order
        if contract is None:
            return self._reject(order, E.INSTRUMENT_NOT_FOUND)
        kind = KINDS.get(order_type)
        if kind is None or offset not in (Offset.OPEN, Offset.CLOSE, Offset.CLOSETODAY,
                                          Offset.CLOSEYESTERDAY):  # fmt: skip
            return self._reject(order, E.PRICETYPE_NOTSUPPORT_BYEXCHANGE)
        quote = self.quotes.get(vt_symbol)
        if quote is not None:
            self._sync(quote)
        if quote is None or not quote.has_data:
            return self._reject(order, E.ERROR_NO_MARKETDATA)
        side = BUY if direction == Direction.LONG else SELL
        book_order = BookOrder(
            key=key,
            contract=contract,
            kind=kind,
            direction=side,
            offset=OPEN if offset == Offset.OPEN else CLOSE,
            covered=covered,
            volume=int(volume),
            price=float(price),
        )
        if book_order.volume != volume:
            return self._reject(order, E.VOLUME_NOTSUPPORT)
        limits = quote.limits if quote.limits[1] else (0.0, float("inf"))
        if kind.is_market and not quote.limits[1]:
            asks = quote.levels()[1]
            limits = (0.0, asks[-1][0] if asks else price)
        error = self.account.place(
            book_order,
            limits,
            self.pre_settlements.get(vt_symbol) or quote.pre_close or quote.last_price,
            self._pre_close(contract.underlying_vt_symbol)
            if (side == SELL and book_order.offset == OPEN and not covered)
            else 0.0,
            self.trading_day,
        )
        if error:
            return self._reject(order, error)
        phase = phase_at(self.datetime.time()) if self.hours == HOURS_EXCHANGE else _CONTINUOUS
        if self._would_self_trade(quote, book_order):
            self.account.release(book_order)
            return self._reject(order, E.MAY_SELFTRADE)
        self.book_orders[key] = book_order
        self.live[key] = vt_orderid
        if not order_accepted(phase, kind):
            self._finish(book_order, Status.REJECTED, "交易所拒绝：当前状态禁止此项操作")
            return [vt_orderid]
        if matching_allowed(phase):
            bids, asks = quote.levels()
            result = match_incoming(kind, side, book_order.volume, book_order.price,
                                    bids, asks, RestingBook())  # fmt: skip
        else:
            result = match_incoming(OrderKind.LIMIT_GFD, side, book_order.volume,
                                    book_order.price, [], [], RestingBook())  # fmt: skip
        order.status = Status.NOTTRADED
        self._push_order(order)
        for fill in result.fills:
            quote.consume(side, fill)
            self._fill(book_order, fill.price, fill.volume)
        if book_order.remaining > 0:
            if result.rest_price is not None:
                book_order.price = result.rest_price
                quote.resting.add(Resting(key, "", side, result.rest_price,
                                          book_order.remaining, key))  # fmt: skip
                self._resting_symbols.add(vt_symbol)
            else:
                self._finish(book_order, Status.CANCELLED, result.reason or "已撤单")
        return [vt_orderid]

    def _pre_close(self, underlying_vt_symbol: str) -> float:
        value = self.pre_settlements.get(underlying_vt_symbol)
        if value:
            return value
        quote = self.quotes.get(underlying_vt_symbol)
        if quote is not None and quote.has_data:
            return quote.pre_close or quote.last_price
        raise BacktestError(f"缺少标的 {underlying_vt_symbol} 的行情，无法计算保证金")

    @staticmethod
    def _would_self_trade(quote: Quote, order: BookOrder) -> bool:
        opposite = quote.resting.best(SELL if order.direction == BUY else BUY)
        if opposite is None:
            return False
        if order.kind.is_market:
            return True
        return opposite <= order.price if order.direction == BUY else opposite >= order.price

    def _reject(self, order: OrderData, error_id: int) -> list[str]:
        order.status = Status.REJECTED
        msg = E.MESSAGES.get(error_id, f"错误 {error_id}")
        self.write_log(f"委托 {order.vt_symbol} 被拒绝：{msg}")
        order.extra = {"error_id": error_id, "error_msg": msg}
        self._push_order(order)
        return [order.vt_orderid]

    def _push_order(self, order: OrderData) -> None:
        if self.strategy is not None:
            self.events.append((self.strategy.update_order, _copy_order(order)))

    def _finish(self, book_order: BookOrder, status: Status, msg: str) -> None:
        vt_orderid = self.live.pop(book_order.key)
        self.account.release(book_order)
        book_order_quote = self.quotes.get(book_order.contract.vt_symbol)
        if book_order_quote is not None and book_order.key in book_order_quote.resting.by_key:
            book_order_quote.resting.remove(book_order.key)
            if not book_order_quote.resting.by_key:
                self._resting_symbols.discard(book_order.contract.vt_symbol)
        order = self.orders[vt_orderid]
        order.status = status
        order.extra = {"status_msg": msg}
        self._push_order(order)

    def _fill(self, book_order: BookOrder, price: float, volume: int) -> None:
        fee = self.account.fill(book_order, price, volume)
        vt_orderid = self.live[book_order.key]
        order = self.orders[vt_orderid]
        order.traded = book_order.traded
        order.status = Status.ALLTRADED if book_order.remaining == 0 else Status.PARTTRADED
        if book_order.remaining == 0:
            del self.live[book_order.key]
        self.trade_count += 1
        trade = TradeData(
            symbol=order.symbol,
            exchange=order.exchange,
            orderid=order.orderid,
            tradeid=str(self.trade_count),
            direction=order.direction,
            offset=order.offset,
            price=price,
            volume=volume,
            datetime=self.datetime,
            gateway_name=self.gateway_name,
        )
        trade.extra = {"fee": fee, "covered": book_order.covered}
        self.trades[trade.vt_tradeid] = trade
        self.recorder.on_trade(trade, book_order.contract, fee)
        self._push_order(order)
        if self.strategy is not None:
            self.events.append((self.strategy.update_trade, trade))

    def _cross(self, quote: Quote) -> None:
        from ..core.matching import cross_resting

        bids, asks = quote.levels()
        for fill in cross_resting(quote.resting, bids, asks):
            key = fill.resting_key
            assert key is not None
            book_order = self.book_orders[key]
            quote.consume(book_order.direction, fill)
            quote.resting.reduce(key, fill.volume)
            if not quote.resting.by_key:
                self._resting_symbols.discard(quote.contract.vt_symbol)
            self._fill(book_order, fill.price, fill.volume)

    def cancel_order(self, strategy: StrategyTemplate, vt_orderid: str) -> None:
        order = self.orders.get(vt_orderid)
        if order is None or not order.is_active():
            return
        key = int(order.orderid)
        if key in self.live:
            self._finish(self.book_orders[key], Status.CANCELLED, "已撤单")

    # --- option engine interface (vnpy_ctpsopt.strategy) -----------------------------------
    def send_covered_order(
        self,
        strategy: StrategyTemplate,
        vt_symbol: str,
        direction: Direction,
        offset: Offset,
        price: float,
        volume: float,
    ) -> list[str]:
        """A covered (备兑) sell-open or buy-close of a call."""
        return self.send_order(strategy, vt_symbol, direction, offset, price, volume,
                               covered=True)  # fmt: skip

    def send_lock(self, strategy: StrategyTemplate, vt_symbol: str, lock: bool, volume: int) -> str:
        """Lock (True) or unlock ETF shares of ``vt_symbol`` (the ETF or one of its options);
        "" when refused (the reason is logged)."""
        contract = self.contracts.get(vt_symbol)
        if contract is None:
            self.write_log(f"锁定失败：{E.MESSAGES[E.INSTRUMENT_NOT_FOUND]} {vt_symbol}")
            return ""
        etf = self.contracts.get(contract.underlying_vt_symbol) or BtContract(
            contract.underlying_vt_symbol, contract.underlying, contract.exchange,
            contract.underlying, False, False, 0.0, 1, 0.001, None, contract.underlying,
            1_000_000, 1_000_000,
        )  # fmt: skip
        error = self.account.lock(etf, int(volume), lock)
        if error:
            self.write_log(f"{'锁定' if lock else '解锁'}失败：{E.MESSAGES[error]}")
            return ""
        self.order_count += 1
        update_lock = getattr(strategy, "update_lock", None)
        if update_lock is not None:
            etf_vt = contract.underlying_vt_symbol
            self.events.append((lambda v: update_lock(etf_vt, v), volume if lock else -volume))
        return f"{self.gateway_name}.LOCK{self.order_count}"

    def send_exercise(self, strategy: StrategyTemplate, vt_symbol: str, volume: int) -> str:
        """Declare ``volume`` long lots for exercise at today's close (expiry day only)."""
        contract = self.contracts.get(vt_symbol)
        if contract is None:
            self.write_log(f"行权失败：{E.MESSAGES[E.INSTRUMENT_NOT_FOUND]} {vt_symbol}")
            return ""
        error = self.account.declare_exercise(contract, int(volume), self.trading_day)
        if error:
            self.write_log(f"行权失败：{E.MESSAGES[error]}")
            return ""
        self.order_count += 1
        return f"{self.gateway_name}.EXEC{self.order_count}"

    def get_option_contracts(self, underlying: str) -> list[ContractData]:
        """Options of ``underlying`` (ETF code or vt_symbol) listed today."""
        code = underlying.split(".")[0]
        return [
            c.to_contract_data()
            for c in self.contracts.values()
            if c.is_option and c.underlying == code and c.expiry and c.expiry >= self.trading_day
        ]

    def get_contract(self, vt_symbol: str) -> ContractData | None:
        contract = self.contracts.get(vt_symbol)
        return contract.to_contract_data() if contract else None

    def get_tick(self, vt_symbol: str) -> TickData | None:
        quote = self.quotes.get(vt_symbol)
        if quote is None:
            return None
        self._sync(quote)
        return quote.tick

    def get_position_detail(self, strategy: StrategyTemplate) -> dict[str, dict[str, float]]:
        """vt_symbol -> {"covered", "locked", "exercising": volume} (strategy.protocol)."""
        out: dict[str, dict[str, float]] = {}
        for (vt_symbol, side), row in self.account.positions.items():
            if side == COVERED and row.volume:
                out.setdefault(vt_symbol, {})["covered"] = row.volume
        for vt_symbol, lots in self.account.exercises.items():
            out.setdefault(vt_symbol, {})["exercising"] = lots
        for contract in self.contracts.values():
            stock = self.account.stocks.get(contract.symbol)
            if not contract.is_option and stock is not None and stock.locked:
                out.setdefault(contract.vt_symbol, {})["locked"] = stock.locked
        return out

    # --- vn.py StrategyEngine calls ---------------------------------------------------------
    def write_log(self, msg: str, strategy: StrategyTemplate | None = None) -> None:
        self.logs.append(f"{self.datetime}\t{msg}")

    def send_notification(self, msg: str, strategy: StrategyTemplate | None = None) -> None:
        return

    send_email = send_notification

    def sync_strategy_data(self, strategy: StrategyTemplate) -> None:
        return

    def put_strategy_event(self, strategy: StrategyTemplate) -> None:
        return

    def get_engine_type(self) -> EngineType:
        return self.engine_type

    def get_pricetick(self, strategy: StrategyTemplate, vt_symbol: str) -> float:
        if vt_symbol in self.priceticks:
            return self.priceticks[vt_symbol]
        contract = self.contracts.get(vt_symbol)
        return contract.pricetick if contract else 0.0001

    def get_size(self, strategy: StrategyTemplate, vt_symbol: str) -> int:
        if vt_symbol in self.sizes:
            return int(self.sizes[vt_symbol])
        contract = self.contracts.get(vt_symbol)
        return contract.size if contract else 1

    def load_bars(self, strategy: StrategyTemplate, days: int, interval: Interval) -> None:
        self.days = days

    def output(self, msg: str) -> None:
        print(f"{datetime.now()}\t{msg}")

    def get_all_trades(self) -> list[TradeData]:
        return list(self.trades.values())

    def get_all_orders(self) -> list[OrderData]:
        return list(self.orders.values())

    def get_all_daily_results(self) -> list[dict[str, Any]]:
        return self.recorder.rows

    # --- day close -------------------------------------------------------------------------
    def _close_day(self, feed: DayFeed) -> None:
        for key in sorted(self.live):
            self._finish(self.book_orders[key], Status.CANCELLED, "收盘撤单")
        if self.events:
            self._flush()
        closes: dict[str, float] = {}
        for vt_symbol, quote in self.quotes.items():
            closes[vt_symbol] = quote.last_price
        settlements = {**closes, **feed.settlements}
        underlying_closes: dict[str, float] = {}
        for (vt, side), row in self.account.positions.items():
            if not row.volume:
                continue
            c = self.contracts[vt]
            settlements.setdefault(vt, self.pre_settlements.get(vt, 0.0))
            expiring = c.expiry is not None and c.expiry <= self.trading_day
            if side != SHORT and not expiring:
                continue
            price = settlements.get(c.underlying_vt_symbol)
            if not price:
                raise BacktestError(
                    f"缺少标的 {c.underlying_vt_symbol} 在 {feed.trading_day} 的收盘价，"
                    "无法计算保证金和到期结算（请把标的ETF加入行情）"
                )
            underlying_closes[c.underlying] = price
        events = self.account.close_day(
            self.contracts, settlements, underlying_closes, self.trading_day, self.auto_exercise
        )
        self.settlement_events.extend(events)
        for event in events:
            self._settlement_trades(event)
        if self.events:
            self._flush()
        self.recorder.close_day(self.trading_day, settlements, events)
        self.pre_settlements = dict(settlements)
        for quote in self.quotes.values():
            quote.new_day()
        self._resting_symbols.clear()

    def _settlement_trades(self, event: Settlement) -> None:
        """Exercise, assignment and expiry as trades: the option leg closes at 0, the ETF leg
        trades at the strike (a share shortfall is bought back at the underlying close)."""
        c = event.contract
        lots = abs(event.volume)
        close_dir = Direction.SHORT if event.volume > 0 else Direction.LONG
        self._synthetic(c.vt_symbol, close_dir, 0.0, lots, event.kind, c.size)
        if event.shares:
            etf = c.underlying_vt_symbol
            direction = Direction.LONG if event.shares > 0 else Direction.SHORT
            self._synthetic(etf, direction, c.strike, abs(event.shares), event.kind, 1)
            if event.shortfall:
                self._synthetic(etf, Direction.LONG, event.underlying_close, event.shortfall,
                                event.kind, 1)  # fmt: skip

    def _synthetic(
        self, vt_symbol: str, direction: Direction, price: float, volume: int, kind: str, size: int
    ) -> None:
        symbol, _, exchange = vt_symbol.rpartition(".")
        self.trade_count += 1
        trade = TradeData(
            symbol=symbol,
            exchange=Exchange(exchange),
            orderid=kind.upper(),
            tradeid=f"{kind.upper()}{self.trade_count}",
            direction=direction,
            offset=Offset.CLOSE,
            price=price,
            volume=volume,
            datetime=datetime.combine(self.trading_day, time(15, 0)),
            gateway_name=self.gateway_name,
        )
        trade.extra = {"settlement": kind}
        self.trades[trade.vt_tradeid] = trade
        contract = self.contracts.get(vt_symbol)
        self.recorder.on_settlement_trade(trade, size if contract is None else contract.size)
        strategy = self.strategy
        if strategy is None:
            return
        delta = volume if direction == Direction.LONG else -volume
        update_position = getattr(strategy, "update_position", None)
        if update_position is not None:
            self.events.append((lambda d: update_position(vt_symbol, d), delta))
        elif vt_symbol in strategy.pos_data or vt_symbol in strategy.vt_symbols:
            strategy.pos_data[vt_symbol] += delta

    # --- results ---------------------------------------------------------------------------
    def calculate_result(self) -> DataFrame:
        self.daily_df = self.recorder.to_dataframe()
        return self.daily_df

    def calculate_statistics(
        self, df: DataFrame | None = None, output: bool = True
    ) -> dict[str, Any]:
        if df is None:
            df = self.daily_df if self.daily_df is not None else self.calculate_result()
        stats = calculate_statistics(df, self.capital, self.risk_free, self.annual_days,
                                     self.settlement_events)  # fmt: skip
        if output:
            print_statistics(stats, self.output)
        return stats

    def show_chart(self, df: DataFrame | None = None, path: str | None = None) -> list[str]:
        """Write the charts (balance, drawdown, daily PnL, margin, greeks) as plotly HTML
        files; returns their paths."""
        from .charts import write_charts

        if df is None:
            df = self.daily_df if self.daily_df is not None else self.calculate_result()
        return write_charts(df, self.capital, path)

    # --- optimisation ----------------------------------------------------------------------
    def run_bf_optimization(
        self,
        optimization_setting: OptimizationSetting,
        output: bool = True,
        max_workers: int | None = None,
        scheduler: str | Any = None,
    ) -> list[tuple[str, float, dict[str, Any]]]:
        from .optimize import run_bf

        return run_bf(self, optimization_setting, output, max_workers, scheduler)

    run_optimization = run_bf_optimization

    def run_ga_optimization(
        self,
        optimization_setting: OptimizationSetting,
        max_workers: int | None = None,
        ngen: int = 30,
        output: bool = True,
        scheduler: str | Any = None,
        pop_size: int = 100,
    ) -> list[tuple[str, float, dict[str, Any]]]:
        from .optimize import run_ga

        return run_ga(self, optimization_setting, output, max_workers, scheduler, ngen, pop_size)


def _copy_order(order: OrderData) -> OrderData:
    """A snapshot of an order as pushed (the strategy keeps what it was sent)."""
    copy = object.__new__(OrderData)
    copy.__dict__ = dict(order.__dict__)
    return copy
