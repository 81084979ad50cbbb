//! Bodies of the functions wasm-ld writes for shared memory and TLS:
//! `__wasm_init_memory` (the start function that copies passive segments
//! in and zeroes `.bss`), `__wasm_init_tls` and `__wasm_apply_tls_relocs`.

use crate::leb;
use crate::ops::{address_add, address_const, i32_const};
use atom_layout::{Layout, OutputSegment};
use section_merge::MergedModule;
use symbol_resolve::SyntheticGlobal;

const BLOCK: u8 = 0x02;
const BLOCK_TYPE_EMPTY: u8 = 0x40;
const BR: u8 = 0x0c;
const BR_TABLE: u8 = 0x0e;
const CALL: u8 = 0x10;
const DROP: u8 = 0x1a;
const END: u8 = 0x0b;
const LOCAL_GET: u8 = 0x20;
const LOCAL_SET: u8 = 0x21;
const LOCAL_TEE: u8 = 0x22;
const GLOBAL_GET: u8 = 0x23;
const GLOBAL_SET: u8 = 0x24;
const I32: u8 = 0x7f;
const I64: u8 = 0x7e;
const I64_CONST: u8 = 0x42;
/// Prefix of `memory.init`, `data.drop`, `memory.fill`.
const MISC_PREFIX: u8 = 0xfc;
const MEMORY_INIT: u32 = 0x08;
const DATA_DROP: u32 = 0x09;
const MEMORY_FILL: u32 = 0x0b;
/// Prefix of the atomic instructions.
const ATOMIC_PREFIX: u8 = 0xfe;
const ATOMIC_NOTIFY: u32 = 0x00;
const ATOMIC_WAIT32: u32 = 0x01;
const I32_ATOMIC_STORE: u32 = 0x17;
const I32_ATOMIC_RMW_CMPXCHG: u32 = 0x48;

fn misc(b: &mut Vec<u8>, op: u32) {
    b.push(MISC_PREFIX);
    leb::write_u32(b, op);
}

/// An atomic instruction on the aligned i32 at the address on the stack.
fn atomic(b: &mut Vec<u8>, op: u32) {
    b.push(ATOMIC_PREFIX);
    leb::write_u32(b, op);
    b.extend([2, 0]); // memarg: align 2^2, offset 0
}

