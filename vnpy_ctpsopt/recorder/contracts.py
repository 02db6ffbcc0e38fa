"""The contract list of every recorded day, stored beside the ticks in the same database.

Table ``ctpsopt_contract`` keyed by (trading_day, symbol, exchange). Enums are stored by
``.name`` (locale-independent), dates as ISO text. Readers:

- ``load_contracts(day, database=None) -> list[ContractData]`` (one call per day),
- ``load_contract_days(start, end, database=None) -> dict[date, list[ContractData]]``.

``database`` is a vn.py BaseDatabase built on peewee (vnpy_sqlite, vnpy_postgresql, vnpy_mysql);
``None`` means ``vnpy.trader.database.get_database()``. Other adapters keep the list in a
side-car SQLite file ``ctpsopt_contracts.db`` in the vn.py settings folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from vnpy.trader.constant import Exchange, OptionType, Product
from vnpy.trader.object import ContractData

TABLE: str = "ctpsopt_contract"
SIDECAR_FILE: str = "ctpsopt_contracts.db"

CONTRACT_COLUMNS: tuple[str, ...] = (
    "trading_day", "symbol", "exchange", "name", "product", "size", "pricetick",
    "min_volume", "max_volume", "underlying", "option_portfolio", "option_underlying",
    "option_type", "option_strike", "option_expiry", "option_listed", "option_index",
    "adjusted", "instrument_code",
)  # fmt: skip

_TYPES: dict[str, str] = {
    "size": "DOUBLE PRECISION", "pricetick": "DOUBLE PRECISION",
    "min_volume": "DOUBLE PRECISION", "max_volume": "DOUBLE PRECISION",
    "option_strike": "DOUBLE PRECISION", "adjusted": "INTEGER",
}  # fmt: skip

CREATE_SQL: str = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    + ", ".join(f"{c} {_TYPES.get(c, 'VARCHAR(64)')}" for c in CONTRACT_COLUMNS)
    + ", PRIMARY KEY (trading_day, symbol, exchange))"
)

# (sql, parameter rows, many) -> fetched rows; ``many`` runs executemany over the rows.
Executor = Callable[[str, Sequence[Any], bool], list[tuple[Any, ...]]]


def day_text(day: date | datetime | str) -> str:
    """YYYYMMDD of a date, datetime or text (YYYYMMDD or YYYY-MM-DD)."""
    if isinstance(day, (date, datetime)):
        return day.strftime("%Y%m%d")
    text: str = str(day).replace("-", "")
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"交易日格式错误（应为YYYYMMDD）：{day}")
    return text


def is_adjusted(contract: ContractData) -> bool:
    """Adjusted (A/B series, non-standard unit) option contracts."""
    if contract.product != Product.OPTION:
        return False
    series: str = (contract.option_index or "").partition("-")[2]
    return (bool(series) and series[0] != "M") or contract.size != 10000


def underlying_of(contract: ContractData) -> str:
    """The ETF code of an option (``510050``), the code itself for an ETF."""
    if contract.option_portfolio:
        return contract.option_portfolio.removesuffix("_O")
    return contract.symbol


def contract_row(contract: ContractData, day: date | datetime | str) -> tuple[Any, ...]:
    """A ctpsopt_contract row (column order of CONTRACT_COLUMNS)."""
    extra: dict[str, Any] = contract.extra or {}
    return (
        day_text(day), contract.symbol, contract.exchange.value, contract.name,
        contract.product.name, float(contract.size), float(contract.pricetick),
        float(contract.min_volume), contract.max_volume, underlying_of(contract),
        contract.option_portfolio or "", contract.option_underlying or "",
        contract.option_type.name if contract.option_type else "",
        contract.option_strike,
        contract.option_expiry.date().isoformat() if contract.option_expiry else "",
        contract.option_listed.date().isoformat() if contract.option_listed else "",
        contract.option_index or "", int(is_adjusted(contract)),
        str(extra.get("instrument_code", "") or ""),
    )  # fmt: skip


def row_contract(row: Sequence[Any]) -> tuple[date, ContractData]:
    """The inverse of contract_row: (trading day, ContractData with gateway_name "DB")."""
    values: dict[str, Any] = dict(zip(CONTRACT_COLUMNS, row, strict=True))
    contract = ContractData(
        symbol=values["symbol"],
        exchange=Exchange(values["exchange"]),
        name=values["name"] or "",
        product=Product[values["product"]],
        size=values["size"],
        pricetick=values["pricetick"],
        min_volume=values["min_volume"],
        max_volume=values["max_volume"],
        gateway_name="DB",
    )
    if values["option_type"]:
        contract.option_type = OptionType[values["option_type"]]
        contract.option_strike = values["option_strike"]
        contract.option_portfolio = values["option_portfolio"]
        contract.option_underlying = values["option_underlying"]
        contract.option_index = values["option_index"]
        contract.option_expiry = _parse_iso(values["option_expiry"])
        contract.option_listed = _parse_iso(values["option_listed"])
    contract.extra = {
        "underlying": values["underlying"],
        "adjusted": bool(values["adjusted"]),
        "instrument_code": values["instrument_code"],
    }
    return datetime.strptime(values["trading_day"], "%Y%m%d").date(), contract


def _parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def upsert_sql(param: str) -> str:
    """INSERT ... ON CONFLICT DO UPDATE (SQLite >= 3.24, PostgreSQL, both spell it alike)."""
    columns: str = ", ".join(CONTRACT_COLUMNS)
    marks: str = ", ".join([param] * len(CONTRACT_COLUMNS))
    updates: str = ", ".join(f"{c} = EXCLUDED.{c}" for c in CONTRACT_COLUMNS[3:])
    return (
        f"INSERT INTO {TABLE} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT (trading_day, symbol, exchange) DO UPDATE SET {updates}"
    )


def select_sql(param: str) -> str:
    return (
        f"SELECT {', '.join(CONTRACT_COLUMNS)} FROM {TABLE} "
        f"WHERE trading_day >= {param} AND trading_day <= {param} "
        "ORDER BY trading_day, exchange, symbol"
    )


def peewee_executor(peewee_db: Any) -> tuple[Executor, str]:
    """An executor over a peewee Database (its own connection per thread) and its param mark."""

    def execute(sql: str, params: Sequence[Any], many: bool = False) -> list[tuple[Any, ...]]:
        with peewee_db.atomic():
            if many:
                peewee_db.cursor().executemany(sql, [tuple(p) for p in params])
                return []
            cursor = peewee_db.execute_sql(sql, tuple(params))
            return list(cursor.fetchall()) if cursor.description else []

    return execute, str(getattr(peewee_db, "param", "?"))


def database_executor(database: Any) -> tuple[Executor, str]:
    """The executor for a vn.py database adapter (side-car SQLite for non-peewee adapters)."""
    peewee_db = getattr(database, "db", None)
    if peewee_db is not None and hasattr(peewee_db, "execute_sql"):
        return peewee_executor(peewee_db)
    from peewee import SqliteDatabase
    from vnpy.trader.utility import get_file_path

    return peewee_executor(SqliteDatabase(str(get_file_path(SIDECAR_FILE))))


def save_contracts(
    database: Any, day: date | datetime | str, contracts: Sequence[ContractData]
) -> int:
    """Store (upsert) the contract list of ``day``; returns the number of rows written."""
    execute, param = database_executor(database)
    execute(CREATE_SQL, (), False)
    execute(upsert_sql(param), [contract_row(c, day) for c in contracts], True)
    return len(contracts)


def load_contract_days(
    start: date | datetime | str, end: date | datetime | str, database: Any = None
) -> dict[date, list[ContractData]]:
    """Every recorded day from ``start`` to ``end`` (inclusive) -> its contract list."""
    if database is None:
        from vnpy.trader.database import get_database

        database = get_database()
    execute, param = database_executor(database)
    execute(CREATE_SQL, (), False)
    result: dict[date, list[ContractData]] = {}
    for row in execute(select_sql(param), (day_text(start), day_text(end)), False):
        day, contract = row_contract(row)
        result.setdefault(day, []).append(contract)
    return result


def load_contracts(day: date | datetime | str, database: Any = None) -> list[ContractData]:
    """The contracts recorded on ``day`` (trading day), ETFs and options, sorted by exchange, code."""
    return load_contract_days(day, day, database).get(
        datetime.strptime(day_text(day), "%Y%m%d").date(), []
    )
