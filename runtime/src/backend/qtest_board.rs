//! A board on the qtest backend: QEMU started from the board file's `[qemu]`
//! section, PCI enumerated and assigned through config space, interrupts from
//! the intercepted controller, DMA memory carved from guest RAM.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::qtest::{IrqEvent, QemuSpec, Qtest};
use crate::backend::Backend;
use crate::hw::board::{BackendKind, BoardOptions, BoardSpec, ConfigMechanism, DeviceInfo, RegionInfo};
use crate::hw::pci::{self, ConfigAccess, PciFunction, PciWindows};
use crate::hw::{Bus, HwError, Space};
use crate::hw::{DmaPool, DmaSource, RegionCore, Window};

/// Guest RAM kept back from DMA when the board names nothing: the first MiB
/// (real-mode vectors, firmware scratch).
const DEFAULT_DMA_RESERVED: u64 = 1 << 20;

pub struct QtestBoard {
    qtest: Arc<Qtest>,
    bus: Rc<dyn Bus>,
    access: Option<ConfigAccess>,
    pci: Vec<PciFunction>,
    dma: DmaSource,
}

/// The qtest socket as a `Bus` for regions.
struct QtestBus(Arc<Qtest>);

impl Bus for QtestBus {
    fn read(&self, space: Space, addr: u64, width: u8) -> Result<u64, HwError> {
        self.0.read(space, addr, width)
    }
    fn write(&self, space: Space, addr: u64, width: u8, value: u64) -> Result<(), HwError> {
        self.0.write(space, addr, width, value)
    }
}

/// One PCI function's configuration space as a `Bus` (offsets from 0).
struct ConfigBus {
    qtest: Arc<Qtest>,
    access: ConfigAccess,
    bdf: (u8, u8, u8),
}

impl Bus for ConfigBus {
    fn read(&self, _space: Space, addr: u64, width: u8) -> Result<u64, HwError> {
        if width == 8 {
            let lo = pci::config_read(&*self.qtest, &self.access, self.bdf, addr as u16, 4)? as u64;
            let hi = pci::config_read(&*self.qtest, &self.access, self.bdf, addr as u16 + 4, 4)? as u64;
            return Ok(lo | hi << 32);
        }
        Ok(pci::config_read(&*self.qtest, &self.access, self.bdf, addr as u16, width)? as u64)
    }
    fn write(&self, _space: Space, addr: u64, width: u8, value: u64) -> Result<(), HwError> {
        if width == 8 {
            pci::config_write(&*self.qtest, &self.access, self.bdf, addr as u16, 4, value as u32)?;
            return pci::config_write(&*self.qtest, &self.access, self.bdf, addr as u16 + 4, 4, (value >> 32) as u32);
        }
        pci::config_write(&*self.qtest, &self.access, self.bdf, addr as u16, width, value as u32)
    }
}

fn with_backends(
    args: &[String],
    kind: &str,
    table: &std::collections::BTreeMap<String, String>,
    overrides: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = args.to_vec();
    let mut ids: Vec<&String> = table.keys().collect();
    for k in overrides.keys() {
        if !table.contains_key(k) {
            ids.push(k);
        }
    }
    for id in ids {
        let spec = overrides.get(id).or_else(|| table.get(id)).expect("listed");
        out.push(format!("-{kind}"));
        // "socket,path=/x" -> "socket,id=ID,path=/x"
        let (backend, rest) = spec.split_once(',').map_or((spec.as_str(), None), |(b, r)| (b, Some(r)));
        out.push(match rest {
            Some(rest) => format!("{backend},id={id},{rest}"),
            None => format!("{backend},id={id}"),
        });
    }
    out
}

