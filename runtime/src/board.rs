//! Boards: the TOML descriptions in `devices/`, and the `Board` JS class that
//! opens one on a backend and hands out its devices' regions, interrupts and
//! DMA memory.
//!
//! `openBoard({ path, backend, chardev, netdev, observe, vfio })` (in `jsk:native`) returns a
//! `Board`. With `backend: "vfio"` there is no board file: `vfio` lists the PCI
//! functions (`"0000:00:02.0"`), each bound to vfio-pci (see `backend::vfio`).
//!
//! | member | contract |
//! | --- | --- |
//! | `name`, `backend` | the board's name (`"vfio"` for VFIO); `"qtest"`, `"mem"`, `"fake"` or `"vfio"` |
//! | `devices()` | `[{ id, name, bus, vendor?, device?, class?, address?, compatible, clock?, regions: [{ index?, name?, space, size }], irqs, irqKind? }]` (VFIO: `irqs` vectors enabled, `irqKind` `"msix"`, `"msi"`, `"intx"` or `"none"`) |
//! | `region(id, key)` | the `Region` of device `id` (`key`: BAR index or region name). Error if there is none. |
//! | `config(id)` | PCI config space as a `Region` (qtest, vfio); undefined otherwise. |
//! | `irqFd(id, i)` | an eventfd signalled on interrupt `i` of device `id`. Error where the backend has none (mem). |
//! | `irqUnmask(id, i)` | re-arm interrupt `i` after the device was serviced: VFIO INTx (masked by the kernel when it fires); a no-op elsewhere. |
//! | `dma(size, align)` | `[ArrayBuffer, deviceAddress]`, zeroed, freed when collected (qtest: carved from guest RAM; vfio: page-rounded memory mapped in the IOMMU at a low IOVA, unmapped when freed). Error on mem. |
//! | `busMaster(id, on)` | PCI bus mastering on or off. |
//! | `irqLog()` | qtest: `[{ t (ms since open), line, level }]` of the intercepted lines since the last call. |
//! | `setIrqIn(qomType, name, line, level)` | qtest: drive an input line of a device model (a GPIO input pin). |
//! | `close()` | stop QEMU (qtest); regions of a closed board throw on access. VFIO: interrupts disabled, bus mastering off, devices reset where supported, DMA unmapped (also on every exit path, through `host::on_exit`). |
//!
//! Errors name the board file and what was wrong with it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// One board file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardSpec {
    pub name: String,
    pub description: String,
    pub arch: String,
    /// Backend used when `--backend` is not given.
    pub default_backend: Option<String>,
    pub qemu: Option<QemuSection>,
    pub pci: Option<PciSection>,
    #[serde(default, rename = "device")]
    pub devices: Vec<PlatformDevice>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QemuSection {
    pub binary: String,
    pub machine: String,
    pub cpu: Option<String>,
    pub memory_mb: u64,
    #[serde(default)]
    pub ram_base: u64,
    /// Guest RAM kept out of the DMA pool: [ram_base, ram_base + reserved) (firmware, tables).
    #[serde(default)]
    pub dma_reserved: u64,
    /// Device arguments (`-device ...`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Chardev backends by id (`"null"`, `"socket,path=..."`); `--chardev ID=SPEC` overrides.
    #[serde(default)]
    pub chardev: BTreeMap<String, String>,
    /// Netdev backends by id; `--netdev ID=SPEC` overrides.
    #[serde(default)]
    pub netdev: BTreeMap<String, String>,
    /// QOM type of the interrupt controller whose inputs qtest intercepts (e.g. "ioapic").
    pub irq_controller: Option<String>,
    /// QOM type of a device whose output lines qtest intercepts (GPIO levels, e.g. "pl061").
    pub intercept_out: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PciSection {
    /// "cf8" (x86 config mechanism #1) or "ecam".
    pub config: String,
    pub ecam_base: Option<u64>,
    /// [start, end) where memory BARs may be placed.
    pub mem_window: [u64; 2],
    /// [start, end) where I/O BARs may be placed.
    pub io_window: [u64; 2],
    /// How INTx reaches the interrupt controller (see backend::pci::IrqRouting).
    pub irq_routing: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformDevice {
    pub name: String,
    pub compatible: Vec<String>,
    pub regions: Vec<RegionSpec>,
    /// Interrupt lines: qtest line numbers on the intercepted controller.
    #[serde(default)]
    pub irqs: Vec<u32>,
    /// Input clock in Hz (UARTs).
    pub clock: Option<u64>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    pub name: String,
    #[serde(default = "mem_space")]
    pub space: String,
    /// Physical (guest-physical) address, or the port number for space "io".
    pub base: u64,
    pub size: u64,
    /// mem backend: the file to map (default /dev/mem at `base`).
    pub file: Option<String>,
    /// mem backend: offset in `file` (default `base`).
    pub offset: Option<u64>,
}

fn mem_space() -> String {
    "mem".into()
}

impl BoardSpec {
    pub fn load(path: &Path) -> std::result::Result<BoardSpec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let spec: BoardSpec = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        spec.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(spec)
    }

    fn check(&self) -> std::result::Result<(), String> {
        for d in &self.devices {
            for r in &d.regions {
                if r.space != "mem" && r.space != "io" {
                    return Err(format!("device {}: region {}: space must be \"mem\" or \"io\"", d.name, r.name));
                }
                if r.size == 0 {
                    return Err(format!("device {}: region {}: size must be > 0", d.name, r.name));
                }
            }
        }
        if let Some(p) = &self.pci {
            if p.config != "cf8" && p.config != "ecam" {
                return Err("pci.config must be \"cf8\" or \"ecam\"".into());
            }
            if p.config == "ecam" && p.ecam_base.is_none() {
                return Err("pci.config = \"ecam\" needs pci.ecam_base".into());
            }
        }
        Ok(())
    }
}

// ---- the Board JS class --------------------------------------------------

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use rquickjs::{class::Trace, function::Opt, Array, BigInt, Class, Ctx, Exception, JsLifetime, Object, Result, Value};

use crate::backend::vfio::VfioHost;
use crate::backend::{Bus, HwError, Space};
use crate::hw::{DmaSource, RegionCore, Window};
use crate::qtest_board::QtestBoard;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Fake,
    Mem,
    Qtest,
    Vfio,
}

