"""What VeighNa Trader opens for an option desk: the gateways and apps run.py adds, each optional
part imported when installed, the missing ones named in Chinese.

``run.py`` and the tests build the window from ``build_engine`` so both see the same list.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from vnpy.event import EventEngine
from vnpy.trader.app import BaseApp
from vnpy.trader.engine import MainEngine
from vnpy.trader.gateway import BaseGateway

from .gateway import CtpsoptGateway, CtpsoptSimGateway


@dataclass(frozen=True)
class Component:
    """An optional gateway or app: ``attr`` of ``module`` (empty: the module's BaseApp subclass)."""

    label: str
    module: str
    attr: str
    install: str  # what to install, shown when it is missing


# Index futures beside ETF options (CtpGateway's default name "CTP" differs from ours).
OPTIONAL_GATEWAYS: tuple[Component, ...] = (
    Component("CTP 期货接口", "vnpy_ctp", "CtpGateway", "pip install vnpy_ctpsopt[futures]"),
)

APPS: tuple[Component, ...] = (
    Component("期权交易 OptionMaster", "vnpy_optionmaster", "OptionMasterApp",
              "pip install vnpy_ctpsopt[apps]"),
    Component("组合策略 PortfolioStrategy", "vnpy_portfoliostrategy", "PortfolioStrategyApp",
              "pip install vnpy_portfoliostrategy"),
    Component("期权链录制", "vnpy_ctpsopt.recorder", "", "vnpy_ctpsopt 的录制模块（随本包发布）"),
    Component("数据管理 DataManager", "vnpy_datamanager", "DataManagerApp",
              "pip install vnpy_ctpsopt[apps]"),
    Component("交易风控 RiskManager", "vnpy_riskmanager", "RiskManagerApp",
              "pip install vnpy_ctpsopt[apps]"),
)

# Sample strategies live in this folder of the launch directory. vnpy_portfoliostrategy only
# looks in Path.cwd()/strategies, and MainEngine changes the working directory to vn.py's
# TRADER_DIR (the folder holding .vntrader, usually the home folder), so build_engine loads the
# launch directory's folder itself.
STRATEGY_FOLDER: str = "strategies"
PORTFOLIO_APP: str = "PortfolioStrategy"


@dataclass
class TraderParts:
    """What could be imported: gateway and app classes in window order, and what is missing
    (one Chinese line each)."""

    gateways: list[type[BaseGateway]] = field(default_factory=list)
    apps: list[type[BaseApp]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    strategy_folder: Path | None = None  # the launch directory's strategies/, when it exists


def _import(name: str) -> tuple[ModuleType | None, str]:
    try:
        return importlib.import_module(name), ""
    except ImportError as exc:
        return None, str(exc)


def _app_class(module: ModuleType) -> type[BaseApp] | None:
    """The BaseApp subclass a package exports (for packages whose class name is not fixed)."""
    for name in getattr(module, "__all__", dir(module)):
        value = getattr(module, name, None)
        if isinstance(value, type) and issubclass(value, BaseApp) and value is not BaseApp:
            return value
    return None


def resolve(component: Component) -> tuple[type | None, str]:
    """The class of ``component``, or (None, why it is missing in Chinese)."""
    module, error = _import(component.module)
    if module is None:
        return None, f"{component.label} 未安装（{component.install}）：{error}"
    value: object = getattr(module, component.attr, None) if component.attr else _app_class(module)
    if not isinstance(value, type):
        return None, f"{component.label} 不可用：{component.module} 中没有找到对应的类"
    return value, ""


def load_parts(cwd: Path | None = None) -> TraderParts:
    """Import every gateway and app that is installed; say what is missing.

    ``cwd`` is where PortfolioStrategy looks for ``strategies/`` (default: the working folder).
    """
    parts = TraderParts(gateways=[CtpsoptGateway, CtpsoptSimGateway])
    for component in OPTIONAL_GATEWAYS:
        gateway, reason = resolve(component)
        if gateway is not None and issubclass(gateway, BaseGateway):
            parts.gateways.append(gateway)
        else:
            parts.missing.append(reason)
    for component in APPS:
        app, reason = resolve(component)
        if app is not None and issubclass(app, BaseApp):
            parts.apps.append(app)
        else:
            parts.missing.append(reason)
    folder: Path = (cwd or Path.cwd()).resolve() / STRATEGY_FOLDER
    if folder.is_dir():
        parts.strategy_folder = folder
    elif any(a.__module__.startswith("vnpy_portfoliostrategy") for a in parts.apps):
        parts.missing.append(f"组合策略：当前目录下没有 {STRATEGY_FOLDER}/ 文件夹，只加载内置策略")
    return parts


def load_strategies(main_engine: MainEngine, folder: Path) -> None:
    """Make PortfolioStrategy load the strategy classes of ``folder`` (imported as the package
    ``strategies``, so its parent goes on sys.path) besides its own and TRADER_DIR's."""
    engine = main_engine.get_engine(PORTFOLIO_APP)
    loader = getattr(engine, "load_strategy_class_from_folder", None)
    if loader is None:
        return
    root: str = str(folder.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    loader(folder, STRATEGY_FOLDER)


def build_engine(
    parts: TraderParts | None = None,
) -> tuple[MainEngine, EventEngine, TraderParts]:
    """A MainEngine with every installed gateway and app added (what run.py opens)."""
    parts = parts or load_parts()
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    for gateway in parts.gateways:
        main_engine.add_gateway(gateway)
    for app in parts.apps:
        main_engine.add_app(app)
    if parts.strategy_folder is not None:
        load_strategies(main_engine, parts.strategy_folder)
    for line in parts.missing:
        main_engine.write_log(line)
    return main_engine, event_engine, parts
