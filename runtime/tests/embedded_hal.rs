//! The embedded-hal bridge: Rust code generic over embedded-hal 1.0 traits
//! drives pins that JavaScript drivers provide, here a PL061 pin of QEMU's
//! virt machine (qtest), checked on the wire: QEMU reports the output lines.

use embedded_hal::digital::{InputPin, OutputPin, StatefulOutputPin};
use jsk::embed::{attach_options, Session};

/// A "driver" written against embedded-hal only: blink, reporting the level
/// the pin says it drives after each step.
fn blink<P: OutputPin + StatefulOutputPin>(pin: &mut P, times: usize) -> Result<Vec<bool>, P::Error> {
    let mut levels = Vec::new();
    pin.set_low()?;
    for _ in 0..times {
        pin.set_high()?;
        levels.push(pin.is_set_high()?);
        pin.toggle()?;
        levels.push(pin.is_set_high()?);
    }
    Ok(levels)
}

fn read_back<P: InputPin>(pin: &mut P) -> Result<bool, P::Error> {
    pin.is_high()
}

fn repo() -> String {
    format!("{}/..", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn pl061_pin_driven_from_generic_rust_code() {
    let r = repo();
    let js = Session::new().unwrap();
    let mut board = attach_options(&format!("{r}/devices/qemu-aarch64-virt.toml"), &format!("{r}/drivers/gpio"));
    board.board.observe = Some("pl061".into());
    js.attach_board(board).unwrap();
    js.eval_module(
        "setup.js",
        "import { gpioController, board } from 'jsk:board';\n\
         globalThis.board = board();\n\
         globalThis.led = gpioController().pin(3).intoOutput(false);\n\
         board().irqLog();\n",
    )
    .unwrap();
    let mut led = js.pin("led").unwrap();
    assert_eq!(blink(&mut led, 3).unwrap(), [true, false, true, false, true, false]);
    // What QEMU saw on the PL061's output line 3.
    let log = js.eval_json("board.irqLog().map((e) => [e.line, e.level])").unwrap();
    assert_eq!(log, "[[3,true],[3,false],[3,true],[3,false],[3,true],[3,false]]");
    // The pin as an input reads the level the model drives.
    led.set_high().unwrap();
    assert!(read_back(&mut led).unwrap());
    js.eval_module("close.js", "board.close();").unwrap();
}

#[test]
fn errors_from_js_reach_rust() {
    let js = Session::new().unwrap();
    js.eval_module("p.js", "globalThis.bad = { setHigh() { throw new RangeError('pin 99 does not exist'); } };")
        .unwrap();
    let mut p = js.pin("bad").unwrap();
    let e = p.set_high().unwrap_err();
    assert!(e.to_string().contains("RangeError: pin 99 does not exist"), "{e}");
}

#[test]
fn serial_from_js_as_embedded_io() {
    use embedded_io::{Read, Write};
    let js = Session::new().unwrap();
    // A loopback Serial: what is written comes back, as a driver's port would echo.
    js.eval_module(
        "s.js",
        "import { Serial } from 'jsk:hal';\n\
         const s = new Serial('loop', { configure() {}, transmit(b) { setTimeout(() => s.received(b.slice()), 1); return Promise.resolve(); } });\n\
         globalThis.port = s;\n",
    )
    .unwrap();
    let mut port = js.serial("port").unwrap();
    port.write_all(b"hello").unwrap();
    port.flush().unwrap();
    let mut buf = [0u8; 5];
    port.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello");
}

/// A sensor read written against embedded-hal's I2c only (an LM75's temperature register).
fn read_temperature<I: embedded_hal::i2c::I2c>(i2c: &mut I, address: u8) -> Result<f32, I::Error> {
    let mut b = [0u8; 2];
    i2c.write_read(address, &[0], &mut b)?;
    Ok(f32::from(i16::from_be_bytes(b)) / 256.0)
}

#[test]
fn i2c_from_js_as_embedded_hal_with_error_kinds() {
    use embedded_hal::i2c::{Error, ErrorKind, I2c, NoAcknowledgeSource};
    let js = Session::new().unwrap();
    let r = repo();
    js.eval_module(
        "i.js",
        &format!(
            "import {{ fakeI2cBus }} from 'jsk:fake';\n\
             import {{ tmp105Model }} from '{r}/hwtests/models/lm75.js';\n\
             globalThis.sensor = tmp105Model({{ address: 0x48, celsius: -7.5 }});\n\
             globalThis.bus = fakeI2cBus('i2c0', [sensor]);\n"
        ),
    )
    .unwrap();
    let mut i2c = js.i2c("bus.i2c").unwrap();
    assert_eq!(read_temperature(&mut i2c, 0x48).unwrap(), -7.5, "9 bits at power-up: half degrees");
    i2c.write(0x48, &[1, 0x60]).unwrap();
    assert_eq!(js.eval_json("sensor.config").unwrap(), "96", "the write reached the model");
    let e = read_temperature(&mut i2c, 0x49).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address), "{e}");
    assert!(e.to_string().contains("i2c0: 0x49"), "{e}");
    js.eval_module("f.js", "bus.failNext = 'ArbitrationLoss';").unwrap();
    assert_eq!(i2c.write(0x48, &[1]).unwrap_err().kind(), ErrorKind::ArbitrationLoss);
    // A JS argument error is still an error, of kind Other.
    assert_eq!(i2c.write(0x80, &[1]).unwrap_err().kind(), ErrorKind::Other);
}

#[test]
fn spi_device_from_js_as_embedded_hal() {
    use embedded_hal::spi::{Operation, SpiDevice};
    let js = Session::new().unwrap();
    let r = repo();
    js.eval_module(
        "s.js",
        &format!(
            "import {{ fakeSpiBus }} from 'jsk:fake';\n\
             import {{ SpiDevice }} from 'jsk:hal';\n\
             import {{ spiNorModel }} from '{r}/hwtests/models/spi_nor.js';\n\
             const f = fakeSpiBus('spi0');\n\
             globalThis.flash = spiNorModel({{ id: [0xef, 0x40, 0x16] }});\n\
             flash.data.set([1, 2, 3, 4], 0x100);\n\
             globalThis.dev = SpiDevice.onBus(f.bus, {{ cs: f.cs(flash), frequency: 1e6 }});\n"
        ),
    )
    .unwrap();
    let mut spi = js.spi_device("dev").unwrap();
    let mut id = [0u8; 3];
    spi.transaction(&mut [Operation::Write(&[0x9f]), Operation::Read(&mut id)]).unwrap();
    assert_eq!(id, [0xef, 0x40, 0x16]);
    let mut data = [0u8; 4];
    spi.transaction(&mut [Operation::Write(&[0x03, 0, 1, 0]), Operation::DelayNs(1000), Operation::Read(&mut data)])
        .unwrap();
    assert_eq!(data, [1, 2, 3, 4]);
    let mut inplace = [0x05, 0];
    spi.transfer_in_place(&mut inplace).unwrap();
    assert_eq!(inplace[1], 0, "status: idle, no write enable");
}
