"""A vn.py database adapter for explicit settings, built fresh (tests, tools, benchmarks).

``vnpy.trader.database.get_database()`` caches one adapter per process, and the peewee adapters
bind their tables to a module-level database object configured from ``SETTINGS`` at import.
``open_database(setting)`` writes the given keys into vn.py's ``SETTINGS``, re-initialises that
module-level object with them (closing its current connection) and constructs the adapter class
directly, so each call gets an adapter on the requested database. Every adapter of one module
shares that object: the latest call wins for all of them (one database per adapter module at a
time). ``get_database()``'s own cached adapter follows as well, since it uses the same object.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from vnpy.trader.database import BaseDatabase
from vnpy.trader.setting import SETTINGS
from vnpy.trader.utility import get_file_path

_MODULES: dict[str, tuple[str, str]] = {
    "sqlite": ("vnpy_sqlite.sqlite_database", "SqliteDatabase"),
    "postgresql": ("vnpy_postgresql.postgresql_database", "PostgresqlDatabase"),
    "mysql": ("vnpy_mysql.mysql_database", "MysqlDatabase"),
}


def open_database(setting: dict[str, Any]) -> BaseDatabase:
    """A fresh adapter for ``setting`` (vn.py keys: ``database.name``, ``database.database``,
    ``database.host``, ``database.port``, ``database.user``, ``database.password``)."""
    SETTINGS.update(setting)
    name: str = str(SETTINGS["database.name"])
    if name not in _MODULES:
        module: ModuleType = import_module(f"vnpy_{name}")
        database: BaseDatabase = module.Database()
        return database
    module_name, class_name = _MODULES[name]
    module = import_module(module_name)
    peewee_db: Any = module.db
    if not peewee_db.is_closed():
        peewee_db.close()
    if name == "sqlite":
        peewee_db.init(str(get_file_path(str(SETTINGS["database.database"] or "database.db"))))
    else:
        peewee_db.init(
            SETTINGS["database.database"],
            user=SETTINGS["database.user"],
            password=SETTINGS["database.password"],
            host=SETTINGS["database.host"],
            port=int(SETTINGS["database.port"]),
        )
    adapter: BaseDatabase = getattr(module, class_name)()
    return adapter
