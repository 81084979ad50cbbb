//! Arbitrary input never panics, overflows the stack or runs away: every
//! prefix and many one-byte mutations of real mangled names, deeply nested
//! names, and names whose demangling doubles in size with each parameter.

use std::time::{Duration, Instant};

/// Real names (from libc++ and hand-written ones) to mutate.
const SEEDS: &[&str] = &[
    "_ZNSt3__212basic_stringIcNS_11char_traitsIcEENS_9allocatorIcEEE6appendEPKcm",
    "_ZNSt3__210__function13__policy_funcIFdRKN4gen05ShapeEEEC2B8nn190107IZ14cppgen_entry_0iE3$_1TnNS_9enable_ifIXntsr7is_sameIu7__decayIT_ES7_EE5valueEiE4typeELi0EEEOSB_",
    "_ZNKSt3__211__copy_implINS_17_ClassicAlgPolicyEEclB8nn190107IiiTnNS_9enable_ifIXsr38__can_lower_copy_assignment_to_memmoveIT_T0_EE5valueEiE4typeELi0EEENS_4pairIPS5_PS6_EESA_SA_SB_",
    "_ZN1AcvPT_IiEEv",
    "_ZZN1A1fEvENKUlvE0_clEv",
    "_Z1fIJidEEvDpT_",
    "_Z1gDTcl1hIXcvigtLi1ELi0EEEgtLi1ELi0EEE",
    "_ZTv0_n12_N1B1fEv",
    "_ZTCN1D0_1BE",
    "_Z1fILd3ff0000000000000EEvv",
    "_ZNK1AIiE1fIJcdEEEvDpRKT_",
    "_Z1fIZ1gvEUlT_E_EvS0_",
    "_Z1fIiEvT_Q1CIS0_E",
    "___Z3fooi_block_invoke_2",
    "_ZN4core3fmt5write17h0123456789abcdefE",
];

/// Bytes substituted into the seeds: the grammar's letters, digits, and
/// bytes that are never valid.
const MUTATIONS: &[u8] = b"_0159ENSIJLXTZDpPRKOvifdc\x00\xff";

fn check(name: &[u8]) {
    let text = String::from_utf8_lossy(name);
    let _ = demangle::demangle(&text);
}

#[test]
fn prefixes_and_mutations_of_real_names_never_panic() {
    for seed in SEEDS {
        let bytes = seed.as_bytes();
        for end in 0..=bytes.len() {
            check(&bytes[..end]);
        }
        for i in 0..bytes.len() {
            for &m in MUTATIONS {
                let mut mutated = bytes.to_vec();
                mutated[i] = m;
                check(&mutated);
            }
            let mut deleted = bytes.to_vec();
            deleted.remove(i);
            check(&deleted);
            let mut doubled = bytes.to_vec();
            doubled.insert(i, bytes[i]);
            check(&doubled);
        }
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = [
        format!("_Z1f{}v", "P".repeat(100_000)),
        format!("_Z1f{}v", "PFvPFv".repeat(20_000)),
        format!("_Z{}", "Z".repeat(100_000)),
        format!("_Z1fI{}", "I".repeat(100_000)),
        format!("_ZN{}E", "1aIX".repeat(20_000)),
        format!("_Z1fIX{}Li1EEEv", "pl".repeat(50_000)),
        format!("_Z1fA{}_i", "A".repeat(100_000)),
        format!("_ZN{}1aEv", "Z1fvE".repeat(20_000)),
        format!("_Z1f{}i", "Dp".repeat(50_000)),
    ];
    for name in &deep {
        // A demangled text (if LLVM's limits would allow one) or none; no crash.
        let _ = demangle::demangle(name);
    }
    // Shallow to parse, deep to print: each pointer points at the previous.
    let mut chain = String::from("_Z1fPi");
    for k in 0..5_000 {
        chain.push_str(&if k == 0 { "PS_".to_string() } else { format!("PS{}_", base36(k - 1)) });
    }
    let _ = demangle::demangle(&chain);
    // A long but shallow name still demangles.
    let wide = format!("_Z1f{}", "i".repeat(10_000));
    assert!(demangle::demangle(&wide).starts_with("f(int, int, "));
}

fn base36(mut k: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[k % 36]);
        k /= 36;
        if k == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap()
}

/// `_Z1f` then types `A<A, A>`, `B<A<A, A>, A<A, A>>`, ...: each refers
/// twice to the previous one, so the text doubles with each type.
fn doubling_name(levels: usize) -> String {
    fn seq_id(n: usize) -> String {
        if n == 0 {
            "S_".to_string()
        } else {
            format!("S{}_", base36(n - 1))
        }
    }
    let mut name = String::from("_Z1f1A");
    // Substitutions so far: 0 = A. Each level adds the template name and
    // the instance.
    let mut previous = 0;
    for level in 0..levels {
        let template = previous + 1;
        name.push_str(&format!("1{}I{}{}E", (b'B' + (level % 24) as u8) as char, seq_id(previous), seq_id(previous)));
        previous = template + 1;
    }
    name
}

#[test]
fn exponential_output_is_bounded() {
    let small = doubling_name(2);
    assert_eq!(demangle::demangle(&small), "f(A, B<A, A>, C<B<A, A>, B<A, A>>)");
    let start = Instant::now();
    let huge = doubling_name(40);
    let shown = demangle::demangle(&huge);
    assert_eq!(shown, huge, "a text of 2^40 bytes is not produced");
    assert!(start.elapsed() < Duration::from_secs(20), "gave up in {:?}", start.elapsed());
}
