"""Native backend of the seam over openctp-ctpopt (SWIG). The only module that touches SWIG structs.

Callbacks: the C++ network thread calls our SWIG director; we copy every struct into a plain dict
right there (the struct memory belongs to the C++ library), enqueue the call and return at once.
One Python worker thread per api object delivers the calls to the spi, in order. Nothing raised by
the spi (nor by the copy) ever reaches C++: exceptions are logged with their traceback.
"""

from __future__ import annotations

import ctypes
import locale
import logging
import queue
import re
import struct
import sys
import tempfile
import threading
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from types import ModuleType
from typing import Any

from .base import (
    CONNECTED,
    DISCONNECTED,
    ERR_RTN,
    HEARTBEAT,
    MD_CALLBACKS,
    MD_REQUESTS,
    RSP,
    RSP_ERROR,
    RTN,
    TD_CALLBACKS,
    TD_REQUESTS,
    Data,
    MdApi,
    MdSpi,
    TdApi,
    TdSpi,
)

LOCALE_NAME: str = "zh_CN.GB18030"

logger: logging.Logger = logging.getLogger("vnpy_ctpsopt.native")


class NativeLibraryError(RuntimeError):
    """The native openctp-ctpopt library cannot be used on this machine."""


def check_locale() -> None:
    """Raise NativeLibraryError unless the locale openctp-ctpopt needs exists.

    Without it, importing the library aborts the whole process from C++. Windows does not need it.
    """
    if sys.platform == "win32":
        return
    current: str = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, LOCALE_NAME)
    except locale.Error:
        raise NativeLibraryError(
            f"缺少 {LOCALE_NAME} 区域设置，无法加载 openctp-ctpopt。"
            f"Debian/Ubuntu (root): 在 /etc/locale.gen 启用 '{LOCALE_NAME} GB18030' 后运行 "
            "locale-gen；RHEL/Fedora: dnf install glibc-langpack-zh。"
            f" (locale {LOCALE_NAME} missing: enable it and run locale-gen)"
        ) from None
    finally:
        locale.setlocale(locale.LC_ALL, current)


def load_modules() -> tuple[ModuleType, ModuleType]:
    """Import the trader and md SWIG modules after the locale pre-flight."""
    check_locale()
    try:
        from openctp_ctpopt import soptthostmduserapi, soptthosttraderapi
    except ImportError as exc:
        raise NativeLibraryError(
            "无法导入 openctp-ctpopt（该库只有 Linux 和 Windows 版本；macOS 请使用 sim:// "
            f"模拟柜台）: {exc}"
        ) from exc
    return soptthosttraderapi, soptthostmduserapi


_CHAR_ARRAY = re.compile(r"of type 'char \[(\d+)\]'")
_NUL = b"\0"


def _struct_fields(cls: type) -> tuple[str, ...]:
    """The data fields of a SWIG struct class, in declaration (= memory) order."""
    return tuple(
        name
        for klass in reversed(cls.__mro__)
        for name, value in vars(klass).items()
        if isinstance(value, property) and name != "thisown" and not name.startswith("_")
    )


def _field_code(cls: type, name: str) -> str | None:
    """The ``struct`` format code of one field, from the C type SWIG's setter reports."""
    probe = cls()
    default = getattr(probe, name)
    try:
        setattr(probe, name, object())
    except TypeError as exc:
        match = _CHAR_ARRAY.search(str(exc))
        if match:
            return f"{match.group(1)}s"
    else:  # a setter that takes anything: not a plain C field
        return None
    if isinstance(default, float):
        return "d"
    if isinstance(default, str):
        return "1s"  # a single char typedef
    if isinstance(default, int):
        try:
            setattr(probe, name, 1 << 40)
        except (OverflowError, TypeError):
            return "i"
        return "q"
    return None  # e.g. bytes (settlement Content): keep the property read


def _probe_value(code: str, index: int) -> Any:
    """A distinct value for field ``index`` of format ``code`` (used to verify a layout)."""
    if code == "d":
        return index + 0.25
    if code == "i":
        return index + 1
    if code == "q":
        return (1 << 33) + index
    if code == "1s":
        return chr(65 + index % 26)
    return f"v{index}"[: int(code[:-1]) - 1]


def _text(raw: bytes | str) -> str:
    if isinstance(raw, str):  # already decoded before another field needed GBK
        return raw
    raw = raw.split(_NUL, 1)[0]
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return raw.decode("gbk", "replace")


