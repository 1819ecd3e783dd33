//! The `Board` JS class: a board (described in `hw::board`) opened on one
//! `Backend`, handing out its devices' regions, interrupts and DMA memory.
//! Whether the board is still open is checked here, once per call.
//!
//! `openBoard({ path, backend, chardev, netdev, observe, vfio })` (in `jsk:native`) returns a
//! `Board`. With `backend: "vfio"` there is no board file: `vfio` lists the PCI
//! functions (`"0000:00:02.0"`), each bound to vfio-pci (see `backend::vfio`).
//!
//! | member | contract |
//! | --- | --- |
//! | `name`, `backend` | the board's name (`"vfio"` for VFIO); `"qtest"`, `"mem"`, `"fake"` or `"vfio"` |
//! | `linux()` | The board file's `[[linux]]` buses: `[{ name, kind ("i2c", "spi", "gpio"), path?, label?, description? }]` |
//! | `devices()` | `[{ id, name, bus, vendor?, device?, class?, address?, compatible, clock?, regions: [{ index?, name?, space, size }], irqs, irqKind?, children: [{ name, compatible, reg, description?, properties (JSON text) }] }]` (VFIO: `irqs` vectors enabled, `irqKind` `"msix"`, `"msi"`, `"intx"` or `"none"`) |
//! | `region(id, key)` | the `Region` of device `id` (`key`: BAR index or region name). Error if there is none. |
//! | `config(id)` | PCI config space as a `Region` (qtest, vfio); undefined otherwise. |
//! | `irqFd(id, i)` | an eventfd signalled on interrupt `i` of device `id`. Error where the backend has none (mem). |
//! | `irqUnmask(id, i)` | re-arm interrupt `i` after the device was serviced: VFIO INTx (masked by the kernel when it fires); a no-op elsewhere. |
//! | `dma(size, align)` | `[ArrayBuffer, deviceAddress]`, zeroed, freed when collected (qtest: carved from guest RAM; vfio: page-rounded memory mapped in the IOMMU at a low IOVA, unmapped when freed). Error on mem. |
//! | `busMaster(id, on)` | PCI bus mastering on or off. |
//! | `irqLog()` | qtest: `[{ t (ms since open), line, level }]` of the intercepted lines since the last call. |
//! | `setIrqIn(qomType, name, line, level)` | qtest: drive an input line of a device model (a GPIO input pin). |
//! | `setProperty(id, property, value)` | qtest: QMP `qom-set` of an integer property of the device QEMU's arguments named `id` (/machine/peripheral/ID), e.g. a tmp105's `temperature` in m°C. Words only: no other QOM path. |
//! | `setLink(id, up)` | qtest: QMP `set_link` of netdev or NIC `id` (the cable plugged in or pulled). Only this command: QMP as a whole could make QEMU run host commands. |
//! | `close()` | stop QEMU (qtest); afterwards every member that would reach a device throws, except `busMaster(id, false)` and `irqUnmask`, which have nothing left to do. VFIO: interrupts disabled, bus mastering off, devices reset where supported, DMA unmapped (also on every exit path, through `host::on_exit`). |
//!
//! Errors name the board file and what was wrong with it.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use rquickjs::{class::Trace, function::Opt, Array, BigInt, Class, Ctx, Exception, JsLifetime, Object, Result, Value};

use super::ffi::region::new_region;
use super::hw::{describe_key, dma_alloc};
use crate::backend::fake::FakeBackend;
use crate::backend::mem::MemBackend;
use crate::backend::qtest_board::QtestBoard;
use crate::backend::vfio::VfioBackend;
use crate::backend::Backend;
use crate::hw::board::{pci_device, platform_devices, AttachOptions, BackendKind, BoardOptions, BoardSpec, DeviceInfo};

#[derive(Trace, JsLifetime)]
#[rquickjs::class]
pub struct Board {
    #[qjs(skip_trace)]
    spec: BoardSpec,
    #[qjs(skip_trace)]
    devices: Vec<DeviceInfo>,
    #[qjs(skip_trace)]
    opened: Instant,
    #[qjs(skip_trace)]
    backend: Box<dyn Backend>,
    #[qjs(skip_trace)]
    closed: Cell<bool>,
}

fn err(ctx: &Ctx<'_>, msg: String) -> rquickjs::Error {
    Exception::throw_message(ctx, &msg)
}

impl Board {
    fn device(&self, ctx: &Ctx<'_>, id: &str) -> Result<&DeviceInfo> {
        self.devices
            .iter()
            .find(|d| d.id == id || d.name == id)
            .ok_or_else(|| err(ctx, format!("board {}: no device {id:?}", self.spec.name)))
    }

    fn is_closed(&self) -> bool {
        self.closed.get() || self.backend.released()
    }

