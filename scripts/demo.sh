#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what is needed, build
# ptwalk.so, make a real 5-level x86_64 vmcore (QEMU TCG, Debian kernel) and
# open it in crash with the extension, showing ptdump and ptwalk.
#
#   bash scripts/demo.sh            # then, interactively: see the last lines
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
make -s all
make -s dump-x86_64-5level
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
dump=$cache/dumps/x86_64-5level
pid=$(sed -n 's/^pid=//p' "$dump/answer-key.txt")
va=$(sed -n 's/^page.data0.va=//p' "$dump/answer-key.txt")
cmds=$(mktemp)
trap 'rm -f "$cmds"' EXIT
cat > "$cmds" <<CMDS
extend ptwalk.so
sys
ptdump | head -40
ptwalk _stext
ptwalk -c $pid $va
ptwalk -j -c $pid $va
rd -p $(sed -n "s/^page.data0.phys=//p" "$dump/answer-key.txt") 32 -a
quit
CMDS
echo "== crash $dump/vmcore, with ptwalk.so (CRASH_EXTENSIONS=$PWD/build)"
CRASH_EXTENSIONS=$PWD/build crash -s "$dump/vmlinux" "$dump/vmcore" -i "$cmds" </dev/null
cat <<MSG

== To look yourself:
   CRASH_EXTENSIONS=$PWD/build crash $dump/vmlinux $dump/vmcore
   crash> extend ptwalk.so
   crash> help ptdump
MSG