impl QtestBoard {
    pub fn open(spec: &BoardSpec, opts: &BoardOptions) -> Result<QtestBoard, HwError> {
        let q =
            spec.qemu.as_ref().ok_or_else(|| HwError::Invalid("the qtest backend needs a [qemu] section".into()))?;
        for id in opts.chardev.keys() {
            if !q.chardev.contains_key(id) {
                return Err(HwError::Invalid(format!(
                    "--chardev {id}: the board has no chardev {id:?} (has {:?})",
                    q.chardev.keys().collect::<Vec<_>>()
                )));
            }
        }
        for id in opts.netdev.keys() {
            if !q.netdev.contains_key(id) {
                return Err(HwError::Invalid(format!(
                    "--netdev {id}: the board has no netdev {id:?} (has {:?})",
                    q.netdev.keys().collect::<Vec<_>>()
                )));
            }
        }
        let mut args = with_backends(&q.args, "chardev", &q.chardev, &opts.chardev);
        args = with_backends(&args, "netdev", &q.netdev, &opts.netdev);
        let qspec = QemuSpec {
            binary: q.binary.clone(),
            machine: q.machine.clone(),
            memory_mb: q.memory_mb,
            ram_base: q.ram_base,
            cpu: q.cpu.clone(),
            args,
            startup_timeout: Duration::from_secs(20),
        };
        if q.irq_controller.is_some() && q.intercept_out.is_some() {
            // QEMU intercepts the lines of one device per process.
            return Err(HwError::Invalid(
                "[qemu] names both irq_controller and intercept_out; QEMU's qtest intercepts one device per process"
                    .into(),
            ));
        }
        let qtest = Qtest::launch(&qspec)?;
        match (&opts.observe, &q.irq_controller, &q.intercept_out) {
            (Some(dev), _, _) | (None, None, Some(dev)) => qtest.irq_intercept_out(&first_path(&qtest, dev)?)?,
            (None, Some(ctrl), _) => qtest.irq_intercept_in(&first_path(&qtest, ctrl)?)?,
            (None, None, None) => {}
        }
        let bus: Rc<dyn Bus> = Rc::new(QtestBus(qtest.clone()));
        let (access, pci) = match &spec.pci {
            Some(p) => {
                let access = match p.config {
                    ConfigMechanism::Ecam => ConfigAccess::Ecam { base: p.ecam_base.unwrap_or(0) },
                    ConfigMechanism::Cf8 => ConfigAccess::Cf8,
                };
                let windows =
                    PciWindows { mem: (p.mem_window[0], p.mem_window[1]), io: (p.io_window[0], p.io_window[1]) };
                let found = pci::enumerate_and_assign(&*qtest, &access, &windows, &p.irq_routing)
                    .map_err(|e| e.during("PCI enumeration"))?;
                (Some(access), found)
            }
            None => (None, Vec::new()),
        };
        let (_, len, guest_base) = qtest.ram();
        let reserved = if q.dma_reserved > 0 { q.dma_reserved } else { DEFAULT_DMA_RESERVED }.min(len as u64);
        let memory = Rc::new(crate::sys::Memory::from_shared_map(qtest.ram_map()));
        let pool = Rc::new(RefCell::new(DmaPool::new(guest_base + reserved, len as u64 - reserved)));
        let dma = DmaSource::Window { memory, device_base: guest_base, pool };
        Ok(QtestBoard { qtest, bus, access, pci, dma })
    }

    pub fn pci_functions(&self) -> &[PciFunction] {
        &self.pci
    }
}

impl Backend for QtestBoard {
    fn kind(&self) -> BackendKind {
        BackendKind::Qtest
    }
    fn region(&self, _dev: &DeviceInfo, r: &RegionInfo, label: String) -> Result<RegionCore, HwError> {
        let window = Window::Bus { bus: self.bus.clone(), space: r.space, base: r.base };
        Ok(RegionCore::new(label, r.size, r.space, window))
    }
    fn config(&self, dev: &DeviceInfo, label: String) -> Result<Option<RegionCore>, HwError> {
        let Some(p) = &dev.pci else { return Ok(None) };
        let bus = Rc::new(ConfigBus {
            qtest: self.qtest.clone(),
            access: self.access.unwrap_or(ConfigAccess::Cf8),
            bdf: p.bdf,
        });
        let size = match self.access {
            Some(ConfigAccess::Ecam { .. }) => 4096,
            _ => 256,
        };
        Ok(Some(RegionCore::new(label, size, Space::Mem, Window::Bus { bus, space: Space::Mem, base: 0 })))
    }
    fn irq_fd(&self, _dev: &DeviceInfo, _i: u32, line: u32) -> Result<i32, HwError> {
        self.qtest.irq_eventfd(line)
    }
    fn dma(&self) -> Option<&DmaSource> {
        Some(&self.dma)
    }
    fn bus_master(&self, dev: &DeviceInfo, on: bool) -> Result<(), HwError> {
        match (&self.access, &dev.pci) {
            (Some(a), Some(p)) => pci::set_bus_master(&*self.qtest, a, p.bdf, on),
            _ => Ok(()),
        }
    }
    fn irq_log(&self) -> Vec<IrqEvent> {
        self.qtest.take_irq_log()
    }
    fn set_irq_in(&self, qom_type: &str, name: Option<&str>, line: u32, level: i32) -> Result<(), HwError> {
        let path = first_path(&self.qtest, qom_type)?;
        self.qtest.set_irq_in(&path, name, line, level)
    }
    fn set_link(&self, id: &str, up: bool) -> Result<(), HwError> {
        self.qtest.set_link(id, up)
    }
    fn set_property(&self, id: &str, property: &str, value: i64) -> Result<(), HwError> {
        self.qtest.set_property(id, property, value)
    }
    fn close(&self) {
        self.qtest.shutdown();
    }
}

fn first_path(q: &Qtest, qom_type: &str) -> Result<String, HwError> {
    let paths = q.find_qom_path(qom_type)?;
    paths.into_iter().next().ok_or_else(|| HwError::Invalid(format!("QEMU has no device of type {qom_type:?}")))
}
