"""Connect, contracts (OptionMaster-ready), account, positions and ticks on the simulated counter."""

from __future__ import annotations

from vnpy.trader.constant import Exchange, Product
from vnpy.trader.event import EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_POSITION
from vnpy.trader.object import SubscribeRequest

from vnpy_ctpsopt import CtpsoptSimGateway

from .harness import Harness, account_agrees, poll, positions_agree


def test_connect_pushes_contracts_account_positions(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contracts = harness.of(EVENT_CONTRACT)
    products = {(c.exchange.name, c.product.name) for c in contracts}
    assert {("SSE", "OPTION"), ("SZSE", "OPTION"), ("SSE", "ETF"), ("SZSE", "ETF")} <= products
    options = [c for c in contracts if c.product == Product.OPTION]
    assert all(
        c.option_portfolio and c.option_underlying and c.option_index and c.option_expiry
        and c.option_expiry.tzinfo is None and c.option_strike and c.option_type
        for c in options
    )
    assert harness.of(EVENT_ACCOUNT) and harness.of(EVENT_POSITION)
    logs = harness.logs()
    assert logs.index(next(m for m in logs if m.startswith("合约信息查询成功"))) < len(logs)
    assert positions_agree(harness, gateway, sim)
    assert account_agrees(harness, gateway, sim)


def test_every_chain_pairs_calls_and_puts(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    chains: dict[str, dict[str, set[str]]] = {}
    for c in gateway.contracts.by_symbol.values():
        if c.product != Product.OPTION:
            continue
        assert c.option_type is not None and c.option_index is not None
        chain = chains.setdefault(f"{c.option_underlying}.{c.exchange.value}", {"CALL": set(), "PUT": set()})
        chain[c.option_type.name].add(c.option_index)
    assert chains
    adjusted = [i for sides in chains.values() for i in sides["CALL"] if "-A" in i or "-B" in i]
    assert adjusted, "the listing has adjusted (A/B) series"
    for name, sides in chains.items():
        assert sides["CALL"] == sides["PUT"], name


def test_optionmaster_builds_portfolios_and_greeks_headless(harness: Harness, sim: str) -> None:
    from vnpy_optionmaster import OptionMasterApp
    from vnpy_optionmaster.engine import OptionEngine

    engine = harness.main_engine.add_app(OptionMasterApp)
    assert isinstance(engine, OptionEngine)
    gateway = harness.add()
    harness.connect(gateway, sim)
    names = engine.get_portfolio_names()
    assert "510050_O.SSE" in names and "159919_O.SZSE" in names
    for portfolio_name, etf in (("510050_O.SSE", "510050.SSE"), ("159919_O.SZSE", "159919.SZSE")):
        assert etf in engine.get_underlying_symbols(portfolio_name)
        chain_map = {
            f"{c.option_underlying}.{c.exchange.value}": etf
            for c in gateway.contracts.by_symbol.values()
            if c.option_portfolio and f"{c.option_portfolio}.{c.exchange.value}" == portfolio_name
        }
        engine.update_portfolio_setting(portfolio_name, "Black-Scholes 欧式股票期权", 0.02, chain_map)
        assert engine.init_portfolio(portfolio_name)

    def greeks_ready() -> bool:
        for portfolio_name in ("510050_O.SSE", "159919_O.SZSE"):
            portfolio = engine.get_portfolio(portfolio_name)
            if not any(o.mid_impv > 0 and o.theo_delta != 0 for o in portfolio.options.values()):
                return False
        return True

    assert poll(greeks_ready)


def test_subscribe_receives_ticks(harness: Harness, sim: str) -> None:
    gateway = harness.add()
    harness.connect(gateway, sim)
    contract, tick = harness.liquid_call(gateway, Exchange.SZSE)
    assert tick.datetime.tzinfo is not None and tick.datetime.utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]
    assert tick.bid_price_5 and tick.ask_price_5 and tick.limit_up > tick.limit_down
    assert tick.extra is not None and tick.extra["trading_active"] in (True, False)
    # unknown symbols are refused with a log, nothing crashes
    start = harness.mark()
    gateway.subscribe(SubscribeRequest("00000000", Exchange.SSE))
    assert "找不到合约" in harness.wait_log("订阅失败", start=start)


def test_sim_gateway_settings_turn_into_a_sim_address(harness: Harness, sim: str) -> None:
    gateway = harness.add("CTPSOPT_SIM", CtpsoptSimGateway)
    gateway.connect({"用户名": "paper", "密码": "", "初始资金": 200000.0, "行情倍速": 1.0,
                     "随机种子": "3", "状态文件": "memory"})
    harness.wait_log("合约信息查询成功", "CTPSOPT_SIM")
    event = harness.wait(lambda e: e.type == EVENT_ACCOUNT and e.data.gateway_name == "CTPSOPT_SIM")
    assert event.data.balance == 200000.0
