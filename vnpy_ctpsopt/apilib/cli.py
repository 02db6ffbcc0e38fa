"""``python -m vnpy_ctpsopt apilib show | use TD_LIB MD_LIB | restore [--site DIR]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .layout import API_WORDS, APIS, ApiLibError, default_site
from .swap import library_states, restore_libraries, use_libraries


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("apilib", help="查看、替换、恢复 openctp-ctpopt 使用的 SOPT API 库")
    parser.add_argument(
        "--site", type=Path, default=None,
        help="openctp_ctpopt 所在的 site-packages 目录（默认：当前 Python 环境；也可用环境变量 CTPSOPT_APILIB_SITE）",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("show", help="显示每个 API 加载的库文件、哈希和版本")
    use = actions.add_parser("use", help="换用自己的库（先在子进程中检查，原文件备份）")
    use.add_argument("td_lib", type=Path, help="交易 API 库（soptthosttraderapi_se.so / .dll）")
    use.add_argument("md_lib", type=Path, help="行情 API 库（soptthostmduserapi_se.so / .dll）")
    actions.add_parser("restore", help="恢复 openctp-ctpopt 自带的库")


def show(site: Path) -> int:
    print(f"openctp_ctpopt 目录：{site}")
    states = library_states(site)
    bad = 0
    for api in APIS:
        state = states[api]
        if state.original is None:
            origin = "未知（RECORD 中无记录）"
        elif state.original:
            origin = "原装（与 wheel 的 RECORD 一致）"
        else:
            origin = f"已替换（来源：{state.source or '未知'}；apilib restore 可恢复）"
        version = state.probe.version if state.probe.ok else f"无法加载：{state.probe.reason}"
        bad += not state.probe.ok
        print(f"{API_WORDS[api]}")
        print(f"  文件：{state.library.path}")
        print(f"  sha256：{state.sha256}")
        print(f"  版本：{version}")
        print(f"  状态：{origin}")
    return 1 if bad else 0


def run(args: argparse.Namespace) -> int:
    try:
        site: Path = args.site or default_site()
        if args.action == "show":
            return show(site)
        if args.action == "use":
            versions = use_libraries(site, args.td_lib, args.md_lib)
            for api in APIS:
                print(f"{API_WORDS[api]}：已换用 {getattr(args, api + '_lib')}（{versions[api].version}）")
            print("原文件已备份；恢复：python -m vnpy_ctpsopt apilib restore")
            return 0
        names = restore_libraries(site)
        print("已恢复 openctp-ctpopt 自带的库：" + "，".join(names))
        return 0
    except ApiLibError as exc:
        print(f"错误：{exc}")
        return 1
