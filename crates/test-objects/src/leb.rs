//! Padded LEB128 encoders: relocated fields in objects are written at their
//! full width (5 bytes for 32-bit fields) so the linker can patch them in
//! place.

/// `value` as a 5-byte padded unsigned LEB128.
pub fn padded_u32(value: u32) -> [u8; 5] {
    let mut out = [0u8; 5];
    let mut v = value;
    for (i, b) in out.iter_mut().enumerate() {
        *b = (v & 0x7f) as u8;
        v >>= 7;
        if i < 4 {
            *b |= 0x80;
        }
    }
    out
}

/// `value` as a 5-byte padded signed LEB128.
pub fn padded_i32(value: i32) -> [u8; 5] {
    let mut out = [0u8; 5];
    let mut v = value as i64;
    for (i, b) in out.iter_mut().enumerate() {
        *b = (v & 0x7f) as u8;
        v >>= 7;
        if i < 4 {
            *b |= 0x80;
        }
    }
    out
}

/// Appends `value` as a minimal unsigned LEB128.
pub fn write_u32(out: &mut Vec<u8>, value: u32) {
    wasm_encoder::Encode::encode(&value, out);
}

/// Appends `value` as a minimal signed LEB128.
pub fn write_i64(out: &mut Vec<u8>, value: i64) {
    wasm_encoder::Encode::encode(&value, out);
}

/// Appends a length-prefixed UTF-8 string.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    wasm_encoder::Encode::encode(s, out);
}