impl BackendKind {
    pub fn parse(s: &str) -> Option<BackendKind> {
        match s {
            "fake" => Some(BackendKind::Fake),
            "mem" => Some(BackendKind::Mem),
            "qtest" => Some(BackendKind::Qtest),
            "vfio" => Some(BackendKind::Vfio),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            BackendKind::Fake => "fake",
            BackendKind::Mem => "mem",
            BackendKind::Qtest => "qtest",
            BackendKind::Vfio => "vfio",
        }
    }
}

/// A device as the board knows it.
struct DevEntry {
    id: String,
    name: String,
    bus: &'static str,
    pci: Option<crate::backend::pci::PciFunction>,
    /// PCI address shown to JS (`DDDD:BB:DD.F`).
    address: Option<String>,
    /// VFIO: the interrupt mechanism in use.
    irq_kind: Option<&'static str>,
    compatible: Vec<String>,
    clock: Option<u64>,
    regions: Vec<RegEntry>,
    irq_lines: Vec<u32>,
}

struct RegEntry {
    index: Option<u32>,
    name: Option<String>,
    space: Space,
    base: u64,
    size: u64,
    file: Option<String>,
    offset: Option<u64>,
}

/// Port I/O through /dev/port (the mem backend on x86): one pread/pwrite of
/// exactly the access width per access.
struct DevPort(std::fs::File);

