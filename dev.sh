#!/usr/bin/env bash
# jsk's two entry points, for a fresh Debian 12 machine as root:
#   bash dev.sh demo   build jsk and run the main demo
#   bash dev.sh test   install what is missing, then run every test tier
#   bash dev.sh bench  print the performance figures beside their baselines
#   bash dev.sh fuzz   the long fuzz run (100,000 iterations per driver)
# Downloads are cached outside the repository (cargo's registry in ~/.cargo,
# Debian packages in apt's cache).
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the test tiers need: QEMU for the qtest tier (x86 and
# aarch64 device models).
PACKAGES=(qemu-system-x86 qemu-system-arm)

need_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "dev.sh: cargo not found: install a current Rust toolchain (rustup), Debian 12's rustc is too old for rquickjs" >&2
    exit 1
  fi
}

need_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "dev.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# `jsk image build` fetches Debian's kernel with apt-get download: make sure
# the package lists exist (a fresh machine has none).
need_apt_lists() {
  if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
    echo "dev.sh: apt-get update (package lists for the guest kernel)"
    apt-get update -qq
  fi
}

build() {
  need_cargo
  cargo build --release --locked -p jsk-runtime
}

case "${1:-}" in
  demo)
    need_packages
    need_apt_lists
    build
    target/release/jsk run examples/hello.js
    echo "== the edu driver on QEMU's device model (qtest backend)"
    target/release/jsk run --board devices/qemu-x86.toml examples/edu.js
    echo "== the same driver file through VFIO, in a Linux guest where jsk is PID 1"
    target/release/jsk image build --app examples/edu.js -o target/demo-image
    target/release/jsk image run target/demo-image --device edu
    ;;
  test)
    need_packages
    need_apt_lists
    build
    echo "== cargo test (unit, CLI, qtest and guest tiers)"
    cargo test --release --locked --workspace
    echo "== jsk test (JavaScript tests)"
    target/release/jsk test
    ;;
  bench)
    need_packages
    build
    cargo bench --locked -p jsk-runtime
    ;;
  fuzz)
    build
    JSK_FUZZ_ITERATIONS=100000 target/release/jsk test --timeout 3600 hwtests/fake
    ;;
  *)
    echo "usage: bash dev.sh demo|test|bench|fuzz" >&2
    exit 2
    ;;
esac
