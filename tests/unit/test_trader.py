"""vnpy_ctpsopt.trader: what is missing is named, strategies/ of the launch folder is found."""

from __future__ import annotations

from pathlib import Path

from vnpy_ctpsopt.trader import Component, load_parts, resolve


def test_missing_module_and_missing_class_are_named() -> None:
    cls, why = resolve(Component("某应用", "no_such_module_xyz", "App", "pip install xyz"))
    assert cls is None and "某应用 未安装" in why and "pip install xyz" in why
    cls, why = resolve(Component("某应用", "vnpy_ctpsopt.trader", "NoSuchClass", "-"))
    assert cls is None and "没有找到" in why


def test_app_class_found_without_a_fixed_name() -> None:
    from vnpy.trader.app import BaseApp

    cls, why = resolve(Component("行情录制", "vnpy_portfoliostrategy", "", "-"))
    assert why == "" and cls is not None and issubclass(cls, BaseApp)
    assert cls.__name__ == "PortfolioStrategyApp"


def test_strategies_folder_of_the_launch_directory(tmp_path: Path) -> None:
    parts = load_parts(tmp_path)
    assert parts.strategy_folder is None
    assert any("strategies/" in line for line in parts.missing)
    (tmp_path / "strategies").mkdir()
    parts = load_parts(tmp_path)
    assert parts.strategy_folder == (tmp_path / "strategies").resolve()
    assert not any("strategies/" in line for line in parts.missing)