    /// The backend, if the board is still open: the one "closed" check.
    fn live(&self, ctx: &Ctx<'_>) -> Result<&dyn Backend> {
        if self.is_closed() {
            return Err(err(ctx, format!("board {}: closed", self.spec.name)));
        }
        Ok(&*self.backend)
    }
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

fn map_object<'js>(ctx: &Ctx<'js>, m: &BTreeMap<String, String>) -> Result<Object<'js>> {
    let o = Object::new(ctx.clone())?;
    for (k, v) in m {
        o.set(k.as_str(), v.as_str())?;
    }
    Ok(o)
}

/// `openBoard`'s options: `{ path, backend?, vfio?: [address], observe?,
/// chardev?: {id: spec}, netdev?: {id: spec} }`.
fn board_options<'js>(ctx: &Ctx<'js>, o: &Object<'js>) -> Result<BoardOptions> {
    let path = o.get::<_, Option<String>>("path")?.unwrap_or_default();
    let backend = match o.get::<_, Option<String>>("backend")? {
        Some(b) => Some(b.parse::<BackendKind>().map_err(|e| err(ctx, format!("board {path}: {e}")))?),
        None => None,
    };
    Ok(BoardOptions {
        backend,
        vfio: o.get::<_, Option<Vec<String>>>("vfio")?.unwrap_or_default(),
        observe: o.get("observe")?,
        chardev: string_map(&o.get("chardev")?)?,
        netdev: string_map(&o.get("netdev")?)?,
        path,
    })
}

/// What `jsk:board`'s `hostAttach` takes: the board's options (the file as
/// `board`) and the driver files (`drivers`).
pub fn attach_object<'js>(ctx: &Ctx<'js>, a: &AttachOptions) -> Result<Object<'js>> {
    let b = &a.board;
    let o = Object::new(ctx.clone())?;
    o.set("board", b.path.as_str())?;
    if let Some(k) = b.backend {
        o.set("backend", k.name())?;
    }
    o.set("drivers", a.drivers.clone())?;
    o.set("vfio", b.vfio.clone())?;
    if let Some(t) = &b.observe {
        o.set("observe", t.as_str())?;
    }
    o.set("chardev", map_object(ctx, &b.chardev)?)?;
    o.set("netdev", map_object(ctx, &b.netdev)?)?;
    Ok(o)
}

/// `openBoard({ path, backend?, chardev?: {id: spec}, netdev?: {id: spec}, vfio?: [address] })`.
pub fn js_open_board<'js>(ctx: Ctx<'js>, opts: Object<'js>) -> Result<Class<'js, Board>> {
    let o = board_options(&ctx, &opts)?;
    if o.backend == Some(BackendKind::Vfio) || (o.path.is_empty() && !o.vfio.is_empty()) {
        return open_vfio_board(ctx, &o);
    }
    let spec = BoardSpec::load(Path::new(&o.path)).map_err(|e| err(&ctx, format!("board {e}")))?;
    let kind = o.backend.or(spec.default_backend).unwrap_or(if spec.qemu.is_some() {
        BackendKind::Qtest
    } else {
        BackendKind::Mem
    });
    let mut devices = platform_devices(&spec);
    let backend: Box<dyn Backend> = match kind {
        BackendKind::Fake => Box::new(FakeBackend::default()),
        BackendKind::Mem => Box::new(MemBackend),
        BackendKind::Qtest => {
            let q = QtestBoard::open(&spec, &o).map_err(|e| err(&ctx, format!("board {}: {e}", o.path)))?;
            let mut pci: Vec<DeviceInfo> = q.pci_functions().iter().map(|f| pci_device(0, f)).collect();
            pci.append(&mut devices);
            devices = pci;
            Box::new(q)
        }
        BackendKind::Vfio => {
            return Err(err(
                &ctx,
                format!("board {}: the vfio backend takes PCI addresses (vfio: [...]), not a board file", o.path),
            ))
        }
    };
    let board = Board { spec, devices, opened: Instant::now(), backend, closed: Cell::new(false) };
    Class::instance(ctx, board)
}

/// A board of PCI functions opened through VFIO; no board file.
fn open_vfio_board<'js>(ctx: Ctx<'js>, o: &BoardOptions) -> Result<Class<'js, Board>> {
    if !o.path.is_empty() {
        return Err(err(
            &ctx,
            format!("board {}: the vfio backend takes PCI addresses (vfio: [...]), not a board file", o.path),
        ));
    }
    if !o.chardev.is_empty() || !o.netdev.is_empty() || o.observe.is_some() {
        return Err(err(&ctx, "vfio: chardev, netdev and observe belong to the qtest backend".into()));
    }
    let backend = VfioBackend::open(&o.vfio).map_err(|e| err(&ctx, e.to_string()))?;
    let spec = BoardSpec {
        name: "vfio".into(),
        description: "PCI functions through VFIO".into(),
        arch: std::env::consts::ARCH.into(),
        default_backend: Some(BackendKind::Vfio),
        qemu: None,
        pci: None,
        devices: Vec::new(),
        linux: Vec::new(),
    };
    let devices = backend.devices();
    let board = Board { spec, devices, opened: Instant::now(), backend: Box::new(backend), closed: Cell::new(false) };
    Class::instance(ctx, board)
}

