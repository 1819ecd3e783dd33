//! Batch operations over DMA memory: what a descriptor ring driver does to a
//! whole batch of descriptors, in one call each, so that the driver's logic
//! stays JavaScript while its per-packet work does not run in the interpreter.
//! Nothing here knows a device: a ring is `slots` records of `stride` bytes,
//! a field is `width` bytes at `offset` in each record, and arrays are runs of
//! lanes (a JS TypedArray's elements). JavaScript reaches these through
//! `js::ffi::ring` (contracts in `engine::native_module`).
//!
//! Every function checks everything before it touches memory: counts and
//! indices in range, fields naturally aligned and inside their record, the
//! memory large enough; `scatter` and `take` check every value or index they
//! will write before writing any. Values read from memory are returned or
//! copied, never used as an index or a count (`take`'s indices are checked one
//! by one). Accesses are volatile, of the field's or lane's width.

use crate::hw::{f64_integer, fits, AccessError};
use crate::sys::Bytes;

/// How the elements of an array are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    Unsigned(u8),
    Signed(u8),
    /// IEEE double (Float64Array): integers exact below 2^53.
    F64,
    /// A float type values are not moved through (Float16Array, Float32Array).
    OtherFloat(u8),
}

impl Lane {
    pub fn size(self) -> usize {
        match self {
            Lane::Unsigned(n) | Lane::Signed(n) | Lane::OtherFloat(n) => n as usize,
            Lane::F64 => 8,
        }
    }

    fn integer(self) -> bool {
        matches!(self, Lane::Unsigned(_) | Lane::Signed(_))
    }
}

/// A typed array: its bytes and how they are laned.
#[derive(Clone, Copy)]
pub struct Array<'a> {
    pub bytes: Bytes<'a>,
    pub lane: Lane,
}

