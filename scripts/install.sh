#!/usr/bin/env bash
# Install everything vnpy_ctpsopt needs into ./.venv, idempotently:
#   - the zh_CN.GB18030 locale that openctp-ctpopt needs (apt, as root; otherwise prints the fix)
#   - a project-local virtual environment with the package and its extras (dev, apps)
# A second run installs nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
STAMP="$VENV/.ctpsopt-install-stamp"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

have_locale() { locale -a 2>/dev/null | grep -qi '^zh_CN\.gb18030$'; }

# 1. The locale (Linux only; Windows and macOS do not use it).
if [ "$(uname -s)" = Linux ] && ! have_locale; then
  echo "== 安装 zh_CN.GB18030 区域设置 (openctp-ctpopt 需要)"
  if command -v apt-get >/dev/null 2>&1 && as_root true 2>/dev/null; then
    if [ ! -f /etc/locale.gen ] || ! command -v locale-gen >/dev/null 2>&1; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq locales
    fi
    grep -q '^zh_CN.GB18030 GB18030' /etc/locale.gen 2>/dev/null \
      || echo 'zh_CN.GB18030 GB18030' | as_root tee -a /etc/locale.gen >/dev/null
    as_root locale-gen >/dev/null
  else
    echo "!! 需要 root 权限安装 locale，请手动执行:"
    echo "   sudo sh -c \"echo 'zh_CN.GB18030 GB18030' >> /etc/locale.gen && locale-gen\""
    echo "   (RHEL/Fedora: sudo dnf install glibc-langpack-zh)"
    echo "   没有它，真实柜台 (tcp://) 不可用，模拟柜台 (sim://) 照常可用。"
  fi
fi

# 2. What the tests and the Trader window use from Debian: a PostgreSQL server (the recorder's
#    tests start it with a throw-away data folder) and a CJK font (Chinese in Qt screenshots).
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_cjk_font() { fc-list 2>/dev/null | grep -qi -E 'wqy|noto sans cjk|noto serif cjk'; }
if [ "$(uname -s)" = Linux ] && command -v apt-get >/dev/null 2>&1 && as_root true 2>/dev/null; then
  missing=()
  have_pg || missing+=(postgresql)
  have_cjk_font || missing+=(fonts-wqy-microhei fontconfig)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== 安装 ${missing[*]} (测试与界面截图需要)"
    as_root apt-get update -qq || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      || echo "!! 未能安装 ${missing[*]}：PostgreSQL 测试将失败（CI）或跳过，截图中文可能显示为方块"
  fi
fi

# 3. The virtual environment and the package.
if [ ! -x "$VENV/bin/python" ]; then
  echo "== 创建虚拟环境 $VENV"
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi
want="$(cat pyproject.toml scripts/install.sh | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
  echo "== 安装 vnpy_ctpsopt 及依赖"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev,apps]"
  echo "$want" > "$STAMP"
else
  echo "== 依赖已安装，跳过"
fi
