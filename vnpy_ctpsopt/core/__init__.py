"""The exchange core: the money and matching rules of SSE/SZSE ETF options for one account,
with no sessions, threads, store or CTP dict shapes. Plain dataclasses in, plain results out;
the simulated counter (``vnpy_ctpsopt.sim.counter``) and the option backtester both drive it.

Where things are:
- ``terms``       Contract, AccountTerms (fees, broker markup, position limits), PriceRef,
                  side codes, ``Refused(error_id)``
- ``orders``      where an order is refused: order kinds and their CTP encoding, volume, price,
                  hedge, close, covered, position-limit, money, self-trade and lock checks
- ``fees``        per-contract fees per action
- ``margin``      where margin is computed: exchange margin of a short, broker markup, opening
                  and maintenance margin (combination margin would go here)
- ``book``        one investor's cash, freezes, positions (long, short, covered; today and
                  yesterday) and ETF shares (free, frozen, locked); freezes and fills
- ``matching``    fills against a 5-level book plus resting client orders; call auctions
- ``exercise``    where an exercise is checked, frozen and settled; assignment and lapse
- ``settlement``  the day close: expiry, maintenance margin, roll to the next day
- ``timetable``   the one trading timetable: phases, instrument status, auction instants,
                  exercise windows, the evening roll

How a driver uses it (a backtester; the counter does the same with its own order records)::

    from vnpy_ctpsopt.core import book, exercise, matching, orders, settlement, terms

    rules = terms.AccountTerms()                        # fees, markup 10 %, position limits
    bk = book.Book(book.Account("me", "", "", pre_balance=1_000_000.0),
                   pre_settlement=lambda iid: pre_settle[iid])
    bk.stock("510050", "SSE").volume = 100_000          # ETF shares, if any

    # an order: validate (raises terms.Refused with the SOPT error id) and freeze
    new = orders.NewOrder(contract, terms.SELL, terms.OPEN, terms.SPEC,
                          orders.OrderKind.LIMIT_GFD, volume=2, price=0.0500)
    prices = terms.PriceRef(lower, upper, pre_settle[iid], etf_pre_close)
    reserve = orders.check_order(bk, new, rules, prices, live=working, contracts=contracts)
    order = book.WorkingOrder(1, iid, new.direction, new.offset, new.hedge, new.price,
                              new.volume, **vars(reserve))
    bk.freeze(order, contract, 1, order.volume)

    # fills from a book snapshot (bids/asks: 5 levels of (price, volume), best first)
    result = matching.match_incoming(new.kind, new.direction, new.volume, new.price,
                                     bids, asks, matching.RestingBook())
    for fill in result.fills:
        bk.fill(order, contract, fill.price, fill.volume)
        order.traded += fill.volume
    if order.remaining and result.rest_price is None:   # cancelled rest: release its freeze
        bk.freeze(order, contract, -1, order.remaining)

    # mark to market: margin.short_margin / maintenance_margin, bk.option_value(...)
    # exercise on expiry day
    res = exercise.check_exercise(bk, contract, terms.SPEC, 1, trading_day, rules.fees)
    exercise.freeze_exercise(bk, contract, terms.SPEC, 1, res)
    exercise.release_exercise(bk, contract, iid, terms.SPEC, 1, res)   # before delivery
    # day close: settlement prices, underlying closes, declared exercises
    settlement.close_day(bk, contracts, settlements, closes, rules, trading_day,
                         [settlement.Exercise(contract, terms.SPEC, 1)])

Error ids and their Chinese messages: ``vnpy_ctpsopt.sim.errors`` (a leaf module of constants).
"""
