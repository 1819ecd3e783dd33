// The wires of an I2C bus for bit-banging tests: two open-drain lines (SCL,
// SDA, wired-AND with pull-ups) as hal Pins for the host, and one target model
// (as jsk:fake's I2C buses take them) that watches the lines and answers bit
// by bit, after the I2C-bus specification (NXP UM10204 §3.1.4 START and STOP,
// §3.1.5 byte format, §3.1.6 acknowledge) and QEMU's hw/i2c/bitbang_i2c.c.
//
//   const w = i2cWire(tmp105Model({ address: 0x48 }));
//   const i2c = bitbangI2c("bb", { scl: w.scl, sda: w.sda, frequency: 0 });
//   w.stretch = 3;          // the target holds SCL low for the next three reads of it
//   w.events                // "start", "stop", "ack", "nack" as the target saw them

import { Pin } from "jsk:hal";

export function i2cWire(target) {
  const w = {
    host: { scl: true, sda: true },        // what the host drives (true: released)
    dev: { sda: true },                    // what the target drives
    stretch: 0,
    events: [],
    mode: "idle",                          // "addr", "write", "read", "ignore"
    phase: "bits",                         // "bits", or "ack": the ninth clock
    bit: 0, shift: 0, out: 0, masterAck: false, next: "idle", engaged: false,
  };
  const sdaWire = () => w.host.sda && w.dev.sda;
  const sclWire = () => w.host.scl && w.stretch === 0;
  const present = () => { w.dev.sda = ((w.out >> (7 - w.bit)) & 1) === 1; };
  const load = () => { w.out = target.recv() & 0xff; w.bit = 0; w.phase = "bits"; present(); };

  function sclRise() {
    if (w.phase === "bits" && (w.mode === "addr" || w.mode === "write")) { w.shift = ((w.shift << 1) | (sdaWire() ? 1 : 0)) & 0xff; w.bit++; }
    else if (w.phase === "ack" && w.mode === "read") w.masterAck = !sdaWire();
  }

  function sclFall() {
    if (w.mode === "addr" || w.mode === "write") {
      if (w.phase === "bits") {
        if (w.bit < 8) return;
        let ack;
        if (w.mode === "addr") {
          const address = w.shift >> 1, rd = (w.shift & 1) === 1;
          const here = (target.addresses ?? [target.address]).includes(address);
          if (here) w.engaged = true;
          ack = here && target.event(rd ? "start-read" : "start-write", address) !== false;
          w.next = ack ? (rd ? "read" : "write") : "ignore";
        } else {
          ack = target.send(w.shift) === true;
          w.next = ack ? "write" : "ignore";
        }
        w.events.push(ack ? "ack" : "nack");
        w.dev.sda = !ack;                  // ACK: hold SDA low through the ninth clock
        w.phase = "ack";
        return;
      }
      // The ninth clock ended.
      w.dev.sda = true;
      w.mode = w.next;
      w.phase = "bits"; w.bit = 0; w.shift = 0;
      if (w.mode === "read") load();
      return;
    }
    if (w.mode === "read") {
      if (w.phase === "bits") {
        w.bit++;
        if (w.bit < 8) present();
        else { w.dev.sda = true; w.phase = "ack"; }    // let the host acknowledge
      } else if (w.masterAck) load();
      else { w.mode = "ignore"; w.dev.sda = true; }
    }
  }

  function sdaChange(old) {
    if (!sclWire()) return;
    const now = sdaWire();
    if (old && !now) {                                  // START or repeated START
      w.events.push("start");
      w.mode = "addr"; w.phase = "bits"; w.bit = 0; w.shift = 0; w.dev.sda = true;
    } else if (!old && now && w.mode !== "idle") {      // STOP
      w.events.push("stop");
      if (w.engaged) target.event("stop");
      w.mode = "idle"; w.engaged = false; w.dev.sda = true;
    }
  }

  w.scl = new Pin("scl", {
    write: (high) => {
      const old = sclWire();
      w.host.scl = high;
      const now = sclWire();
      if (!old && now) sclRise();
      if (old && !now) sclFall();
    },
    read: () => {
      if (w.host.scl && w.stretch > 0) { w.stretch--; if (w.stretch === 0) sclRise(); return w.stretch === 0; }
      return sclWire();
    },
    direction: () => {},
  });
  w.sda = new Pin("sda", {
    write: (high) => {
      const old = sdaWire();
      w.host.sda = high;
      sdaChange(old);
    },
    read: () => sdaWire(),
    direction: () => {},
  });
  return w;
}