impl Bus for DevPort {
    fn read(&self, _space: Space, addr: u64, width: u8) -> std::result::Result<u64, HwError> {
        use std::os::unix::fs::FileExt;
        let mut b = [0u8; 8];
        self.0.read_exact_at(&mut b[..width as usize], addr)?;
        Ok(u64::from_le_bytes(b))
    }
    fn write(&self, _space: Space, addr: u64, width: u8, value: u64) -> std::result::Result<(), HwError> {
        use std::os::unix::fs::FileExt;
        self.0.write_all_at(&value.to_le_bytes()[..width as usize], addr)?;
        Ok(())
    }
}

#[derive(Trace, JsLifetime)]
#[rquickjs::class]
pub struct Board {
    #[qjs(skip_trace)]
    inner: Rc<BoardInner>,
}

struct BoardInner {
    spec: BoardSpec,
    kind: BackendKind,
    devices: Vec<DevEntry>,
    opened: Instant,
    qtest: Option<QtestBoard>,
    vfio: Option<Arc<VfioHost>>,
    closed: RefCell<bool>,
}

fn err(ctx: &Ctx<'_>, msg: String) -> rquickjs::Error {
    Exception::throw_message(ctx, &msg)
}

impl BoardInner {
    fn device(&self, ctx: &Ctx<'_>, id: &str) -> Result<&DevEntry> {
        self.devices
            .iter()
            .find(|d| d.id == id || d.name == id)
            .ok_or_else(|| err(ctx, format!("board {}: no device {id:?}", self.spec.name)))
    }
}

fn platform_entries(spec: &BoardSpec) -> Vec<DevEntry> {
    spec.devices
        .iter()
        .map(|d| DevEntry {
            id: d.name.clone(),
            name: d.name.clone(),
            bus: "platform",
            pci: None,
            address: None,
            irq_kind: None,
            compatible: d.compatible.clone(),
            clock: d.clock,
            regions: d
                .regions
                .iter()
                .enumerate()
                .map(|(i, r)| RegEntry {
                    index: Some(i as u32),
                    name: Some(r.name.clone()),
                    space: if r.space == "io" { Space::Io } else { Space::Mem },
                    base: r.base,
                    size: r.size,
                    file: r.file.clone(),
                    offset: r.offset,
                })
                .collect(),
            irq_lines: d.irqs.clone(),
        })
        .collect()
}

fn pci_entry(f: &crate::backend::pci::PciFunction) -> DevEntry {
    let address = format!("0000:{:02x}:{:02x}.{}", f.bdf.0, f.bdf.1, f.bdf.2);
    DevEntry {
        id: address.clone(),
        name: address,
        bus: "pci",
        pci: Some(f.clone()),
        address: Some(format!("0000:{:02x}:{:02x}.{}", f.bdf.0, f.bdf.1, f.bdf.2)),
        irq_kind: None,
        compatible: Vec::new(),
        clock: None,
        regions: f
            .bars
            .iter()
            .map(|b| RegEntry {
                index: Some(b.index as u32),
                name: None,
                space: b.space,
                base: b.addr,
                size: b.size,
                file: None,
                offset: None,
            })
            .collect(),
        irq_lines: f.irq_line.into_iter().collect(),
    }
}

/// Options for `openBoard` from JS.
pub struct OpenOptions {
    pub path: String,
    /// vfio: the PCI functions to open.
    pub vfio: Vec<String>,
    /// qtest: watch this device model's output lines instead of the interrupt controller.
    pub observe: Option<String>,
    pub backend: Option<String>,
    pub chardev: BTreeMap<String, String>,
    pub netdev: BTreeMap<String, String>,
}

fn string_map(o: &Option<Object<'_>>) -> Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    if let Some(o) = o {
        for k in o.keys::<String>() {
            let k = k?;
            m.insert(k.clone(), o.get::<_, String>(k)?);
        }
    }
    Ok(m)
}