class _PropertyPlan:
    """Reads every field through its SWIG property (always correct, about 0.5 µs a field)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._get: Callable[[Any], Any] = attrgetter(*names)

    def __call__(self, struct: Any) -> Data:
        values = self._get(struct)
        if len(self.names) == 1:
            return {self.names[0]: values}
        return dict(zip(self.names, values, strict=True))


class _LayoutPlan:
    """Reads the struct's memory once and unpacks it with the discovered C layout.

    The dict is built by a function generated from the field list (unpacking into locals and
    decoding ASCII text inline is about a quarter faster than a loop); text that is not ASCII
    (Chinese from the counter) is decoded as GBK, as the binding does.
    """

    def __init__(self, names: tuple[str, ...], layout: struct.Struct, texts: tuple[int, ...]):
        self.names = names
        self.size: int = layout.size
        local = [f"v{i}" for i in range(len(names))]
        ascii_lines = "".join(
            f"        v{i} = v{i}.split(NUL, 1)[0].decode('ascii')\n" for i in texts
        )
        gbk_lines = "".join(f"        v{i} = text(v{i})\n" for i in texts)
        nothing = "        pass\n"
        items = ", ".join(f"{name!r}: {var}" for name, var in zip(names, local, strict=True))
        source = (
            "def copy(struct):\n"
            f"    ({', '.join(local)},) = unpack(string_at(int(struct.this), size))\n"
            f"    try:\n{ascii_lines or nothing}"
            f"    except UnicodeDecodeError:\n{gbk_lines or nothing}"
            f"    return {{{items}}}\n"
        )
        namespace: dict[str, Any] = {
            "unpack": layout.unpack,
            "string_at": ctypes.string_at,
            "size": layout.size,
            "NUL": _NUL,
            "text": _text,
        }
        exec(source, namespace)  # noqa: S102 - generated from the SWIG class's own field names
        self.copy: Callable[[Any], Data] = namespace["copy"]

    def __call__(self, struct: Any) -> Data:
        return self.copy(struct)


def _layout_plan(cls: type, names: tuple[str, ...]) -> _LayoutPlan | None:
    """A memory-layout plan for ``cls`` if every field's layout is known and verifies."""
    codes = [_field_code(cls, name) for name in names]
    if not names or any(code is None for code in codes):
        return None
    layout = struct.Struct("@" + "".join(c for c in codes if c))
    texts = tuple(i for i, c in enumerate(codes) if c and c.endswith("s"))
    plan = _LayoutPlan(names, layout, texts)
    slow = _PropertyPlan(names)
    probe = cls()
    if plan(probe) != slow(probe):
        return None
    for i, (name, code) in enumerate(zip(names, codes, strict=True)):
        setattr(probe, name, _probe_value(code or "", i))
    return plan if plan(probe) == slow(probe) else None


class StructCopier:
    """Copies SWIG structs into dicts, with one plan per struct class (cached per instance).

    The fast plan reads the struct's memory once (``ctypes.string_at``) and unpacks it with a
    layout discovered from the C types SWIG's setters report, after checking it field by field
    against the property reads on a probe struct; a class whose layout does not check out (or
    ``fast=False``) is read through its properties.
    """

    def __init__(self, fast: bool = True) -> None:
        self._fast = fast
        self._plans: dict[type, _PropertyPlan | _LayoutPlan] = {}
        # struct class -> the copy function itself (one call frame less on the tick path)
        self._copies: dict[type, Callable[[Any], Data]] = {}

    def fields(self, cls: type) -> tuple[str, ...]:
        return self._plan(cls).names

    def is_fast(self, cls: type) -> bool:
        return isinstance(self._plan(cls), _LayoutPlan)

    def layout_size(self, cls: type) -> int:
        """Bytes the fast plan reads from a struct of ``cls`` (0 when it reads properties)."""
        plan = self._plan(cls)
        return plan.size if isinstance(plan, _LayoutPlan) else 0

    def _plan(self, cls: type) -> _PropertyPlan | _LayoutPlan:
        plan = self._plans.get(cls)
        if plan is None:
            names = _struct_fields(cls)
            plan = (_layout_plan(cls, names) if self._fast else None) or _PropertyPlan(names)
            self._plans[cls] = plan
            self._copies[cls] = plan.copy if isinstance(plan, _LayoutPlan) else plan
        return plan

    def to_dict(self, struct: Any) -> Data:
        """A dict of every field; ``None`` (a null pointer) becomes ``{}``."""
        if struct is None:
            return {}
        copy = self._copies.get(type(struct))
        if copy is None:
            self._plan(type(struct))
            copy = self._copies[type(struct)]
        return copy(struct)


