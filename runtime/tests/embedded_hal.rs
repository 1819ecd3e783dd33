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