/// `openBoard({ path, backend?, chardev?: {id: spec}, netdev?: {id: spec}, vfio?: [address] })`.
pub fn js_open_board<'js>(ctx: Ctx<'js>, opts: Object<'js>) -> Result<Class<'js, Board>> {
    let o = OpenOptions {
        path: opts.get::<_, Option<String>>("path")?.unwrap_or_default(),
        vfio: opts.get::<_, Option<Vec<String>>>("vfio")?.unwrap_or_default(),
        observe: opts.get("observe")?,
        backend: opts.get("backend")?,
        chardev: string_map(&opts.get("chardev")?)?,
        netdev: string_map(&opts.get("netdev")?)?,
    };
    if o.backend.as_deref() == Some("vfio") || (o.path.is_empty() && !o.vfio.is_empty()) {
        return open_vfio_board(ctx, &o);
    }
    let spec = BoardSpec::load(Path::new(&o.path)).map_err(|e| err(&ctx, format!("board {e}")))?;
    let backend = o
        .backend
        .clone()
        .or_else(|| spec.default_backend.clone())
        .unwrap_or_else(|| if spec.qemu.is_some() { "qtest" } else { "mem" }.to_string());
    let kind = BackendKind::parse(&backend).ok_or_else(|| {
        err(&ctx, format!("board {}: unknown backend {backend:?} (qtest, mem, fake or vfio)", o.path))
    })?;
    let mut devices = platform_entries(&spec);
    let mut qtest = None;
    if kind == BackendKind::Qtest {
        let q = QtestBoard::open(&spec, &o).map_err(|e| err(&ctx, format!("board {}: {e}", o.path)))?;
        let mut pci: Vec<DevEntry> = q.pci_functions().iter().map(pci_entry).collect();
        pci.append(&mut devices);
        devices = pci;
        qtest = Some(q);
    }
    let inner =
        BoardInner { spec, kind, devices, opened: Instant::now(), qtest, vfio: None, closed: RefCell::new(false) };
    Class::instance(ctx, Board { inner: Rc::new(inner) })
}

/// A board of PCI functions opened through VFIO; no board file.
fn open_vfio_board<'js>(ctx: Ctx<'js>, o: &OpenOptions) -> Result<Class<'js, Board>> {
    if !o.path.is_empty() {
        return Err(err(
            &ctx,
            format!("board {}: the vfio backend takes PCI addresses (vfio: [...]), not a board file", o.path),
        ));
    }
    if !o.chardev.is_empty() || !o.netdev.is_empty() || o.observe.is_some() {
        return Err(err(&ctx, "vfio: chardev, netdev and observe belong to the qtest backend".into()));
    }
    let host = VfioHost::open(&o.vfio).map_err(|e| err(&ctx, e))?;
    // Release on every exit path (process.exit, --timeout, signals) even if
    // JS never calls close(); a Weak so a board that is closed and collected
    // does not stay open until exit.
    let weak = Arc::downgrade(&host);
    crate::host::on_exit(move || {
        if let Some(h) = weak.upgrade() {
            h.release();
        }
    });
    let devices = host
        .functions
        .iter()
        .map(|f| {
            let a = f.address;
            let address = a.to_string();
            let pci = crate::backend::pci::PciFunction {
                bdf: (a.bus, a.device, a.function),
                vendor: f.ids.vendor,
                device: f.ids.device,
                class: f.ids.class,
                revision: f.ids.revision,
                subsystem: f.ids.subsystem,
                bars: Vec::new(),
                irq_pin: f.ids.irq_pin,
                irq_line: None,
            };
            DevEntry {
                id: address.clone(),
                name: address.clone(),
                bus: "pci",
                pci: Some(pci),
                address: Some(address),
                irq_kind: Some(f.irq_kind.name()),
                compatible: Vec::new(),
                clock: None,
                regions: f
                    .bars
                    .iter()
                    .map(|b| RegEntry {
                        index: Some(b.index),
                        name: None,
                        space: b.space,
                        base: 0,
                        size: b.size,
                        file: None,
                        offset: None,
                    })
                    .collect(),
                irq_lines: (0..f.irq_count() as u32).collect(),
            }
        })
        .collect();
    let spec = BoardSpec {
        name: "vfio".into(),
        description: "PCI functions through VFIO".into(),
        arch: std::env::consts::ARCH.into(),
        default_backend: Some("vfio".into()),
        qemu: None,
        pci: None,
        devices: Vec::new(),
    };
    let inner = BoardInner {
        spec,
        kind: BackendKind::Vfio,
        devices,
        opened: Instant::now(),
        qtest: None,
        vfio: Some(host),
        closed: RefCell::new(false),
    };
    Class::instance(ctx, Board { inner: Rc::new(inner) })
}