/// Index of each output segment in the data section (segments not written
/// have none).
fn data_indices(layout: &Layout) -> Vec<Option<u32>> {
    let mut next = 0;
    layout
        .segments
        .iter()
        .map(|s| {
            s.in_binary.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

fn tls_base_index(merged: &MergedModule) -> u32 {
    merged.synthetic_global_index.get(&SyntheticGlobal::TlsBase).map_or(0, |g| g.0)
}

/// `__wasm_init_memory` (without its size prefix). With shared memory the
/// first thread to win the flag (0 → 1) copies the segments in, sets the
/// flag to 2 and wakes the others, which wait while it is 1; every thread
/// then drops its passive segments but `.tdata`, which `__wasm_init_tls`
/// still copies from. `.bss` is zeroed with `memory.fill`.
pub fn init_memory_body(layout: &Layout, merged: &MergedModule) -> Vec<u8> {
    let flag = layout.memory.init_memory_flag;
    let indices = data_indices(layout);
    // In position-independent output every address is relative to
    // `__memory_base`; the flag's address is computed once into local 0.
    let memory_base = merged.pic.and_then(|_| merged.imported_global("__memory_base")).map(|g| g.0);
    let wide = layout.memory.memory64;
    let mut b = Vec::new();
    let flag_address = |b: &mut Vec<u8>, flag: u64| match memory_base {
        Some(_) => b.extend([LOCAL_GET, 0]),
        None => address_const(b, flag, wide),
    };
    match (flag, memory_base) {
        (Some(flag), Some(mb)) => {
            // Two address locals: the flag's and a TLS block's.
            b.extend([1, 2, if wide { I64 } else { I32 }]);
            b.push(GLOBAL_GET);
            leb::write_u32(&mut b, mb);
            address_const(&mut b, flag, wide);
            b.extend([address_add(wide), LOCAL_SET, 0]);
        }
        _ => b.push(0), // no locals
    }
    if let Some(flag) = flag {
        b.extend([BLOCK, BLOCK_TYPE_EMPTY, BLOCK, BLOCK_TYPE_EMPTY, BLOCK, BLOCK_TYPE_EMPTY]);
        flag_address(&mut b, flag);
        i32_const(&mut b, 0);
        i32_const(&mut b, 1);
        atomic(&mut b, I32_ATOMIC_RMW_CMPXCHG);
        b.extend([BR_TABLE, 2, 0, 1, 2, END]);
    }
    for (seg, index) in layout.segments.iter().zip(&indices) {
        if seg.init_by_start {
            init_segment(&mut b, seg, *index, flag.is_some(), merged, memory_base, wide);
        }
    }
    if let Some(flag) = flag {
        flag_address(&mut b, flag);
        i32_const(&mut b, 2);
        atomic(&mut b, I32_ATOMIC_STORE);
        flag_address(&mut b, flag);
        i32_const(&mut b, -1);
        atomic(&mut b, ATOMIC_NOTIFY);
        b.extend([DROP, BR, 1, END]);
        flag_address(&mut b, flag);
        i32_const(&mut b, 1);
        b.push(I64_CONST);
        leb::write_i64(&mut b, -1);
        atomic(&mut b, ATOMIC_WAIT32);
        b.extend([DROP, END]);
    }
    for (seg, index) in layout.segments.iter().zip(&indices) {
        let keep_for_threads = flag.is_some() && seg.is_tls;
        if let (true, false, false, Some(i)) = (seg.init_by_start, seg.is_bss, keep_for_threads, index) {
            misc(&mut b, DATA_DROP);
            leb::write_u32(&mut b, *i);
        }
    }
    b.push(END);
    b
}

/// Copies one segment into place (or zeroes `.bss`); the `.tdata` copy
/// with shared memory is the main thread's TLS block, so `__tls_base` is
/// pointed at it. With `memory_base`, addresses are relative to it. In a
/// 64-bit memory (`wide`) the destination and the `memory.fill` length are
/// i64; `memory.init`'s source offset and length stay i32.
fn init_segment(
    b: &mut Vec<u8>,
    seg: &OutputSegment,
    index: Option<u32>,
    shared: bool,
    merged: &MergedModule,
    memory_base: Option<u32>,
    wide: bool,
) {
    address_const(b, seg.address, wide);
    if let Some(mb) = memory_base {
        b.push(GLOBAL_GET);
        leb::write_u32(b, mb);
        b.push(address_add(wide));
    }
    if shared && seg.is_tls {
        match memory_base {
            Some(_) => b.extend([LOCAL_TEE, 1]),
            None => address_const(b, seg.address, wide),
        }
        b.push(GLOBAL_SET);
        leb::write_u32(b, tls_base_index(merged));
        if memory_base.is_some() {
            b.extend([LOCAL_GET, 1]);
        }
    }
    match index {
        Some(i) if !seg.is_bss => {
            i32_const(b, 0);
            i32_const(b, seg.size as i64);
            misc(b, MEMORY_INIT);
            leb::write_u32(b, i);
            b.push(0);
        }
        _ => {
            i32_const(b, 0);
            address_const(b, seg.size, wide);
            misc(b, MEMORY_FILL);
            b.push(0);
        }
    }
}

/// `__wasm_init_tls(ptr)` (without its size prefix): `__tls_base = ptr`,
/// the `.tdata` image copied to `ptr`, then `__wasm_apply_tls_relocs`.
pub fn init_tls_body(layout: &Layout, merged: &MergedModule) -> Vec<u8> {
    let mut b = vec![0u8]; // no locals
    let indices = data_indices(layout);
    let tls = layout.segments.iter().zip(&indices).find(|(s, _)| s.name == ".tdata");
    if let Some((seg, Some(index))) = tls {
        b.extend([LOCAL_GET, 0, GLOBAL_SET]);
        leb::write_u32(&mut b, tls_base_index(merged));
        b.extend([LOCAL_GET, 0]);
        i32_const(&mut b, 0);
        i32_const(&mut b, seg.size as i64);
        misc(&mut b, MEMORY_INIT);
        leb::write_u32(&mut b, *index);
        b.push(0);
    }
    for f in [merged.apply_tls_relocs, merged.apply_global_tls_relocs].into_iter().flatten() {
        b.push(CALL);
        leb::write_u32(&mut b, f.0);
    }
    b.push(END);
    b
}

/// `__wasm_apply_tls_relocs` (without its size prefix): in a static link
/// every `.tdata` relocation is applied at link time, so it does nothing.
pub fn apply_tls_relocs_body() -> Vec<u8> {
    vec![0, END]
}