def dict_to_struct(
    module: ModuleType, struct_name: str, req: Data, copier: StructCopier | None = None
) -> Any:
    """Fill a new SWIG struct from a request dict; a bad key or value raises ValueError."""
    cls: type = getattr(module, struct_name)
    fields = (copier or StructCopier()).fields(cls)
    unknown = [key for key in req if key not in fields]
    if unknown:
        raise ValueError(f"{struct_name} has no field {', '.join(unknown)}")
    struct = cls()
    for key, value in req.items():
        try:
            setattr(struct, key, value)
        except (AttributeError, TypeError) as exc:
            raise ValueError(f"{struct_name}.{key} = {value!r}: {exc}") from exc
    return struct


class CallbackWorker:
    """One thread that delivers queued callbacks to a spi, in order, and logs handler errors."""

    def __init__(self, spi: object, name: str) -> None:
        self._spi = spi
        self._queue: queue.SimpleQueue[tuple[str, tuple[Any, ...]] | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def put(self, method: str, args: tuple[Any, ...]) -> None:
        if not self._closed.is_set():
            self._queue.put((method, args))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or self._closed.is_set():
                return
            method, args = item
            try:
                getattr(self._spi, method)(*args)
            except BaseException:  # noqa: BLE001 - a handler must never stop delivery
                logger.exception("回调处理异常 (%s)", method)

    def close(self, timeout: float) -> None:
        """Drop what is queued and join, unless called from the worker itself."""
        self._closed.set()
        self._queue.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)


def _on_connected(method: str) -> Callable[..., None]:
    def callback(self: Any) -> None:
        self._owner._enqueue(method, ())

    return callback


def _on_int(method: str) -> Callable[..., None]:
    def callback(self: Any, value: int) -> None:
        self._owner._enqueue(method, (int(value),))

    return callback


def _on_rsp(method: str) -> Callable[..., None]:
    def callback(self: Any, data: Any, info: Any, reqid: int, last: bool) -> None:
        owner = self._owner
        try:
            to_dict = owner._copier.to_dict
            owner._enqueue(method, (to_dict(data), to_dict(info), reqid, bool(last)))
        except BaseException:  # noqa: BLE001 - never let anything reach C++
            logger.exception("回调数据复制失败 (%s)", method)

    return callback


def _on_rtn(method: str) -> Callable[..., None]:
    def callback(self: Any, data: Any) -> None:
        owner = self._owner
        try:
            owner._enqueue(method, (owner._copier.to_dict(data),))
        except BaseException:  # noqa: BLE001
            logger.exception("回调数据复制失败 (%s)", method)

    return callback


def _on_err_rtn(method: str) -> Callable[..., None]:
    def callback(self: Any, data: Any, info: Any) -> None:
        owner = self._owner
        try:
            to_dict = owner._copier.to_dict
            owner._enqueue(method, (to_dict(data), to_dict(info)))
        except BaseException:  # noqa: BLE001
            logger.exception("回调数据复制失败 (%s)", method)

    return callback


def _on_rsp_error(method: str) -> Callable[..., None]:
    def callback(self: Any, info: Any, reqid: int, last: bool) -> None:
        owner = self._owner
        try:
            owner._enqueue(method, (owner._copier.to_dict(info), reqid, bool(last)))
        except BaseException:  # noqa: BLE001
            logger.exception("回调数据复制失败 (%s)", method)

    return callback


_MAKERS: dict[str, Callable[[str], Callable[..., None]]] = {
    CONNECTED: _on_connected,
    DISCONNECTED: _on_int,
    HEARTBEAT: _on_int,
    RSP: _on_rsp,
    RTN: _on_rtn,
    ERR_RTN: _on_err_rtn,
    RSP_ERROR: _on_rsp_error,
}


def _make_spi_class(base: type, callbacks: dict[str, str]) -> type:
    """A SWIG director subclass whose On* methods copy and enqueue, never raising."""
    namespace: dict[str, Any] = {
        "O" + method[1:]: _MAKERS[kind](method) for method, kind in callbacks.items()
    }

    def __init__(self: Any, owner: _NativeApiBase) -> None:
        base.__init__(self)  # type: ignore[misc]
        self._owner = owner

    namespace["__init__"] = __init__
    return type(f"Ctpsopt{base.__name__}", (base,), namespace)