#[rquickjs::methods]
impl Board {
    #[qjs(get)]
    pub fn name(&self) -> String {
        self.inner.spec.name.clone()
    }

    #[qjs(get)]
    pub fn backend(&self) -> &'static str {
        self.inner.kind.name()
    }

    #[qjs(get)]
    pub fn arch(&self) -> String {
        self.inner.spec.arch.clone()
    }

    pub fn devices<'js>(&self, ctx: Ctx<'js>) -> Result<Array<'js>> {
        let arr = Array::new(ctx.clone())?;
        for (i, d) in self.inner.devices.iter().enumerate() {
            let o = Object::new(ctx.clone())?;
            o.set("id", d.id.as_str())?;
            o.set("name", d.name.as_str())?;
            o.set("bus", d.bus)?;
            if let Some(p) = &d.pci {
                o.set("vendor", p.vendor)?;
                o.set("device", p.device)?;
                o.set("class", p.class)?;
                o.set("revision", p.revision)?;
                o.set("subsystemVendor", p.subsystem.0)?;
                o.set("subsystemDevice", p.subsystem.1)?;
            }
            if let Some(a) = &d.address {
                o.set("address", a.as_str())?;
            }
            if let Some(k) = d.irq_kind {
                o.set("irqKind", k)?;
            }
            o.set("compatible", d.compatible.clone())?;
            if let Some(c) = d.clock {
                o.set("clock", c as f64)?;
            }
            let regions = Array::new(ctx.clone())?;
            for (j, r) in d.regions.iter().enumerate() {
                let ro = Object::new(ctx.clone())?;
                if let Some(i) = r.index {
                    ro.set("index", i)?;
                }
                if let Some(n) = &r.name {
                    ro.set("name", n.as_str())?;
                }
                ro.set("space", if r.space == Space::Io { "io" } else { "mem" })?;
                ro.set("size", r.size as f64)?;
                regions.set(j, ro)?;
            }
            o.set("regions", regions)?;
            o.set("irqs", d.irq_lines.len() as u32)?;
            arr.set(i, o)?;
        }
        Ok(arr)
    }

    pub fn region<'js>(&self, ctx: Ctx<'js>, id: String, key: Value<'js>) -> Result<Value<'js>> {
        let inner = &self.inner;
        if *inner.closed.borrow() {
            return Err(err(&ctx, format!("board {}: closed", inner.spec.name)));
        }
        let d = inner.device(&ctx, &id)?;
        let r = if let Some(i) = key.as_int() {
            d.regions.iter().find(|r| r.index == Some(i as u32))
        } else {
            let k: String = key.get()?;
            d.regions.iter().find(|r| r.name.as_deref() == Some(k.as_str()))
        };
        let Some(r) = r else {
            return Err(err(&ctx, format!("{}: no region {}", d.name, crate::hw::describe_key(&key))));
        };
        let label = match (&r.name, r.index, d.bus) {
            (_, Some(i), "pci") => format!("{} BAR{i}", d.name),
            (Some(n), _, _) => format!("{} {n}", d.name),
            (None, Some(i), _) => format!("{} region {i}", d.name),
            _ => d.name.clone(),
        };
        let space_name = if r.space == Space::Io { "io" } else { "mem" };
        match inner.kind {
            BackendKind::Fake => crate::hw::js_fake_region(ctx, label, r.size as f64, Opt(Some(space_name.into()))),
            BackendKind::Mem => {
                if r.space == Space::Io {
                    let f = std::fs::OpenOptions::new()
                        .read(true)
                        .write(true)
                        .open("/dev/port")
                        .map_err(|e| err(&ctx, format!("{label}: port I/O needs /dev/port: {e}")))?;
                    let window = Window::Bus { bus: Rc::new(DevPort(f)), space: Space::Io, base: r.base };
                    return crate::raw::new_region(&ctx, RegionCore::new(label, r.size, Space::Io, window));
                }
                let file = r.file.clone().unwrap_or_else(|| "/dev/mem".into());
                let offset = r.offset.unwrap_or(r.base);
                crate::hw::js_map_region(ctx, file, offset as f64, r.size as f64, Opt(Some(label)))
            }
            BackendKind::Qtest => {
                let q = inner.qtest.as_ref().expect("qtest board");
                let window = Window::Bus { bus: q.bus(), space: r.space, base: r.base };
                crate::raw::new_region(&ctx, RegionCore::new(label, r.size, r.space, window))
            }
            BackendKind::Vfio => {
                let host = inner.vfio.as_ref().expect("vfio board");
                let (index, _) =
                    host.function(&d.id).ok_or_else(|| err(&ctx, format!("{}: not opened through VFIO", d.name)))?;
                let region = host.bar_region(index, r.index.unwrap_or(0), label).map_err(|e| err(&ctx, e))?;
                crate::raw::new_region(&ctx, region)
            }
        }
    }

    /// PCI config space of a device, as a Region (qtest, vfio).
    pub fn config<'js>(&self, ctx: Ctx<'js>, id: String) -> Result<Value<'js>> {
        let d = self.inner.device(&ctx, &id)?;
        if let Some((index, _)) = self.inner.vfio.as_ref().and_then(|h| h.function(&d.id)) {
            let host = self.inner.vfio.as_ref().expect("vfio board");
            return crate::raw::new_region(&ctx, host.config_region(index, format!("{} config", d.name)));
        }
        match (&self.inner.qtest, &d.pci) {
            (Some(q), Some(p)) => {
                let window = Window::Bus { bus: q.config_bus(p.bdf), space: Space::Mem, base: 0 };
                let region = RegionCore::new(format!("{} config", d.name), q.config_size(), Space::Mem, window);
                crate::raw::new_region(&ctx, region)
            }
            _ => Ok(Value::new_undefined(ctx)),
        }
    }

    #[qjs(rename = "irqFd")]
    pub fn irq_fd(&self, ctx: Ctx<'_>, id: String, i: Opt<u32>) -> Result<i32> {
        let d = self.inner.device(&ctx, &id)?;
        let i = i.0.unwrap_or(0);
        let Some(&line) = d.irq_lines.get(i as usize) else {
            return Err(err(&ctx, format!("{}: no interrupt {i}", d.name)));
        };
        if let Some((_, f)) = self.inner.vfio.as_ref().and_then(|h| h.function(&d.id)) {
            return f.irq_fd(i as usize).ok_or_else(|| err(&ctx, format!("{}: no interrupt {i}", d.name)));
        }
        match &self.inner.qtest {
            Some(q) => q.irq_fd(line).map_err(|e| err(&ctx, format!("{}: interrupt {i}: {e}", d.name))),
            None => {
                Err(err(&ctx, format!("{}: the {} backend delivers no interrupts", d.name, self.inner.kind.name())))
            }
        }
    }

    /// Re-arm interrupt `i` of device `id` after servicing it (VFIO INTx); a no-op elsewhere.
    #[qjs(rename = "irqUnmask")]
    pub fn irq_unmask(&self, ctx: Ctx<'_>, id: String, i: Opt<u32>) -> Result<()> {
        let d = self.inner.device(&ctx, &id)?;
        let i = i.0.unwrap_or(0);
        if d.irq_lines.get(i as usize).is_none() {
            return Err(err(&ctx, format!("{}: no interrupt {i}", d.name)));
        }
        match self.inner.vfio.as_ref().and_then(|h| h.function(&d.id)) {
            Some((_, f)) if !self.inner.vfio.as_ref().is_some_and(|h| h.is_released()) => {
                f.unmask().map_err(|e| err(&ctx, e))
            }
            _ => Ok(()),
        }
    }

    pub fn dma<'js>(&self, ctx: Ctx<'js>, size: f64, align: Opt<f64>) -> Result<Array<'js>> {
        let align = align.0.unwrap_or(64.0);
        let (buf, iova) = match (&self.inner.qtest, self.inner.kind) {
            (Some(q), _) => q.dma().alloc(&ctx, size, align)?,
            (None, BackendKind::Vfio) => {
                let host = self.inner.vfio.as_ref().expect("vfio board");
                DmaSource::Iommu(host.dma_source()).alloc(&ctx, size, align)?
            }
            (None, BackendKind::Fake) => {
                DmaSource::Fake(crate::hw::FAKE_DMA.with(|f| f.clone())).alloc(&ctx, size, align)?
            }
            _ => return Err(err(&ctx, format!("board {}: the mem backend has no DMA memory", self.inner.spec.name))),
        };
        let arr = Array::new(ctx.clone())?;
        arr.set(0, buf)?;
        arr.set(1, BigInt::from_u64(ctx, iova)?)?;
        Ok(arr)
    }

    #[qjs(rename = "busMaster")]
    pub fn bus_master(&self, ctx: Ctx<'_>, id: String, on: bool) -> Result<()> {
        let d = self.inner.device(&ctx, &id)?;
        if let (Some(q), Some(p)) = (&self.inner.qtest, &d.pci) {
            q.set_bus_master(p.bdf, on).map_err(|e| err(&ctx, format!("{}: bus mastering: {e}", d.name)))?;
        }
        if let Some(host) = &self.inner.vfio {
            // After close (or the exit hook) bus mastering stays off.
            if on && host.is_released() {
                return Err(err(&ctx, format!("{}: bus mastering: the board is closed", d.name)));
            }
            if let Some((_, f)) = host.function(&d.id) {
                f.set_bus_master(on).map_err(|e| err(&ctx, format!("{}: bus mastering: {e}", d.name)))?;
            }
        }
        Ok(())
    }

    #[qjs(rename = "irqLog")]
    pub fn irq_log<'js>(&self, ctx: Ctx<'js>) -> Result<Array<'js>> {
        let arr = Array::new(ctx.clone())?;
        if let Some(q) = &self.inner.qtest {
            for (i, ev) in q.take_irq_log().into_iter().enumerate() {
                let o = Object::new(ctx.clone())?;
                o.set("t", ev.at.saturating_duration_since(self.inner.opened).as_secs_f64() * 1e3)?;
                o.set("line", ev.line)?;
                o.set("level", ev.level)?;
                arr.set(i, o)?;
            }
        }
        Ok(arr)
    }

    #[qjs(rename = "setIrqIn")]
    pub fn set_irq_in(&self, ctx: Ctx<'_>, qom_type: String, name: Opt<String>, line: u32, level: i32) -> Result<()> {
        let Some(q) = &self.inner.qtest else {
            return Err(err(&ctx, "setIrqIn needs the qtest backend".into()));
        };
        q.set_irq_in(&qom_type, name.0.as_deref().filter(|n| !n.is_empty()), line, level)
            .map_err(|e| err(&ctx, format!("setIrqIn {qom_type}: {e}")))
    }

    pub fn close(&self) {
        *self.inner.closed.borrow_mut() = true;
        if let Some(q) = &self.inner.qtest {
            q.shutdown();
        }
        if let Some(h) = &self.inner.vfio {
            h.release();
        }
    }
}
