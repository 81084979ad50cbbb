//! `object_parse::archive::parse_archive` over arbitrary bytes, then every
//! member it yields through `parse_member` (and, for a thin archive,
//! `thin_member_paths`): must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use object_parse::{archive::parse_archive, parse_member, MemberContent};

fuzz_target!(|data: &[u8]| {
    // Thin archives: only the member paths are read from the archive.
    if object_parse::archive::is_thin_archive(data) {
        if let Err(e) = object_parse::archive::thin_member_paths(data) {
            assert!(
                e.offset <= data.len(),
                "thin archive error offset 0x{:x} past the end of a {}-byte input: {}",
                e.offset,
                data.len(),
                e.kind
            );
        }
    }
    match parse_archive(data) {
        Ok(a) => {
            if let Some(ix) = &a.symbol_index {
                for (_, m) in ix {
                    assert!(
                        (m.0 as usize) < a.members.len(),
                        "symbol index names member {} of {}",
                        m.0,
                        a.members.len()
                    );
                }
            }
            for m in &a.members {
                assert!(m.data_offset + m.data.len() <= data.len());
                match parse_member("fuzz.a", m) {
                    Ok(MemberContent::Object(o)) => {
                        let _ = o.linking.symbols.len();
                    }
                    Ok(MemberContent::NotRelocatable) => {}
                    Err(e) => {
                        assert!(
                            e.offset <= m.data.len(),
                            "member error offset 0x{:x} past the end of a {}-byte member: {e}",
                            e.offset,
                            m.data.len()
                        );
                        assert!(e.file.starts_with("fuzz.a("), "member error does not name the archive: {e}");
                        let shown = e.to_string();
                        assert!(!shown.contains('\n') && !shown.contains('\r'), "multi-line error: {shown:?}");
                    }
                }
            }
        }
        Err(e) => {
            assert!(
                e.offset <= data.len(),
                "error offset 0x{:x} past the end of a {}-byte input: {}",
                e.offset,
                data.len(),
                e.kind
            );
            let shown = e.clone().in_file("fuzz.a").to_string();
            assert!(!shown.contains('\n') && !shown.contains('\r'), "multi-line error: {shown:?}");
        }
    }
});