class _NativeApiBase:
    """Shared lifecycle of the native td and md apis."""

    _kind: str = ""

    def __init__(self, url: str, spi: object, flow_path: Path | None) -> None:
        self._url = url
        self._copier = StructCopier()
        self._worker = CallbackWorker(spi, f"ctpsopt-{self._kind}-{id(self):x}")
        self._flow_path = flow_path or Path(tempfile.mkdtemp(prefix=f"ctpsopt-{self._kind}-"))
        self._flow_path.mkdir(parents=True, exist_ok=True)
        self._api: Any = None
        self._spi_adapter: Any = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def worker_thread(self) -> threading.Thread:
        return self._worker.thread

    def _enqueue(self, method: str, args: tuple[Any, ...]) -> None:
        self._worker.put(method, args)

    def _flow_prefix(self) -> str:
        # The library writes its .con files with this string as a prefix: end with a separator.
        return str(self._flow_path) + ("\\" if sys.platform == "win32" else "/")

    def getTradingDay(self) -> str:
        api = self._api
        return str(api.GetTradingDay()) if api is not None else ""

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            api, self._api = self._api, None
        if api is not None:
            try:
                api.RegisterSpi(None)
                api.Release()
            except Exception:  # noqa: BLE001
                logger.exception("释放原生接口失败")
        self._worker.close(timeout)

    def _call(self, method: str, module: ModuleType, struct_name: str, req: Data, reqid: int) -> int:
        api = self._api
        if api is None:
            return -1
        struct = dict_to_struct(module, struct_name, req, self._copier)
        return int(getattr(api, "R" + method[1:])(struct, reqid))


class NativeTdApi(_NativeApiBase, TdApi):
    """Trading api over ``soptthosttraderapi``."""

    _kind = "td"

    def __init__(
        self, url: str, spi: TdSpi, flow_path: Path | None = None, resume_type: int = 2
    ) -> None:
        self._module, _ = load_modules()
        super().__init__(url, spi, flow_path)
        self._resume_type = resume_type

    def connect(self) -> None:
        module = self._module
        with self._lock:
            if self._closed or self._api is not None:
                return
            spi_class = _make_spi_class(module.CThostFtdcTraderSpi, TD_CALLBACKS)
            self._spi_adapter = spi_class(self)
            api = module.CThostFtdcTraderApi.CreateFtdcTraderApi(self._flow_prefix())
            api.RegisterSpi(self._spi_adapter)
            api.RegisterFront(self._url)
            api.SubscribePrivateTopic(self._resume_type)
            api.SubscribePublicTopic(self._resume_type)
            api.Init()
            self._api = api

    def _req(self, method: str, req: Data, reqid: int) -> int:
        return self._call(method, self._module, TD_REQUESTS[method], req, reqid)

    def reqAuthenticate(self, req: Data, reqid: int) -> int:
        return self._req("reqAuthenticate", req, reqid)

    def reqUserLogin(self, req: Data, reqid: int) -> int:
        return self._req("reqUserLogin", req, reqid)

    def reqUserLogout(self, req: Data, reqid: int) -> int:
        return self._req("reqUserLogout", req, reqid)

    def reqSettlementInfoConfirm(self, req: Data, reqid: int) -> int:
        return self._req("reqSettlementInfoConfirm", req, reqid)

    def reqOrderInsert(self, req: Data, reqid: int) -> int:
        return self._req("reqOrderInsert", req, reqid)

    def reqOrderAction(self, req: Data, reqid: int) -> int:
        return self._req("reqOrderAction", req, reqid)

    def reqExecOrderInsert(self, req: Data, reqid: int) -> int:
        return self._req("reqExecOrderInsert", req, reqid)

    def reqExecOrderAction(self, req: Data, reqid: int) -> int:
        return self._req("reqExecOrderAction", req, reqid)

    def reqLockInsert(self, req: Data, reqid: int) -> int:
        return self._req("reqLockInsert", req, reqid)

    def reqCombActionInsert(self, req: Data, reqid: int) -> int:
        return self._req("reqCombActionInsert", req, reqid)

    def reqQuoteInsert(self, req: Data, reqid: int) -> int:
        return self._req("reqQuoteInsert", req, reqid)

    def reqQuoteAction(self, req: Data, reqid: int) -> int:
        return self._req("reqQuoteAction", req, reqid)

    def reqForQuoteInsert(self, req: Data, reqid: int) -> int:
        return self._req("reqForQuoteInsert", req, reqid)

    def reqExecCombineOrderInsert(self, req: Data, reqid: int) -> int:
        return self._req("reqExecCombineOrderInsert", req, reqid)

    def reqExecCombineOrderAction(self, req: Data, reqid: int) -> int:
        return self._req("reqExecCombineOrderAction", req, reqid)

    def reqQryInstrument(self, req: Data, reqid: int) -> int:
        return self._req("reqQryInstrument", req, reqid)

    def reqQryTradingAccount(self, req: Data, reqid: int) -> int:
        return self._req("reqQryTradingAccount", req, reqid)

    def reqQryInvestorPosition(self, req: Data, reqid: int) -> int:
        return self._req("reqQryInvestorPosition", req, reqid)

    def reqQryOrder(self, req: Data, reqid: int) -> int:
        return self._req("reqQryOrder", req, reqid)

    def reqQryTrade(self, req: Data, reqid: int) -> int:
        return self._req("reqQryTrade", req, reqid)

    def reqQryExecOrder(self, req: Data, reqid: int) -> int:
        return self._req("reqQryExecOrder", req, reqid)

    def reqQryLock(self, req: Data, reqid: int) -> int:
        return self._req("reqQryLock", req, reqid)

    def reqQryLockPosition(self, req: Data, reqid: int) -> int:
        return self._req("reqQryLockPosition", req, reqid)

    def reqQryLimitPosi(self, req: Data, reqid: int) -> int:
        return self._req("reqQryLimitPosi", req, reqid)

    def reqQryQuote(self, req: Data, reqid: int) -> int:
        return self._req("reqQryQuote", req, reqid)

    def reqQryInstrumentCommissionRate(self, req: Data, reqid: int) -> int:
        return self._req("reqQryInstrumentCommissionRate", req, reqid)

    def reqQryOptionInstrCommRate(self, req: Data, reqid: int) -> int:
        return self._req("reqQryOptionInstrCommRate", req, reqid)

    def reqQryOptionInstrTradeCost(self, req: Data, reqid: int) -> int:
        return self._req("reqQryOptionInstrTradeCost", req, reqid)

    def reqQryDepthMarketData(self, req: Data, reqid: int) -> int:
        return self._req("reqQryDepthMarketData", req, reqid)


