#!/usr/bin/env bash
# jsk's two entry points, for a fresh Debian 12 machine as root:
#   bash dev.sh demo   build jsk and run the main demo
#   bash dev.sh test   install what is missing, then run every test tier
#                      (cargo tests, jsk tests, the npm packages under unode)
#   bash dev.sh bench  print the performance figures beside their baselines
#   bash dev.sh fuzz   the long fuzz run (1,000,000 iterations per driver,
#                      2,000,000 calls of the native-surface fuzzer, then each
#                      coverage-guided cargo fuzz target in fuzz/ for
#                      JSK_FUZZ_SECONDS, default 60; needs a nightly toolchain)
# Downloads are cached outside the repository (cargo's registry in ~/.cargo,
# Debian packages in apt's cache).
set -euo pipefail
cd "$(dirname "$0")"
# The one jsk binary, linked statically (.cargo/config.toml).
JSK=target/x86_64-unknown-linux-gnu/release/jsk

# Debian packages the test tiers need: QEMU for the qtest and guest tiers
# (x86 and aarch64 device models), tcpdump to read the --pcap captures,
# curl as unode's non-jsk HTTP client, wrk for the HTTP benchmark,
# linux-libc-dev for the kernel headers hal-js/sys_tables.test.js checks
# jsk:sys's x86_64 and aarch64 tables against, busybox-static for the guests
# of the ping benchmark (the pinger, and the kernel's responder), and what
# building the image's kernel takes (`jsk image build` compiles Debian's
# linux-source-6.1 once, cached in ~/.cache/jsk/kernel): a C compiler and
# make, flex, bison, bc, libelf's headers, xz to unpack the source; zstd
# compresses the image's initramfs (`jsk image build --compress`, zstd by default).
PACKAGES=(qemu-system-x86 qemu-system-arm tcpdump curl wrk linux-libc-dev busybox-static build-essential flex bison bc libelf-dev xz-utils zstd)

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

# `jsk image build` fetches the kernel source (and, with --kernel debian,
# Debian's kernel) with apt-get download: make sure the package lists exist (a
# fresh machine has none).
need_apt_lists() {
  if ! apt-cache show linux-source-6.1 >/dev/null 2>&1 || ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
    echo "dev.sh: apt-get update (package lists for the guest kernel)"
    apt-get update -qq
  fi
}

# Node.js and npm: npm installs the packages of unode's compatibility suite,
# and node is the baseline the unode tests and benchmarks compare against.
need_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "dev.sh: installing nodejs npm"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
  fi
}

# The npm packages unode's compatibility suite runs, at the versions pinned in
# unode/compat/package-lock.json; tarballs are cached in ~/.npm.
need_npm_packages() {
  need_node
  local dir=unode/compat
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "dev.sh: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

build() {
  need_cargo
  cargo build --release --locked -p jsk-runtime
}

case "${1:-}" in
  demo)
    # The main demo: the e1000 driver written in JS (drivers/nic/e1000.js)
    # runs through VFIO inside a Linux guest where jsk is PID 1, and the host
    # pings it over QEMU's loopback UDP "cable", with round-trip times.
    need_packages
    need_apt_lists
    build
    image=target/demo-image
    $JSK image build --app examples/ping-responder.js -o "$image" \
      --command "/bin/jsk-probe attach --all --drivers /jsk/drivers {app} -- 10.0.2.15 --count 10"
    guest_port=47101 host_port=47102
    $JSK image run "$image" --timeout 120 --device e1000,netdev=n0 \
      --qemu-arg=-netdev --qemu-arg=dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$guest_port,remote.type=inet,remote.host=127.0.0.1,remote.port=$host_port \
      > target/demo-guest.log 2>&1 &
    guest=$!
    echo "== booting the image (jsk as PID 1, e1000 on vfio-pci); the host pings the JS driver:"
    $JSK examples/host-ping.js $host_port $guest_port 10.0.2.15 10
    wait $guest || true
    echo "== the guest's console:"
    grep -E "^jsk|drivers attached|image" target/demo-guest.log || true
    ;;
  test)
    need_packages
    need_apt_lists
    build
    echo "== rustfmt and clippy (warnings are errors)"
    if command -v rustup >/dev/null; then rustup component add rustfmt clippy >/dev/null 2>&1 || true; fi
    cargo fmt --all -- --check
    cargo clippy --release --locked --workspace --all-targets -- -D warnings
    echo "== cargo test (unit, CLI, qtest and guest tiers)"
    cargo test --release --locked --workspace
    echo "== jsk test (JavaScript tests)"
    $JSK test
    echo "== unode compatibility: npm packages under unode, beside node"
    need_npm_packages
    bash unode/compat/run.sh
    ;;
  bench)
    need_packages
    need_node
    build
    cargo bench --locked -p jsk-runtime
    cargo bench --locked -p hwtests --bench buses
    ;;
  fuzz)
    build
    JSK_FUZZ_ITERATIONS=1000000 $JSK test --timeout 3600 hwtests/fake
    JSK_NATIVE_FUZZ_CALLS=2000000 cargo test --release --locked -p jsk-runtime --test native_fuzz -- --nocapture
    # The parsers of outside input (qtest replies, board files, ELF, cpio,
    # PCI config space, VFIO's IOMMU info) under libFuzzer: nightly only.
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
      echo "dev.sh fuzz: cargo fuzz needs a nightly toolchain: rustup toolchain install nightly" >&2
      exit 1
    fi
    command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
    for target in $(cargo +nightly fuzz list); do
      echo "== cargo fuzz $target (${JSK_FUZZ_SECONDS:-60} s)"
      cargo +nightly fuzz run "$target" -- -max_total_time="${JSK_FUZZ_SECONDS:-60}"
    done
    ;;
  *)
    echo "usage: bash dev.sh demo|test|bench|fuzz" >&2
    exit 2
    ;;
esac
