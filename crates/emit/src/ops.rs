//! Writers of the few instructions the linker's own function bodies use
//! with an immediate: constants of the memory's address type and their
//! `add`.

use crate::leb;

const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;
const I32_ADD: u8 = 0x6a;
const I64_ADD: u8 = 0x7c;

/// `i32.const v` (`v` wrapped to 32 bits).
pub fn i32_const(b: &mut Vec<u8>, v: i64) {
    b.push(I32_CONST);
    leb::write_i64(b, v as u32 as i32 as i64);
}

/// A memory address (or a `memory.fill` length): `i64.const` in a 64-bit
/// memory, else `i32.const`.
pub fn address_const(b: &mut Vec<u8>, v: u64, memory64: bool) {
    if memory64 {
        b.push(I64_CONST);
        leb::write_i64(b, v as i64);
    } else {
        i32_const(b, v as i64);
    }
}

/// The `add` of the memory's address type.
pub fn address_add(memory64: bool) -> u8 {
    if memory64 {
        I64_ADD
    } else {
        I32_ADD
    }
}
