"""SOPT error IDs and messages the simulated counter emits.

IDs and messages are copied verbatim from the SOPT ``error.xml`` shipped with openctp-ctpopt
3.7.3.1 (see reference/sopt_error.xml). Only the codes the sim actually emits are listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

NONE = 0
INVALID_LOGIN = 3
NOT_LOGIN_YET = 6
NO_PRIVILEGE = 9
BAD_FIELD = 15
INSTRUMENT_NOT_FOUND = 16
INSTRUMENT_NOT_TRADING = 17
DUPLICATE_ORDER_REF = 22
NO_TRADING_RIGHT = 28
BAD_ORDER_ACTION_FIELD = 23
ORDER_NOT_FOUND = 25
INSUITABLE_ORDER_STATUS = 26
UNSUPPORTED_FUNCTION = 27
OVER_CLOSE_POSITION = 30
INSUFFICIENT_MONEY = 31
AUTH_FAILED = 63
NOT_AUTHENT = 64
DUPLICATE_EXECORDER_REF = 67
EXECORDER_NOTOPTIONS = 69
BAD_EXECORDER_ACTION_FIELD = 71
EXECORDER_NOT_FOUND = 73
OVER_EXECUTE_POSITION = 74
PRICETYPE_NOTSUPPORT_BYEXCHANGE = 80
BAD_EXECUTE_TYPE = 81
INSTR_NOTSUPPORT_FORQUOTE = 83
INSTR_NOTSUPPORT_QUOTE = 85
QUOTE_NOT_FOUND = 86
BAD_OPTION_INSTR = 82
OPTIONS_NOT_SUPPORT_ABANDON = 87
SPEC_COVERED_ONLY = 94
NOT_ENOUGH_LOCKPOSITION = 98
NOT_ENOUGH_STOCKPOSITION = 99
NOT_SUPPORT_LOCK = 100
VOLUME_NOTSUPPORT = 104
PRICE_NOTSUPPORT = 105
NOT_SUPPORT_EXECDAY = 115
ORDER_FREQ_LIMIT = 116
COVER_ONLY_COMB = 118
OUT_OF_COMB_TIME = 119
STD_ONLY_SELL = 121
POSI_LIMIT = 106
ERROR_EXCHANGEID = 122
ERROR_NO_MARKETDATA = 124
WRONG_USER_OR_PASSWORD = 132
COVER_ONLY_SELL = 136
EXEC_FORBIDDEN_TIME = 139
BROKER_BREAK_SECTION = 145
OUT_OF_ACTION_TIME = 146
MAY_SELFTRADE = 154

# Read-only: shared by every counter in the process.
MESSAGES: Final[Mapping[int, str]] = MappingProxyType(
    {
        NONE: "CTP:正确",
        INVALID_LOGIN: "CTP:不合法的登录",
        NOT_LOGIN_YET: "CTP:还没有登录",
        NO_PRIVILEGE: "CTP:无此权限",
        BAD_FIELD: "CTP:报单字段有误",
        INSTRUMENT_NOT_FOUND: "CTP:找不到合约",
        INSTRUMENT_NOT_TRADING: "CTP:合约不能交易",
        DUPLICATE_ORDER_REF: "CTP:报单错误：不允许重复报单",
        BAD_ORDER_ACTION_FIELD: "CTP:错误的报单操作字段",
        ORDER_NOT_FOUND: "CTP:撤单找不到相应报单",
        INSUITABLE_ORDER_STATUS: "CTP:报单已全成交或已撤销，不能再撤",
        UNSUPPORTED_FUNCTION: "CTP:不支持的功能",
        NO_TRADING_RIGHT: "CTP:没有报单交易权限",
        OVER_CLOSE_POSITION: "CTP:平仓量超过持仓量",
        INSUFFICIENT_MONEY: "CTP:资金不足",
        AUTH_FAILED: "CTP:客户端认证失败",
        NOT_AUTHENT: "CTP:客户端未认证",
        DUPLICATE_EXECORDER_REF: "CTP:执行宣告错误，不允许重复执行",
        EXECORDER_NOTOPTIONS: "CTP:只有期权合约可执行",
        BAD_EXECORDER_ACTION_FIELD: "CTP:执行宣告字段有误",
        EXECORDER_NOT_FOUND: "CTP:执行宣告撤单找不到相应执行宣告",
        OVER_EXECUTE_POSITION: "CTP:执行仓位不足",
        PRICETYPE_NOTSUPPORT_BYEXCHANGE: "CTP:交易所不支持的价格类型",
        BAD_EXECUTE_TYPE: "CTP:错误的执行类型",
        INSTR_NOTSUPPORT_FORQUOTE: "CTP:该合约不支持询价",
        INSTR_NOTSUPPORT_QUOTE: "CTP:该合约不支持报价",
        QUOTE_NOT_FOUND: "CTP:报价撤单找不到相应报价",
        BAD_OPTION_INSTR: "CTP:无效的组合合约",
        OPTIONS_NOT_SUPPORT_ABANDON: "CTP:该期权合约不支持放弃执行",
        SPEC_COVERED_ONLY: "CTP:个股期权只支持投机或者备兑",
        NOT_ENOUGH_LOCKPOSITION: "CTP:锁定仓位不足",
        NOT_ENOUGH_STOCKPOSITION: "CTP:证券仓位不足",
        NOT_SUPPORT_LOCK: "CTP:该交易所不支持锁定",
        VOLUME_NOTSUPPORT: "CTP:数量不正确",
        PRICE_NOTSUPPORT: "CTP:价格不正确",
        NOT_SUPPORT_EXECDAY: "CTP:该合约未到行权日",
        ORDER_FREQ_LIMIT: "CTP:下单频率限制",
        COVER_ONLY_COMB: "CTP:转备兑只能填组合",
        OUT_OF_COMB_TIME: "CTP:行权日前一天开始不允许申报价差组合",
        STD_ONLY_SELL: "CTP:跨式只支持卖",
        POSI_LIMIT: "CTP:投资者限仓",
        ERROR_EXCHANGEID: "CTP:交易所代码错误",
        ERROR_NO_MARKETDATA: "CTP:找不到行情",
        WRONG_USER_OR_PASSWORD: "CTP:用户名或密码错误",
        COVER_ONLY_SELL: "CTP:备兑只支持卖开或买平或认购",
        EXEC_FORBIDDEN_TIME: "CTP:当前时间禁止行权",
        BROKER_BREAK_SECTION: "CTP:经纪公司非交易时段",
        OUT_OF_ACTION_TIME: "CTP:当前时间禁止撤单",
        MAY_SELFTRADE: "CTP:可能触发自成交",
    }
)


def rsp_info(error_id: int) -> dict[str, Any]:
    """A fresh ``CThostFtdcRspInfoField`` dict for ``error_id`` (``NONE``: the success one).

    The only way the sim makes an RspInfo from a code: every caller gets its own dict.
    """
    return {"ErrorID": error_id, "ErrorMsg": MESSAGES[error_id]}
