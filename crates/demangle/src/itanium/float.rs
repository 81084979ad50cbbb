//! Floating-point literals (`Lf...E`, `Ld...E`, `Le...E`): the mangled hex
//! digits are the value's bytes, most significant first; LLVM prints the
//! value with the C library's `%a` (glibc's output is reproduced here,
//! as on the x86-64 Linux hosts wasm-ld runs on).

use super::ast::FloatKind;

/// Appends the literal `data` of type `kind` to `out`.
pub fn print(kind: FloatKind, data: &[u8], out: &mut Vec<u8>) {
    let bits = data.iter().fold(0u128, |acc, &c| (acc << 4) | hex_value(c) as u128);
    match kind {
        FloatKind::Float => {
            hex_double(f64::from(f32::from_bits(bits as u32)), out);
            out.push(b'f');
        }
        FloatKind::Double => hex_double(f64::from_bits(bits as u64), out),
        FloatKind::LongDouble => {
            hex_x87((bits >> 64) as u16, bits as u64, out);
            out.push(b'L');
        }
    }
}

fn hex_value(c: u8) -> u8 {
    if c.is_ascii_digit() {
        c - b'0'
    } else {
        c.wrapping_sub(b'a').wrapping_add(10)
    }
}

/// `digits` hex digits of `value` (most significant first) with trailing
/// zeros removed.
fn fraction(value: u64, digits: u32, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text: Vec<u8> = (0..digits).rev().map(|i| HEX[((value >> (4 * i)) & 15) as usize]).collect();
    while text.last() == Some(&b'0') {
        text.pop();
    }
    if !text.is_empty() {
        out.push(b'.');
        out.extend_from_slice(&text);
    }
}

fn exponent(e: i32, out: &mut Vec<u8>) {
    out.push(b'p');
    out.extend_from_slice(format!("{e:+}").as_bytes());
}

/// glibc's `%a` for a double.
fn hex_double(v: f64, out: &mut Vec<u8>) {
    if v.is_sign_negative() {
        out.push(b'-');
    }
    if v.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(b"inf");
        return;
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = bits & ((1 << 52) - 1);
    if biased == 0 && mantissa == 0 {
        out.extend_from_slice(b"0x0p+0");
        return;
    }
    let (lead, exp) = if biased == 0 { (b'0', -1022) } else { (b'1', biased - 1023) };
    out.extend_from_slice(b"0x");
    out.push(lead);
    fraction(mantissa, 13, out);
    exponent(exp, out);
}

/// glibc's `%La` for an x87 80-bit long double: the first hex digit holds
/// the top four bits of the 64-bit significand.
fn hex_x87(sign_exp: u16, mantissa: u64, out: &mut Vec<u8>) {
    if sign_exp & 0x8000 != 0 {
        out.push(b'-');
    }
    let biased = (sign_exp & 0x7fff) as i32;
    if biased == 0x7fff {
        let nan = mantissa << 1 != 0;
        out.extend_from_slice(if nan { b"nan" } else { b"inf" });
        return;
    }
    if biased == 0 && mantissa == 0 {
        out.extend_from_slice(b"0x0p+0");
        return;
    }
    let exp = if biased == 0 { 1 - 16383 } else { biased - 16383 };
    out.extend_from_slice(b"0x");
    out.push(b"0123456789abcdef"[(mantissa >> 60) as usize]);
    fraction(mantissa & ((1 << 60) - 1), 15, out);
    exponent(exp - 3, out);
}
