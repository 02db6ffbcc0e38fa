"""Parameter optimisation with vn.py's ``OptimizationSetting``: brute force and genetic
(DEAP, as vn.py), each backtest in a fresh engine. Local processes (spawn) by default; given a
Dask scheduler address (or a ``distributed.Client``) the same call maps over the cluster
through ``Client.get_executor()``. The strategy class must be importable on the workers.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing import get_context
from typing import Any

from vnpy.trader.optimize import OptimizationSetting, check_optimization_setting

from .feed import BacktestError
from .progress import progress

Result = tuple[str, float, dict[str, Any]]


def engine_spec(engine: Any) -> dict[str, Any]:
    """Everything a worker needs to rebuild the engine (picklable)."""
    return {
        "engine_class": type(engine),
        "strategy_class": engine.strategy_class,
        "vt_symbols": engine.vt_symbols,
        "interval": engine.interval,
        "start": engine.start,
        "end": engine.end,
        "rates": engine.rates,
        "slippages": engine.slippages,
        "sizes": engine.sizes,
        "priceticks": engine.priceticks,
        "capital": engine.capital,
        "risk_free": engine.risk_free,
        "annual_days": engine.annual_days,
        "fees": engine.fees,
        "margin_markup": engine.margin_markup,
        "stocks": engine.stocks,
        "auto_exercise": engine.auto_exercise,
        "hours": engine.hours,
        "source": engine.source,
        "history": engine.history,
        "contracts": list(engine.contracts.values()) if engine.history else [],
    }


def evaluate(target_name: str, spec: dict[str, Any], setting: dict[str, Any]) -> Result:
    """One backtest in a fresh engine: (str(setting), target value, statistics)."""
    engine = spec["engine_class"]()
    engine.show_progress = False
    engine.set_parameters(
        spec["vt_symbols"], spec["interval"], spec["start"], spec["rates"], spec["slippages"],
        spec["sizes"], spec["priceticks"], spec["capital"], spec["end"], spec["risk_free"],
        spec["annual_days"], fees=spec["fees"], margin_markup=spec["margin_markup"],
        stocks=spec["stocks"], auto_exercise=spec["auto_exercise"], hours=spec["hours"],
        greeks=False,
    )  # fmt: skip
    if spec["source"] is not None:
        engine.set_source(spec["source"])
    else:
        engine.set_history(spec["history"], spec["contracts"])
    engine.add_strategy(spec["strategy_class"], setting)
    engine.run_backtesting()
    engine.calculate_result()
    stats = engine.calculate_statistics(output=False)
    return (str(setting), float(stats[target_name]), stats)


@contextmanager
def executor_for(max_workers: int | None, scheduler: Any) -> Iterator[Executor]:
    """Spawned local processes, or a Dask cluster's executor when ``scheduler`` is given."""
    if scheduler is None:
        with ProcessPoolExecutor(max_workers, mp_context=get_context("spawn")) as pool:
            yield pool
        return
    try:
        from distributed import Client
    except ImportError:
        raise BacktestError(
            "使用 Dask 集群需要安装 cluster 扩展：pip install vnpy_ctpsopt[cluster]"
        ) from None
    if isinstance(scheduler, Client):
        yield scheduler.get_executor(pure=False)
        return
    with Client(scheduler) as client:
        yield client.get_executor(pure=False)


def _check(engine: Any, setting: OptimizationSetting) -> Callable[[dict[str, Any]], Result]:
    if engine.strategy_class is None:
        raise BacktestError("没有添加策略：请先调用 add_strategy()")
    if not check_optimization_setting(setting, engine.output):
        raise BacktestError("优化参数组合为空或没有设置优化目标")
    return partial(evaluate, setting.target_name, engine_spec(engine))


def run_bf(
    engine: Any,
    setting: OptimizationSetting,
    output: bool,
    max_workers: int | None,
    scheduler: Any,
) -> list[Result]:
    """Every combination of the grid; results sorted by the target, best first."""
    func = _check(engine, setting)
    settings = setting.generate_settings()
    engine.output(f"开始执行穷举算法优化，参数优化空间：{len(settings)}")
    with executor_for(max_workers, scheduler) as pool:
        results = list(progress(pool.map(func, settings), len(settings), "穷举优化", "组"))
    results.sort(key=lambda r: r[1], reverse=True)
    if output:
        for result in results:
            engine.output(f"参数：{result[0]}, 目标：{result[1]}")
    return results


def run_ga(
    engine: Any,
    setting: OptimizationSetting,
    output: bool,
    max_workers: int | None,
    scheduler: Any,
    ngen: int,
    pop_size: int,
    seed: int = 0,
) -> list[Result]:
    """vn.py's genetic search (DEAP mu+lambda, NSGA-II selection) with the map swapped for
    the executor's; each parameter set is backtested once (cached in this process)."""
    import vnpy.trader.optimize  # noqa: F401  (creates DEAP's FitnessMax/Individual)
    from deap import algorithms, base, creator, tools

    func = _check(engine, setting)
    grid = [list(d.items()) for d in setting.generate_settings()]
    rng = random.Random(seed)
    cache: dict[tuple[Any, ...], Result] = {}

    def mutate(individual: list[Any], indpb: float) -> tuple[list[Any]]:
        other = rng.choice(grid)
        for i in range(len(individual)):
            if rng.random() < indpb:
                individual[i] = other[i]
        return (individual,)

    with executor_for(max_workers, scheduler) as pool:

        def evaluate_all(_: Any, individuals: list[list[Any]]) -> list[tuple[float]]:
            todo = [tuple(ind) for ind in individuals if tuple(ind) not in cache]
            todo = list(dict.fromkeys(todo))
            for key, result in zip(todo, pool.map(func, [dict(k) for k in todo]), strict=True):
                cache[key] = result
            return [(cache[tuple(ind)][1],) for ind in individuals]

        toolbox = base.Toolbox()
        toolbox.register(
            "individual", tools.initIterate, creator.Individual, lambda: rng.choice(grid)
        )
        toolbox.register("population", tools.initRepeat, list, toolbox.individual)
        toolbox.register("mate", tools.cxTwoPoint)
        toolbox.register("mutate", mutate, indpb=1.0)
        toolbox.register("select", tools.selNSGA2)
        toolbox.register("evaluate", lambda ind: None)
        toolbox.register("map", evaluate_all)
        random.seed(seed)  # DEAP's operators draw from the random module
        population = toolbox.population(pop_size)
        engine.output(f"开始执行遗传算法优化，参数优化空间：{len(grid)}，迭代次数：{ngen}")
        algorithms.eaMuPlusLambda(
            population, toolbox, int(pop_size * 0.8), pop_size, 0.95, 0.05, ngen, verbose=False
        )
    results = sorted(cache.values(), key=lambda r: r[1], reverse=True)
    if output:
        for result in results:
            engine.output(f"参数：{result[0]}, 目标：{result[1]}")
    return results
