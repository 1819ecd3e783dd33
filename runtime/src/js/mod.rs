//! JavaScript's view of the host: the functions `jsk:native` exports for
//! memory, registers, DMA and boards, and the `Region` and `Board` classes.
//! Only this layer and those above it use rquickjs; its QuickJS C-API part,
//! the only `unsafe` code outside `sys`, is `ffi`.
//!
//! - `native`: the raw `syscall`, buffer and view arguments, UTF-8, `exit`.
//! - `hw`: `fakeRegion`, `mapRegion`, fake DMA, and DMA buffers as ArrayBuffers.
//! - `board`: the `Board` class over one `Backend`.
//! - `ffi`: the C API (`Region`, the batch operations' `Ring`, views read
//!   without running JavaScript).

pub mod board;
pub mod ffi;
pub mod hw;
pub mod native;