#[rquickjs::methods]
impl Board {
    #[qjs(get)]
    pub fn name(&self) -> String {
        self.spec.name.clone()
    }

    #[qjs(get)]
    pub fn backend(&self) -> &'static str {
        self.backend.kind().name()
    }

    #[qjs(get)]
    pub fn arch(&self) -> String {
        self.spec.arch.clone()
    }

    /// The board file's `[[linux]]` buses: [{ name, kind, path?, label?, description? }].
    pub fn linux<'js>(&self, ctx: Ctx<'js>) -> Result<Array<'js>> {
        let arr = Array::new(ctx.clone())?;
        for (i, b) in self.spec.linux.iter().enumerate() {
            let o = Object::new(ctx.clone())?;
            o.set("name", b.name.as_str())?;
            o.set("kind", b.kind.name())?;
            for (k, v) in [("path", &b.path), ("label", &b.label), ("description", &b.description)] {
                if let Some(v) = v {
                    o.set(k, v.as_str())?;
                }
            }
            arr.set(i, o)?;
        }
        Ok(arr)
    }

    pub fn devices<'js>(&self, ctx: Ctx<'js>) -> Result<Array<'js>> {
        let arr = Array::new(ctx.clone())?;
        for (i, d) in self.devices.iter().enumerate() {
            let o = Object::new(ctx.clone())?;
            o.set("id", d.id.as_str())?;
            o.set("name", d.name.as_str())?;
            o.set("bus", d.bus)?;
            if let Some(p) = &d.pci {
                o.set("vendor", p.ids.vendor)?;
                o.set("device", p.ids.device)?;
                o.set("class", p.ids.class)?;
                o.set("revision", p.ids.revision)?;
                o.set("subsystemVendor", p.ids.subsystem.0)?;
                o.set("subsystemDevice", p.ids.subsystem.1)?;
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
                ro.set("space", r.space.name())?;
                ro.set("size", r.size as f64)?;
                regions.set(j, ro)?;
            }
            o.set("regions", regions)?;
            o.set("irqs", d.irq_lines.len() as u32)?;
            let children = Array::new(ctx.clone())?;
            for (j, c) in d.children.iter().enumerate() {
                let co = Object::new(ctx.clone())?;
                co.set("name", c.name.as_str())?;
                co.set("compatible", c.compatible.clone())?;
                co.set("reg", c.reg)?;
                if let Some(t) = &c.description {
                    co.set("description", t.as_str())?;
                }
                // TOML values as JSON text, parsed by jsk:board (tables and arrays nest).
                let props = serde_json::to_string(&c.properties).map_err(|e| err(&ctx, format!("{}: {e}", c.name)))?;
                co.set("properties", props)?;
                children.set(j, co)?;
            }
            o.set("children", children)?;
            arr.set(i, o)?;
        }
        Ok(arr)
    }

    pub fn region<'js>(&self, ctx: Ctx<'js>, id: String, key: Value<'js>) -> Result<Value<'js>> {
        let backend = self.live(&ctx)?;
        let d = self.device(&ctx, &id)?;
        let r = if let Some(i) = key.as_int() {
            d.regions.iter().find(|r| r.index == Some(i as u32))
        } else {
            let k: String = key.get()?;
            d.regions.iter().find(|r| r.name.as_deref() == Some(k.as_str()))
        };
        let Some(r) = r else {
            return Err(err(&ctx, format!("{}: no region {}", d.name, describe_key(&key))));
        };
        let label = match (&r.name, r.index, d.bus) {
            (_, Some(i), "pci") => format!("{} BAR{i}", d.name),
            (Some(n), _, _) => format!("{} {n}", d.name),
            (None, Some(i), _) => format!("{} region {i}", d.name),
            _ => d.name.clone(),
        };
        let region = backend.region(d, r, label).map_err(|e| err(&ctx, format!("{}: {e}", d.name)))?;
        new_region(&ctx, region)
    }

    /// PCI config space of a device, as a Region (qtest, vfio).
    pub fn config<'js>(&self, ctx: Ctx<'js>, id: String) -> Result<Value<'js>> {
        let backend = self.live(&ctx)?;
        let d = self.device(&ctx, &id)?;
        match backend.config(d, format!("{} config", d.name)).map_err(|e| err(&ctx, format!("{}: {e}", d.name)))? {
            Some(region) => new_region(&ctx, region),
            None => Ok(Value::new_undefined(ctx)),
        }
    }

    #[qjs(rename = "irqFd")]
    pub fn irq_fd(&self, ctx: Ctx<'_>, id: String, i: Opt<u32>) -> Result<i32> {
        let backend = self.live(&ctx)?;
        let d = self.device(&ctx, &id)?;
        let i = i.0.unwrap_or(0);
        let Some(&line) = d.irq_lines.get(i as usize) else {
            return Err(err(&ctx, format!("{}: no interrupt {i}", d.name)));
        };
        backend.irq_fd(d, i, line).map_err(|e| err(&ctx, format!("{}: interrupt {i}: {e}", d.name)))
    }

    /// Re-arm interrupt `i` of device `id` after servicing it (VFIO INTx); a no-op elsewhere.
    #[qjs(rename = "irqUnmask")]
    pub fn irq_unmask(&self, ctx: Ctx<'_>, id: String, i: Opt<u32>) -> Result<()> {
        let d = self.device(&ctx, &id)?;
        let i = i.0.unwrap_or(0);
        if d.irq_lines.get(i as usize).is_none() {
            return Err(err(&ctx, format!("{}: no interrupt {i}", d.name)));
        }
        if self.is_closed() {
            return Ok(()); // interrupts are off for good
        }
        self.backend.irq_unmask(d, i).map_err(|e| err(&ctx, format!("{}: interrupt {i}: {e}", d.name)))
    }

    pub fn dma<'js>(&self, ctx: Ctx<'js>, size: f64, align: Opt<f64>) -> Result<Array<'js>> {
        let backend = self.live(&ctx)?;
        let Some(source) = backend.dma() else {
            return Err(err(
                &ctx,
                format!("board {}: the {} backend has no DMA memory", self.spec.name, backend.kind().name()),
            ));
        };
        let (buf, iova) = dma_alloc(&ctx, source, size, align.0.unwrap_or(64.0))?;
        let arr = Array::new(ctx.clone())?;
        arr.set(0, buf)?;
        arr.set(1, BigInt::from_u64(ctx, iova)?)?;
        Ok(arr)
    }

    #[qjs(rename = "busMaster")]
    pub fn bus_master(&self, ctx: Ctx<'_>, id: String, on: bool) -> Result<()> {
        let d = self.device(&ctx, &id)?;
        if !on && self.is_closed() {
            return Ok(()); // closing turned it off
        }
        let backend =
            self.live(&ctx).map_err(|_| err(&ctx, format!("{}: bus mastering: the board is closed", d.name)))?;
        backend.bus_master(d, on).map_err(|e| err(&ctx, format!("{}: bus mastering: {e}", d.name)))
    }

    #[qjs(rename = "irqLog")]
    pub fn irq_log<'js>(&self, ctx: Ctx<'js>) -> Result<Array<'js>> {
        let arr = Array::new(ctx.clone())?;
        if self.is_closed() {
            return Ok(arr);
        }
        for (i, ev) in self.backend.irq_log().into_iter().enumerate() {
            let o = Object::new(ctx.clone())?;
            o.set("t", ev.at.saturating_duration_since(self.opened).as_secs_f64() * 1e3)?;
            o.set("line", ev.line)?;
            o.set("level", ev.level)?;
            arr.set(i, o)?;
        }
        Ok(arr)
    }

    #[qjs(rename = "setIrqIn")]
    pub fn set_irq_in(&self, ctx: Ctx<'_>, qom_type: String, name: Opt<String>, line: u32, level: i32) -> Result<()> {
        let backend = self.live(&ctx)?;
        backend
            .set_irq_in(&qom_type, name.0.as_deref().filter(|n| !n.is_empty()), line, level)
            .map_err(|e| err(&ctx, format!("setIrqIn {qom_type}: {e}")))
    }

    #[qjs(rename = "setProperty")]
    pub fn set_property(&self, ctx: Ctx<'_>, id: String, property: String, value: f64) -> Result<()> {
        if !(value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15) {
            return Err(err(&ctx, format!("setProperty {id}.{property}: {value} is not an integer")));
        }
        let backend = self.live(&ctx)?;
        // Checked above: an integer well inside i64.
        backend
            .set_property(&id, &property, value as i64)
            .map_err(|e| err(&ctx, format!("setProperty {id}.{property}: {e}")))
    }

    #[qjs(rename = "setLink")]
    pub fn set_link(&self, ctx: Ctx<'_>, id: String, up: bool) -> Result<()> {
        let backend = self.live(&ctx)?;
        backend.set_link(&id, up).map_err(|e| err(&ctx, format!("setLink {id}: {e}")))
    }

    pub fn close(&self) {
        if !self.closed.replace(true) {
            self.backend.close();
        }
    }
}