class NativeMdApi(_NativeApiBase, MdApi):
    """Market-data api over ``soptthostmduserapi``."""

    _kind = "md"

    def __init__(self, url: str, spi: MdSpi, flow_path: Path | None = None) -> None:
        _, self._module = load_modules()
        super().__init__(url, spi, flow_path)

    def connect(self) -> None:
        module = self._module
        with self._lock:
            if self._closed or self._api is not None:
                return
            spi_class = _make_spi_class(module.CThostFtdcMdSpi, MD_CALLBACKS)
            self._spi_adapter = spi_class(self)
            api = module.CThostFtdcMdApi.CreateFtdcMdApi(self._flow_prefix())
            api.RegisterSpi(self._spi_adapter)
            api.RegisterFront(self._url)
            api.Init()
            self._api = api

    def reqUserLogin(self, req: Data, reqid: int) -> int:
        return self._call("reqUserLogin", self._module, MD_REQUESTS["reqUserLogin"], req, reqid)

    def reqUserLogout(self, req: Data, reqid: int) -> int:
        return self._call("reqUserLogout", self._module, MD_REQUESTS["reqUserLogout"], req, reqid)

    def _symbols(self, method: str, symbols: list[str]) -> int:
        api = self._api
        if api is None:
            return -1
        encoded: list[bytes] = [s.encode("ascii") for s in symbols]
        return int(getattr(api, method)(encoded, len(encoded)))

    def subscribeMarketData(self, symbols: list[str]) -> int:
        return self._symbols("SubscribeMarketData", symbols)

    def unSubscribeMarketData(self, symbols: list[str]) -> int:
        return self._symbols("UnSubscribeMarketData", symbols)

    def subscribeForQuoteRsp(self, symbols: list[str]) -> int:
        return self._symbols("SubscribeForQuoteRsp", symbols)

    def unSubscribeForQuoteRsp(self, symbols: list[str]) -> int:
        return self._symbols("UnSubscribeForQuoteRsp", symbols)