impl Array<'_> {
    pub fn len(&self) -> usize {
        self.bytes.len() / self.lane.size()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i` as an exact integer (signed lanes sign-extended, unsigned
    /// ones not); None for a Float64 that is no integer in [-2^63, 2^64), or
    /// another float type.
    fn get(&self, i: usize) -> Option<i128> {
        let size = self.lane.size();
        let raw = self.bytes.load(i * size, size as u8)?;
        Some(match self.lane {
            Lane::Unsigned(_) => raw as i128,
            Lane::Signed(n) => {
                let shift = 64 - 8 * n as u32;
                (((raw << shift) as i64) >> shift) as i128
            }
            Lane::F64 => f64_integer(f64::from_bits(raw))?,
            Lane::OtherFloat(_) => return None,
        })
    }

    /// Store `bits` as element `i` (a Float64 gets the number, exact below 2^53).
    fn set(&self, i: usize, bits: u64) {
        let size = self.lane.size();
        let v = if self.lane == Lane::F64 { (bits as f64).to_bits() } else { bits };
        self.bytes.store(i * size, size as u8, v);
    }

    /// `[start, start + n)` inside the array.
    fn check_span(&self, what: &str, name: &str, start: usize, n: usize) -> Result<(), AccessError> {
        let have = self.len();
        if start.checked_add(n).is_none_or(|end| end > have) {
            return Err(AccessError::Range(format!("{what}: {name} [{start}, +{n}) is outside its {have} elements")));
        }
        Ok(())
    }
}

/// An integer TypedArray of indices into a table of `have` elements, the
/// span `[start, start + n)` of it checked to exist: what `take`,
/// `scatterFrom` and `transition` look buffers up by.
struct Indices<'a, 'b> {
    what: &'static str,
    array: &'b Array<'a>,
    have: i128,
}

impl<'a, 'b> Indices<'a, 'b> {
    fn new(what: &'static str, array: &'b Array<'a>, start: usize, n: usize, have: usize) -> Result<Self, AccessError> {
        if !array.lane.integer() {
            return Err(AccessError::Type(format!("{what}: indices must be integers, not {:?}", array.lane)));
        }
        array.check_span(what, "indices", start, n)?;
        Ok(Indices { what, array, have: have as i128 })
    }

    /// Index `i` when it lies inside the table (read again at every call).
    fn get(&self, i: usize) -> Option<usize> {
        self.array.get(i).filter(|k| (0..self.have).contains(k)).map(|k| k as usize)
    }

    fn outside(&self, i: usize) -> AccessError {
        AccessError::Range(format!(
            "{}: indices[{i}] = {} is outside the table's {} elements",
            self.what,
            self.array.get(i).unwrap_or(-1),
            self.have
        ))
    }

    /// The first of `range` outside the table, as the error to return.
    fn check(&self, range: std::ops::Range<usize>) -> Result<(), AccessError> {
        match range.into_iter().find(|&i| self.get(i).is_none()) {
            Some(i) => Err(self.outside(i)),
            None => Ok(()),
        }
    }
}

/// `slots` records of `stride` bytes at the start of `bytes`, and one field.
pub struct Field<'a> {
    bytes: Bytes<'a>,
    slots: usize,
    stride: usize,
    offset: usize,
    width: u8,
}

/// The most records a ring may have (a descriptor ring has at most 65536).
pub const MAX_SLOTS: usize = 1 << 20;
/// The longest record.
pub const MAX_STRIDE: usize = 4096;

/// Check a ring's shape against the memory it is over.
pub fn check_ring(what: &str, len: usize, slots: usize, stride: usize) -> Result<(), AccessError> {
    if !(1..=MAX_SLOTS).contains(&slots) || !(1..=MAX_STRIDE).contains(&stride) {
        return Err(AccessError::Range(format!(
            "{what}: {slots} slots of {stride} bytes: slots must be in [1, {MAX_SLOTS}], stride in [1, {MAX_STRIDE}]"
        )));
    }
    if slots.checked_mul(stride).is_none_or(|n| n > len) {
        return Err(AccessError::Range(format!("{what}: {slots} slots of {stride} bytes do not fit {len} bytes")));
    }
    Ok(())
}

impl<'a> Field<'a> {
    /// Field `offset`/`width` of a ring of `slots` × `stride` bytes over `bytes`.
    pub fn new(
        what: &str,
        bytes: Bytes<'a>,
        slots: usize,
        stride: usize,
        offset: usize,
        width: u8,
    ) -> Result<Field<'a>, AccessError> {
        check_ring(what, bytes.len(), slots, stride)?;
        if !matches!(width, 1 | 2 | 4 | 8) {
            return Err(AccessError::Range(format!("{what}: width {width} must be 1, 2, 4 or 8")));
        }
        if offset.checked_add(width as usize).is_none_or(|end| end > stride) {
            return Err(AccessError::Range(format!(
                "{what}: a {width}-byte field at offset {offset} does not fit a {stride}-byte record"
            )));
        }
        if !stride.is_multiple_of(width as usize) || !(bytes.addr() + offset).is_multiple_of(width as usize) {
            return Err(AccessError::Range(format!(
                "{what}: a {width}-byte field at offset {offset} is not aligned in every record"
            )));
        }
        Ok(Field { bytes, slots, stride, offset, width })
    }

    /// `start` a record and `n` at most all of them.
    fn check(&self, what: &str, start: usize, n: usize) -> Result<(), AccessError> {
        if start >= self.slots || n > self.slots {
            return Err(AccessError::Range(format!(
                "{what}: start {start} and count {n} must lie in a ring of {} slots",
                self.slots
            )));
        }
        Ok(())
    }

    /// `f(record index, the field's value)` for the `n` records from
    /// `start`, wrapping, until it returns false.
    fn read_each(&self, start: usize, n: usize, mut f: impl FnMut(usize, u64) -> bool) {
        self.each(start, n, |i, at| f(i, self.bytes.load(at, self.width).unwrap_or(0)))
    }

    /// Writes `f(record index)` into the field of the `n` records from
    /// `start`, wrapping.
    fn write_each(&self, start: usize, n: usize, mut f: impl FnMut(usize) -> u64) {
        self.each(start, n, |i, at| self.bytes.store(at, self.width, f(i)))
    }

    /// Calls `f(i, byte offset)` for the `n` records from `start`, wrapping.
    fn each(&self, start: usize, n: usize, mut f: impl FnMut(usize, usize) -> bool) {
        let mut at = start * self.stride + self.offset;
        let end = self.slots * self.stride;
        for i in 0..n {
            if !f(i, at) {
                return;
            }
            at += self.stride;
            if at >= end {
                at = self.offset;
            }
        }
    }

    /// How many consecutive records from `start`, at most `max`, have `(field & mask) == value`.
    pub fn count(&self, start: usize, max: usize, mask: u64, value: u64) -> Result<usize, AccessError> {
        self.check("count", start, max)?;
        let mut n = 0;
        self.read_each(start, max, |_, v| {
            let done = v & mask == value;
            n += done as usize;
            done
        });
        Ok(n)
    }

    /// How many consecutive records from `start`, at most `max`, have
    /// `lo <= field <= hi` (the field read as unsigned): "how many lengths are sane".
    pub fn count_within(&self, start: usize, max: usize, lo: u64, hi: u64) -> Result<usize, AccessError> {
        self.check("countWithin", start, max)?;
        let mut n = 0;
        self.read_each(start, max, |_, v| {
            let inside = (lo..=hi).contains(&v);
            n += inside as usize;
            inside
        });
        Ok(n)
    }

    /// The sum of the field (unsigned) over `n` records from `start`: "how
    /// many bytes". RangeError when it is 2^53 or more (no longer exact as a
    /// JS number).
    pub fn sum(&self, start: usize, n: usize) -> Result<u64, AccessError> {
        self.check("sum", start, n)?;
        let mut total: u128 = 0;
        self.read_each(start, n, |_, v| {
            total += v as u128;
            true
        });
        u64::try_from(total)
            .ok()
            .filter(|&t| t < 1 << 53)
            .ok_or_else(|| AccessError::Range(format!("sum: the sum {total} is 2^53 or more, not exact as a number")))
    }

    /// The field's bits as unsigned.
    fn mask(&self) -> u64 {
        u64::MAX >> (64 - 8 * self.width as u32)
    }

    /// The field of `n` records from `start` into `out[out_start..]`.
    /// Returns the sum of the fields moved (read as unsigned).
    pub fn gather(&self, start: usize, n: usize, out: &Array<'_>, out_start: usize) -> Result<u128, AccessError> {
        self.check("gather", start, n)?;
        if !(out.lane == Lane::F64 || out.lane.integer() && out.lane.size() >= self.width as usize) {
            return Err(AccessError::Type(format!(
                "gather: out's {:?} elements cannot hold {}-byte fields",
                out.lane, self.width
            )));
        }
        out.check_span("gather", "out", out_start, n)?;
        let mut total = 0u128;
        self.read_each(start, n, |i, v| {
            total += v as u128;
            out.set(out_start + i, v);
            true
        });
        Ok(total)
    }

    /// One value into the field of `n` records from `start`. Returns the sum
    /// of the fields written (as unsigned).
    pub fn fill(&self, start: usize, n: usize, value: i128) -> Result<u128, AccessError> {
        self.check("scatter", start, n)?;
        if !fits(value, self.width) {
            return Err(AccessError::Range(format!(
                "scatter: the value {value} does not fit a {}-byte field",
                self.width
            )));
        }
        self.write_each(start, n, |_| value as u64);
        Ok(((value as u64) & self.mask()) as u128 * n as u128)
    }

    /// `src[src_start..]` into the field of `n` records from `start`; every
    /// value is checked (an integer that fits the field) before any is written.
    /// Returns the sum of the fields written (as unsigned).
    pub fn scatter(&self, start: usize, n: usize, src: &Array<'_>, src_start: usize) -> Result<u128, AccessError> {
        self.check("scatter", start, n)?;
        src.check_span("scatter", "src", src_start, n)?;
        if !self.holds_every(src.lane) {
            for i in src_start..src_start + n {
                self.check_value("scatter", "src", i, src.get(i))?;
            }
        }
        // A value changed since (by another thread sharing the buffer) is
        // truncated to the field, never written beyond it.
        let (mask, mut total) = (self.mask(), 0u128);
        self.write_each(start, n, |i| {
            let v = src.get(src_start + i).unwrap_or(0) as u64 & mask;
            total += v as u128;
            v
        });
        Ok(total)
    }

    /// `table[indices[idx_start + i]]` into the field of record `start + i`
    /// for `i < n`: "each descriptor gets its buffer's address". Every index
    /// and every value is checked before anything is written. Returns the sum
    /// of the fields written (as unsigned).
    pub fn scatter_from(
        &self,
        start: usize,
        n: usize,
        table: &Array<'_>,
        indices: &Array<'_>,
        idx_start: usize,
    ) -> Result<u128, AccessError> {
        self.check("scatterFrom", start, n)?;
        let index = Indices::new("scatterFrom", indices, idx_start, n, table.len())?;
        index.check(idx_start..idx_start + n)?;
        if !self.holds_every(table.lane) {
            for i in idx_start..idx_start + n {
                let k = index.get(i).unwrap_or(0);
                self.check_value("scatterFrom", "table", k, table.get(k))?;
            }
        }
        // Re-read: an index or value changed since (another thread) is checked
        // again, or truncated to the field.
        let (mask, mut total) = (self.mask(), 0u128);
        self.write_each(start, n, |i| {
            let v = index.get(idx_start + i).and_then(|k| table.get(k)).unwrap_or(0) as u64 & mask;
            total += v as u128;
            v
        });
        Ok(total)
    }

    /// Whether every element of `lane` fits the field (an unsigned lane no
    /// wider than it): then values need no check one by one.
    fn holds_every(&self, lane: Lane) -> bool {
        matches!(lane, Lane::Unsigned(size) if size <= self.width)
    }

    /// A value to write: an integer that fits the field.
    fn check_value(&self, what: &str, name: &str, i: usize, v: Option<i128>) -> Result<(), AccessError> {
        match v {
            Some(v) if fits(v, self.width) => Ok(()),
            Some(v) => {
                Err(AccessError::Range(format!("{what}: {name}[{i}] ({v}) does not fit a {}-byte field", self.width)))
            }
            None => Err(AccessError::Range(format!("{what}: {name}[{i}] is not an integer"))),
        }
    }
}

/// `out[out_start + i] = table[indices[start + i]]` for `i < n`; every index
/// is checked before anything is written.
pub fn take(
    table: &Array<'_>,
    indices: &Array<'_>,
    start: usize,
    n: usize,
    out: &Array<'_>,
    out_start: usize,
) -> Result<usize, AccessError> {
    if table.lane != out.lane {
        return Err(AccessError::Type(format!(
            "take: table holds {:?} and out {:?} elements; they must be one type",
            table.lane, out.lane
        )));
    }
    let index = Indices::new("take", indices, start, n, table.len())?;
    out.check_span("take", "out", out_start, n)?;
    index.check(start..start + n)?;
    let size = table.lane.size();
    for i in 0..n {
        // Re-read, so no copy of the indices is needed; one that changed
        // since (another thread) is checked again and skipped.
        if let Some(k) = index.get(start + i) {
            let v = table.bytes.load(k * size, size as u8).unwrap_or(0);
            out.bytes.store((out_start + i) * size, size as u8, v);
        }
    }
    Ok(n)
}

/// For `i < n` in order, while `table[indices[start + i]] == from`, set it to
/// `to`; returns how many were changed (the first that is not `from` stops it
/// and stays as it was, so with `from != to` an index given twice stops at its
/// second place).
/// A state machine per buffer, moved for a whole batch in one call. `from`
/// and `to` are checked against the table's elements, and every index
/// against the table; an index outside it is an error and leaves nothing
/// written.
pub fn transition(
    table: &Array<'_>,
    indices: &Array<'_>,
    start: usize,
    n: usize,
    from: i128,
    to: i128,
) -> Result<usize, AccessError> {
    if !table.lane.integer() || !indices.lane.integer() {
        return Err(AccessError::Type(format!(
            "transition: table ({:?}) and indices ({:?}) must be integer TypedArrays",
            table.lane, indices.lane
        )));
    }
    let bits = 8 * table.lane.size() as u32;
    let lane_fits = |v: i128| match table.lane {
        Lane::Signed(_) => (-(1i128 << (bits - 1))..1i128 << (bits - 1)).contains(&v),
        _ => (0..1i128 << bits).contains(&v),
    };
    for (name, v) in [("from", from), ("to", to)] {
        if !lane_fits(v) {
            return Err(AccessError::Range(format!("transition: {name} {v} is no {:?} element", table.lane)));
        }
    }
    let index = Indices::new("transition", indices, start, n, table.len())?;
    // One pass in the usual case: each state is moved as it is found; an
    // index outside the table undoes the moves made (the run moved holds no
    // index twice: a repeated one stops it), so nothing stays written.
    let undo = |done: usize| {
        for i in start..start + done {
            if let Some(k) = index.get(i) {
                table.set(k, from as u64);
            }
        }
    };
    // `indices` in the same memory as `table`: a move could change an index the undo then
    // reads, so check every index first there.
    let (t, x) = (table.bytes.addr(), indices.bytes.addr());
    if t < x + indices.bytes.len() && x < t + table.bytes.len() {
        index.check(start..start + n)?;
    }
    let mut done = 0;
    while done < n {
        let i = start + done;
        let Some(k) = index.get(i) else {
            undo(done);
            return Err(index.outside(i));
        };
        if table.get(k) != Some(from) {
            break;
        }
        table.set(k, to as u64);
        done += 1;
    }
    // The rest is not moved, but its indices are checked all the same.
    if let Err(e) = index.check(start + done..start + n) {
        undo(done);
        return Err(e);
    }
    Ok(done)
}

/// -1, 0 or 1 as memcmp of `n` bytes of `a` from `a_off` and `b` from `b_off`.
pub fn compare(a: &Bytes<'_>, a_off: usize, b: &Bytes<'_>, b_off: usize, n: usize) -> Result<i32, AccessError> {
    for (name, off, len) in [("a", a_off, a.len()), ("b", b_off, b.len())] {
        if off.checked_add(n).is_none_or(|end| end > len) {
            return Err(AccessError::Range(format!("compareBytes: {name} [{off}, +{n}) is outside its {len} bytes")));
        }
    }
    for i in 0..n {
        let (x, y) = (a.load(a_off + i, 1), b.load(b_off + i, 1));
        if x != y {
            return Ok(if x < y { -1 } else { 1 });
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::Memory;

    /// 8 records of 16 bytes.
    fn records() -> Memory {
        Memory::zeroed(128, 16).unwrap()
    }

    #[test]
    fn count_wraps_and_stops_at_the_first_miss() {
        let mem = records();
        for i in [6, 7, 0, 1] {
            mem.write(16 * i + 8, 1, 3);
        }
        let f = Field::new("t", mem.bytes(), 8, 16, 8, 1).unwrap();
        assert_eq!(f.count(6, 8, 1, 1).unwrap(), 4);
        let out = Memory::zeroed(8, 8).unwrap();
        let a = Array { bytes: out.bytes(), lane: Lane::Unsigned(1) };
        assert_eq!(f.gather(6, 5, &a, 0).unwrap(), 12, "gather sums what it moved");
        assert_eq!(f.fill(0, 2, -1).unwrap(), 2 * 0xff, "-1 is 0xff in a byte");
        assert_eq!(f.count(6, 2, 1, 1).unwrap(), 2);
        assert!(f.count(8, 1, 1, 1).is_err());
        assert!(f.count(0, 9, 1, 1).is_err());
    }

    #[test]
    fn fields_must_fit_and_align() {
        let mem = records();
        assert!(Field::new("t", mem.bytes(), 8, 16, 15, 2).is_err());
        assert!(Field::new("t", mem.bytes(), 8, 16, 13, 2).is_err());
        assert!(Field::new("t", mem.bytes(), 9, 16, 0, 1).is_err());
        assert!(Field::new("t", mem.bytes(), 8, 16, 0, 3).is_err());
        assert!(Field::new("t", mem.bytes(), 8, 16, 8, 8).is_ok());
    }

    #[test]
    fn scatter_writes_nothing_when_a_value_does_not_fit() {
        let mem = records();
        let src = Memory::zeroed(16, 8).unwrap();
        src.write(0, 8, 1);
        src.write(8, 8, 0x1_0000_0000);
        let f = Field::new("t", mem.bytes(), 8, 16, 0, 4).unwrap();
        let a = Array { bytes: src.bytes(), lane: Lane::Unsigned(8) };
        assert!(f.scatter(0, 2, &a, 0).is_err());
        assert_eq!(mem.copy_out(0, 128).unwrap(), vec![0u8; 128]);
        // Indexed: table[indices[i]] into record i; a bad index or value writes nothing.
        let ids = Memory::zeroed(8, 8).unwrap();
        ids.write(0, 2, 0);
        ids.write(2, 2, 2);
        let idx = Array { bytes: ids.bytes(), lane: Lane::Unsigned(2) };
        assert!(f.scatter_from(0, 2, &a, &idx, 0).is_err(), "src[1] does not fit 4 bytes");
        assert!(f.scatter_from(0, 2, &a, &idx, 1).is_err(), "index 2 is outside 2 elements");
        assert_eq!(mem.copy_out(0, 128).unwrap(), vec![0u8; 128]);
        ids.write(2, 2, 0);
        assert_eq!(f.scatter_from(6, 2, &a, &idx, 0).unwrap(), 2);
        assert_eq!((mem.read(96, 4), mem.read(112, 4)), (Some(1), Some(1)));
    }

    #[test]
    fn count_within_stops_outside_the_range() {
        let mem = records();
        for (i, len) in [60u64, 14, 2048, 13, 64].iter().enumerate() {
            mem.write(16 * i + 8, 2, *len);
        }
        let f = Field::new("t", mem.bytes(), 8, 16, 8, 2).unwrap();
        assert_eq!(f.count_within(0, 5, 14, 2048).unwrap(), 3);
        assert_eq!(f.count_within(4, 1, 14, 2048).unwrap(), 1);
        assert_eq!(f.count_within(0, 5, 2049, 14).unwrap(), 0, "an empty range holds nothing");
        assert!(f.count_within(8, 0, 0, 1).is_err());
        assert_eq!(f.sum(0, 5).unwrap(), 60 + 14 + 2048 + 13 + 64);
        assert_eq!(f.sum(4, 3).unwrap(), 64, "wrapping over the zeroed records");
        mem.write(8, 8, u64::MAX);
        let wide = Field::new("t", mem.bytes(), 8, 16, 8, 8).unwrap();
        assert!(wide.sum(0, 1).is_err(), "2^64 - 1 is not exact as a number");
    }

    #[test]
    fn transition_moves_states_until_one_is_not_the_expected() {
        let states = Memory::zeroed(8, 8).unwrap();
        let ids = Memory::zeroed(8, 8).unwrap();
        for (i, id) in [3u64, 1, 3, 0].iter().enumerate() {
            ids.write(2 * i, 2, *id);
        }
        let table = Array { bytes: states.bytes(), lane: Lane::Unsigned(1) };
        let idx = Array { bytes: ids.bytes(), lane: Lane::Unsigned(2) };
        // 3 and 1 move from 0 to 2; the second 3 is 2 by then: it stops there.
        assert_eq!(transition(&table, &idx, 0, 4, 0, 2).unwrap(), 2);
        assert_eq!(states.copy_out(0, 4).unwrap(), vec![0, 2, 0, 2]);
        assert_eq!(transition(&table, &idx, 3, 1, 0, 2).unwrap(), 1);
        // An index outside the table: nothing written.
        ids.write(0, 2, 8);
        assert!(transition(&table, &idx, 0, 4, 2, 0).is_err());
        assert_eq!(states.copy_out(0, 4).unwrap(), vec![2, 2, 0, 2]);
        // States that do not fit the table's elements, and float tables, are refused.
        assert!(transition(&table, &idx, 1, 1, 0, 256).is_err());
        assert!(transition(&table, &idx, 1, 1, -1, 0).is_err());
        let signed = Array { bytes: states.bytes(), lane: Lane::Signed(1) };
        assert!(transition(&signed, &idx, 1, 1, 2, -1).is_ok());
        assert_eq!(states.read(1, 1).unwrap(), 0xff);
        let float = Array { bytes: states.bytes(), lane: Lane::F64 };
        assert!(transition(&float, &idx, 1, 1, 0, 1).is_err());
        assert!(transition(&table, &idx, 2, 3, 0, 1).is_err(), "indices [2, +3) are outside 4 elements");
        // Indices in the table's own memory: a bad one is found before anything moves.
        let same = Memory::zeroed(4, 4).unwrap();
        for (i, v) in [1u64, 0, 0, 7].iter().enumerate() {
            same.write(i, 1, *v);
        }
        let a = Array { bytes: same.bytes(), lane: Lane::Unsigned(1) };
        assert!(transition(&a, &a, 0, 4, 0, 2).is_err());
        assert_eq!(same.copy_out(0, 4).unwrap(), vec![1, 0, 0, 7], "nothing written");
    }

    #[test]
    fn signed_lanes_sign_extend() {
        assert!(fits(-1, 2));
        assert!(fits(0xffff, 2));
        assert!(!fits(0x1_0000, 2));
        assert!(!fits(-40000, 2));
        assert!(fits(u64::MAX as i128, 8));
        assert!(!fits(u64::MAX as i128, 1));
        assert!(!fits(1i128 << 64, 8));
        let v = Memory::zeroed(2, 2).unwrap();
        v.write(0, 2, 0xffff);
        let a = Array { bytes: v.bytes(), lane: Lane::Signed(2) };
        assert_eq!(a.get(0), Some(-1));
    }
}
