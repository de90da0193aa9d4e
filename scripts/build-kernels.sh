#!/usr/bin/env bash
# Builds the CUDA kernels (cuda/softmax4j_module.cu: every kernel in one module) into the resources the host loads:
#   src/main/resources/org/softmax4j/cuda/softmax4j.fatbin  compressed; SASS for sm_75, 80, 86, 89, 90 + compute_90 PTX
#   src/main/resources/org/softmax4j/cuda/softmax4j.ptx     compute_75 PTX lowered to `.version 8.0` (drivers R525+)
#   src/main/resources/org/softmax4j/cuda/kernels.sha256    SHA-256 of every cuda/*.cu and cuda/*.cuh used
# and the ptxas report (registers, spills, stack, shared memory per kernel and target) into cuda/build-report.txt.
# Fails on any warning, on any spill or local-memory use, and when the lowered PTX is refused for any target.
# Needs nvcc 13.0 (the release these kernels were checked with); no GPU.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NVCC="${NVCC:-/usr/local/cuda/bin/nvcc}"
if [[ ! -x "$NVCC" ]]; then
    NVCC="$(command -v nvcc || true)"
fi
if [[ -z "$NVCC" || ! -x "$NVCC" ]]; then
    echo "build-kernels: nvcc not found (set NVCC=/path/to/nvcc; release 13.0 required)" >&2
    exit 2
fi
PTXAS="$(dirname "$NVCC")/ptxas"
release="$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')"
if [[ "$release" != "13.0" ]]; then
    echo "build-kernels: $NVCC is release '${release:-unknown}', expected 13.0" >&2
    exit 2
fi

SOURCE=cuda/softmax4j_module.cu
OUT=src/main/resources/org/softmax4j/cuda
REPORT=cuda/build-report.txt
TARGETS=(75 80 86 89 90)
mkdir -p "$OUT"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# -Werror all-warnings turns ptxas's spill and local-memory warnings into errors too.
COMMON=(-std=c++17 -O3 -Werror all-warnings -Xptxas -v,-warn-spills,-warn-lmem-usage)

gencode=()
for sm in "${TARGETS[@]}"; do
    gencode+=(-gencode "arch=compute_$sm,code=sm_$sm")
done
# PTX of the newest target: a GPU newer than sm_90 JITs it with every feature up to compute_90. (Older drivers, which
# cannot read nvcc 13's PTX 9.0 at all, get softmax4j.ptx instead.)
gencode+=(-gencode "arch=compute_90,code=compute_90")

echo "build-kernels: nvcc $release, $SOURCE -> $OUT"
{
    echo "# ptxas report of $SOURCE, written by scripts/build-kernels.sh (nvcc $release)."
    echo "# Every kernel, every target: 0 bytes stack frame, 0 bytes spill stores/loads (a spill fails the build)."
} > "$REPORT"
"$NVCC" "${COMMON[@]}" "${gencode[@]}" -fatbin -Xfatbin -compress-all -o "$work/softmax4j.fatbin" "$SOURCE" \
    2> "$work/fatbin.log" || { cat "$work/fatbin.log" >&2; exit 1; }
grep -E "Compiling entry|Function properties|stack frame|Used [0-9]+ registers" "$work/fatbin.log" \
    | sed 's/^ptxas info    : //' >> "$REPORT"

# compute_75 PTX is valid for every target; nvcc 13 can only declare .version 9.0, which drivers before R580
# reject. Declaring 8.0 is accepted by ptxas for sm_75..sm_90 (it enforces the version: a newer feature would be an
# error here), so each target is checked below.
"$NVCC" -std=c++17 -O3 -Werror all-warnings -arch=compute_75 -ptx -o "$work/softmax4j.ptx" "$SOURCE"
if ! grep -q '^\.version 9\.0$' "$work/softmax4j.ptx"; then
    echo "build-kernels: expected nvcc to emit '.version 9.0', found: $(grep '^\.version' "$work/softmax4j.ptx")" >&2
    exit 1
fi
sed -i 's/^\.version 9\.0$/.version 8.0/' "$work/softmax4j.ptx"
for sm in "${TARGETS[@]}"; do
    "$PTXAS" -arch="sm_$sm" --warn-on-spills --warn-on-local-memory-usage --warning-as-error \
        -o "$work/check_sm_$sm.cubin" "$work/softmax4j.ptx"
done
echo "build-kernels: lowered PTX (.version 8.0) accepted by ptxas for $(printf 'sm_%s ' "${TARGETS[@]}")"

# Kernel names in the PTX, for the report.
{
    echo "# entries in softmax4j.ptx:"
    grep -o '^\.visible \.entry [a-z_]*' "$work/softmax4j.ptx" | sed 's/^\.visible \.entry /#   /'
} >> "$REPORT"

cp "$work/softmax4j.fatbin" "$OUT/softmax4j.fatbin"
cp "$work/softmax4j.ptx" "$OUT/softmax4j.ptx"
# The manifest: KernelManifestTest fails when a cuda/ source differs from what these resources were built from.
LC_ALL=C sha256sum cuda/*.cu cuda/*.cuh | LC_ALL=C sort -k2 > "$OUT/kernels.sha256"

echo "build-kernels: per kernel (sm_90): registers, stack frame, spills"
awk '/Compiling entry function/ { name = $4; gsub(/\047/, "", name); arch = $NF; gsub(/\047/, "", arch) }
     /stack frame/ { frame = $1; stores = $5; loads = $9 }
     /Used [0-9]+ registers/ { if (arch == "sm_90") printf "  %-26s %3s registers, %s B stack, %s/%s B spill st/ld\n", name, $2, frame, stores, loads }' \
    "$REPORT"
ls -l "$OUT"/softmax4j.fatbin "$OUT"/softmax4j.ptx | awk '{ print "build-kernels: " $NF ": " $5 " bytes" }'
