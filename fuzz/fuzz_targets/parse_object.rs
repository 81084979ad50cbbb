//! `object_parse::parse_object` over arbitrary bytes: must never panic, and a
//! failure must name an offset inside the input and be one line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use object_parse::{parse_object, SymbolKind};

fuzz_target!(|data: &[u8]| {
    match parse_object(data, "fuzz.o") {
        Ok(obj) => {
            // The accessors later stages use on whatever the parser accepted.
            for s in &obj.linking.symbols {
                let _ = obj.symbol_import(s);
                match s.kind {
                    SymbolKind::Function(i) => {
                        let _ = obj.function_signature(i);
                    }
                    SymbolKind::Global(i) => {
                        let _ = obj.global_type(i);
                    }
                    SymbolKind::Table(i) => {
                        let _ = obj.table_type(i);
                    }
                    _ => {}
                }
            }
            for f in &obj.functions {
                assert!(f.relocs.end <= obj.code_relocs.len());
                assert!(f.size_prefix_len as usize <= f.chunk.len());
            }
            for s in &obj.segments {
                assert!(s.relocs.end <= obj.data_relocs.len());
            }
        }
        Err(e) => {
            assert!(
                e.offset <= data.len(),
                "error offset 0x{:x} past the end of a {}-byte input: {e}",
                e.offset,
                data.len()
            );
            let shown = e.to_string();
            assert!(!shown.contains('\n') && !shown.contains('\r'), "multi-line error: {shown:?}");
            assert!(!e.kind.to_string().is_empty(), "empty error message at 0x{:x}", e.offset);
        }
    }
});
