"""CTP-shaped dicts for the gateway's unit tests: one factory per callback variant.

Values follow reference/sopt-rules.md (B.3, B.9) and the field lists of openctp-ctpopt 3.7.3.1.
"""

from __future__ import annotations

from typing import Any

DBL_MAX: float = 1.7976931348623157e308

Data = dict[str, Any]


def instrument(**kw: Any) -> Data:
    """An SSE 50ETF call, standard series."""
    data: Data = {
        "InstrumentID": "10007001",
        "ExchangeID": "SSE",
        "InstrumentName": "50ETF购12月2800",
        "ExchangeInstID": "10007001",
        "ProductID": "510050_O",
        "ProductClass": "7",
        "DeliveryYear": 2026,
        "DeliveryMonth": 12,
        "MaxMarketOrderVolume": 10,
        "MinMarketOrderVolume": 1,
        "MaxLimitOrderVolume": 50,
        "MinLimitOrderVolume": 1,
        "VolumeMultiple": 10000,
        "PriceTick": 0.0001,
        "CreateDate": "20260420",
        "OpenDate": "20260421",
        "ExpireDate": "20261223",
        "StartDelivDate": "20261223",
        "EndDelivDate": "20261224",
        "InstLifePhase": "1",
        "IsTrading": 1,
        "PositionType": "2",
        "PositionDateType": "2",
        "UnderlyingInstrID": "510050",
        "StrikePrice": 2.8,
        "OptionsType": "1",
        "UnderlyingMultiple": 1.0,
        "CombinationType": "0",
        "InstrumentCode": "510050C2612M02800",
    }
    data.update(kw)
    return data


def depth(**kw: Any) -> Data:
    """A CThostFtdcDepthMarketDataField dict with five levels and DBL_MAX where CTP sends it."""
    data: Data = {
        "TradingDay": "20261130",
        "InstrumentID": "10007001",
        "ExchangeID": "SSE",
        "ExchangeInstID": "10007001",
        "LastPrice": 0.1234,
        "PreSettlementPrice": 0.12,
        "PreClosePrice": 0.1201,
        "PreOpenInterest": 1000.0,
        "OpenPrice": 0.121,
        "HighestPrice": 0.125,
        "LowestPrice": 0.12,
        "Volume": 321,
        "Turnover": 396_000.0,
        "OpenInterest": 1100.0,
        "ClosePrice": DBL_MAX,
        "SettlementPrice": DBL_MAX,
        "UpperLimitPrice": 0.4,
        "LowerLimitPrice": 0.0001,
        "PreDelta": 0.0,
        "CurrDelta": DBL_MAX,
        "UpdateTime": "10:15:30",
        "UpdateMillisec": 500,
        "AveragePrice": 1234.0,
        "ActionDay": "20261130",
        "CircuitRefPrice": 0.12,
        "SendingTime": "",
        "BigVolume": 321,
    }
    for level in range(1, 6):
        data[f"BidPrice{level}"] = round(0.1233 - 0.0001 * (level - 1), 4)
        data[f"AskPrice{level}"] = round(0.1235 + 0.0001 * (level - 1), 4)
        data[f"BidVolume{level}"] = 10 * level
        data[f"AskVolume{level}"] = 11 * level
    data.update(kw)
    return data


def order(**kw: Any) -> Data:
    """A CThostFtdcOrderField dict: accepted, resting, nothing traded."""
    data: Data = {
        "BrokerID": "9999",
        "InvestorID": "000001",
        "InstrumentID": "10007001",
        "OrderRef": "12",
        "UserID": "000001",
        "OrderPriceType": "2",
        "Direction": "0",
        "CombOffsetFlag": "0",
        "CombHedgeFlag": "1",
        "LimitPrice": 0.1234,
        "VolumeTotalOriginal": 5,
        "TimeCondition": "3",
        "GTDDate": "",
        "VolumeCondition": "1",
        "MinVolume": 1,
        "ContingentCondition": "1",
        "StopPrice": 0.0,
        "ForceCloseReason": "0",
        "IsAutoSuspend": 0,
        "RequestID": 3,
        "OrderLocalID": "           1",
        "ExchangeID": "SSE",
        "OrderSubmitStatus": "3",
        "TradingDay": "20261130",
        "OrderSysID": "  1000001",
        "OrderSource": "0",
        "OrderStatus": "3",
        "OrderType": "0",
        "VolumeTraded": 0,
        "VolumeTotal": 5,
        "InsertDate": "20261130",
        "InsertTime": "10:15:31",
        "FrontID": 1,
        "SessionID": 123456,
        "StatusMsg": "未成交",
    }
    data.update(kw)
    return data


def trade(**kw: Any) -> Data:
    data: Data = {
        "BrokerID": "9999",
        "InvestorID": "000001",
        "InstrumentID": "10007001",
        "OrderRef": "12",
        "UserID": "000001",
        "ExchangeID": "SSE",
        "TradeID": "   50001",
        "Direction": "0",
        "OrderSysID": "  1000001",
        "OffsetFlag": "0",
        "HedgeFlag": "1",
        "Price": 0.1234,
        "Volume": 2,
        "TradeDate": "20261130",
        "TradeTime": "10:15:32",
        "TradeType": "0",
        "TradingDay": "20261130",
    }
    data.update(kw)
    return data


def position(**kw: Any) -> Data:
    data: Data = {
        "InstrumentID": "10007001",
        "BrokerID": "9999",
        "InvestorID": "000001",
        "PosiDirection": "2",
        "HedgeFlag": "1",
        "PositionDate": "1",
        "YdPosition": 3,
        "Position": 5,
        "LongFrozen": 0,
        "ShortFrozen": 1,
        "TodayPosition": 2,
        "PositionCost": 0.12 * 5 * 10000,
        "UseMargin": 0.0,
        "PositionProfit": 0.0,
        "StrikeFrozen": 0,
        "YdStrikeFrozen": 0,
        "CombPosition": 0,
        "OptionValue": 6170.0,
        "ExchangeID": "SSE",
    }
    data.update(kw)
    return data


def account(**kw: Any) -> Data:
    data: Data = {
        "BrokerID": "9999",
        "AccountID": "000001",
        "PreBalance": 1_000_000.0,
        "FrozenMargin": 1000.0,
        "FrozenCash": 2000.0,
        "FrozenCommission": 5.0,
        "CurrMargin": 30_000.0,
        "CashIn": -1234.0,
        "Commission": 10.0,
        "CloseProfit": 0.0,
        "PositionProfit": 0.0,
        "Balance": 998_756.0,
        "Available": 965_751.0,
        "WithdrawQuota": 965_751.0,
        "OptionValue": 6170.0,
        "CurrencyID": "CNY",
    }
    data.update(kw)
    return data
