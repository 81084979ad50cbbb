//! Relocation values and in-place patching at fixed width.

use crate::{EmitError, PatchError, UnresolvableTarget};
use atom_layout::Layout;
use object_parse::{FieldEncoding, Reloc, RelocType};
use section_merge::MergedModule;
use symbol_resolve::{FuncRef, ObjectId, RelocTypeExt, Resolution, SyntheticFunc, Target};
use type_dedup::TypeTable;

/// Everything needed to compute relocation values.
pub struct RelocContext<'r, 'a> {
    /// Resolution.
    pub res: &'r Resolution<'a>,
    /// Layout.
    pub layout: &'r Layout,
    /// Merged index spaces.
    pub merged: &'r MergedModule,
    /// Types.
    pub types: &'r TypeTable,
    /// Per object, per defined function: offset of the body (after its size
    /// prefix) within the output code section payload.
    pub code_offsets: &'r [Vec<Option<u64>>],
    /// Per object, per custom section: offset of that object's piece within
    /// its output custom section.
    pub custom_offsets: &'r [Vec<Option<u64>>],
    /// Pieces of custom sections whose strings were merged: where each
    /// string went.
    pub custom_strings: &'r rustc_hash::FxHashMap<(ObjectId, u32), atom_layout::StringPieces>,
}

/// Where the patched bytes live, for LOCREL and tombstones.
#[derive(Clone, Copy)]
pub enum Site<'s> {
    /// Inside a function body.
    Code,
    /// Inside a data segment placed at `address` (address of the segment's
    /// first byte).
    Data { address: u64 },
    /// Inside custom section `name`.
    Custom { name: &'s str },
}

/// A thread-local segment: flagged TLS, or named `.tdata*`/`.tbss*` (older
/// LLVM didn't set the flag).
fn is_tls_segment(seg: &object_parse::DataSegment<'_>) -> bool {
    seg.info.flags & object_parse::segment_flags::TLS != 0
        || seg.info.name.starts_with(".tdata")
        || seg.info.name.starts_with(".tbss")
}

fn tombstone(site: Site<'_>) -> Option<u64> {
    match site {
        Site::Custom { name } if name == ".debug_ranges" || name == ".debug_loc" => Some(u64::MAX - 1),
        Site::Custom { name } if name.starts_with(".debug_") || name.starts_with("llvm.func_attr.") => Some(u64::MAX),
        _ => None,
    }
}

impl RelocContext<'_, '_> {
    /// `R_WASM_FUNCTION_OFFSET_*`'s value: where the body of defined
    /// function `index` of `obj` starts in the output code section, plus
    /// `addend`; `None` when the function is not in the output.
    #[inline]
    fn function_offset(&self, obj: ObjectId, index: usize, addend: u64) -> Option<u64> {
        let start = (*self.code_offsets.get(obj.0 as usize)?.get(index)?)?;
        Some(start.wrapping_add(addend))
    }

    /// `R_WASM_SECTION_OFFSET_I32`'s value: where byte `addend` of custom
    /// section `custom` of `obj` went in its output section (through the
    /// string map when the section's strings were merged); `None` when the
    /// section is not in the output.
    #[inline]
    fn section_offset(&self, obj: ObjectId, custom: u32, addend: u64) -> Option<u64> {
        let start = (*self.custom_offsets.get(obj.0 as usize)?.get(custom as usize)?)?;
        Some(match self.custom_strings.get(&(obj, custom)) {
            Some(strings) => start + atom_layout::map_offset(strings, addend),
            None => start.wrapping_add(addend),
        })
    }

    /// The 32-bit value of relocation `r` of a custom section of `obj`, for
    /// the three kinds DWARF is made of (section offsets, function offsets,
    /// memory addresses) when their target is in the output and needs no
    /// special treatment (no GOT import, no TLS block). `None` leaves `r` to
    /// [`RelocContext::value`], which handles everything (tombstones
    /// included); where both answer, they give the same value. This is the
    /// path of the millions of relocations of a debug build.
    #[inline]
    pub fn debug_value_i32(&self, obj: ObjectId, r: &Reloc) -> Option<u32> {
        if self.res.is_got_imported(obj, r.index) {
            return None;
        }
        let target = self.res.targets.get(obj.0 as usize)?.get(r.index as usize)?;
        let addend = r.addend as u64;
        let value = match (r.ty, target) {
            (RelocType::SectionOffsetI32, Target::Section { obj, custom }) => {
                self.section_offset(*obj, *custom, addend)?
            }
            (RelocType::FunctionOffsetI32, Target::Function(FuncRef::Defined { obj, index })) => {
                self.function_offset(*obj, index.index(), addend)?
            }
            (RelocType::MemoryAddrI32, Target::Data(d)) if self.layout.tls.is_none() => {
                self.layout.data_address(d)?.wrapping_add(addend)
            }
            _ => return None,
        };
        // An I32 field keeps the low 32 bits, as `patch` writes it.
        Some(value as u32)
    }

    /// Whether `target` is data in a thread-local segment.
    fn is_tls_data(&self, target: &Target) -> bool {
        let Target::Data(symbol_resolve::DataRef::Defined { obj, segment, .. }) = target else { return false };
        self.res.objects[obj.0 as usize].segments.get(segment.index()).is_some_and(is_tls_segment)
    }

    /// Whether symbol `index` of `obj` is thread-local: flagged so, or
    /// defined in a `.tdata`/`.tbss` segment.
    fn is_tls_symbol(&self, obj: &object_parse::ObjectFile<'_>, index: u32) -> bool {
        let Some(sym) = obj.linking.symbols.get(index as usize) else { return false };
        if sym.flags & object_parse::flags::TLS != 0 {
            return true;
        }
        let object_parse::SymbolKind::Data(Some(d)) = sym.kind else { return false };
        obj.segments.get(d.segment.index()).is_some_and(is_tls_segment)
    }

    /// The value to store for relocation `r` of object `obj`; `rel_offset`
    /// is the field's offset relative to the start of the atom.
    pub fn value(&self, obj: ObjectId, r: &Reloc, site: Site<'_>, rel_offset: u64) -> Result<u64, EmitError> {
        let o = obj.0 as usize;
        let objf = &self.res.objects[o];
        let bad = |target: UnresolvableTarget| EmitError::UnresolvableRelocation {
            file: objf.name.clone(),
            ty: r.ty,
            offset: r.offset,
            target,
        };
        if r.ty == RelocType::TypeIndexLeb {
            return self.types.object_types[o]
                .get(r.index as usize)
                .copied()
                .flatten()
                .map(u64::from)
                .ok_or_else(|| bad(UnresolvableTarget::UnregisteredType));
        }
        let target = &self.res.targets[o][r.index as usize];
        let addend = r.addend as u64;
        use RelocType::*;
        let dead = || tombstone(site).map(Ok).unwrap_or(Ok(addend));
        if self.res.is_got_imported(obj, r.index) {
            // Only the loader knows this symbol's address or slot: code
            // reads its GOT import; data is patched at start
            // (`__wasm_apply_data_relocs`) and holds 0 until then.
            return match r.ty {
                GlobalIndexLeb | GlobalIndexI32 => {
                    let name = objf.linking.symbols.get(r.index as usize).map_or("", |s| s.name);
                    match self.merged.got_import_index.get(name) {
                        Some(i) => Ok(u64::from(i.0)),
                        None if matches!(site, Site::Custom { .. }) => dead(),
                        None => Err(bad(UnresolvableTarget::MissingGlobal)),
                    }
                }
                FunctionIndexLeb | FunctionIndexI32 => match target {
                    Target::Function(f) => self.merged.func(f).map(|i| u64::from(i.0)).map_or_else(dead, Ok),
                    _ => dead(),
                },
                _ if r.ty.is_table_index() => Ok(0),
                _ => match target {
                    Target::Data(d) if !matches!(d, symbol_resolve::DataRef::Dynamic(_)) => {
                        Ok(self.layout.data_address(d).map_or(addend, |a| a.wrapping_add(addend)))
                    }
                    _ => Ok(0),
                },
            };
        }
        match r.ty {
            FunctionIndexLeb | FunctionIndexI32 => match target {
                Target::Function(f) => match self.merged.func(f) {
                    Some(i) => Ok(u64::from(i.0)),
                    None => dead(),
                },
                _ => dead(),
            },
            TableIndexSleb | TableIndexI32 | TableIndexSleb64 | TableIndexI64 | TableIndexRelSleb
            | TableIndexRelSleb64 => match target {
                Target::Function(FuncRef::Synthetic(SyntheticFunc::Stub(id)))
                    if self.res.stubs[id.0 as usize].kind.is_null_in_table() =>
                {
                    Ok(0)
                }
                Target::Function(f) => match self.layout.table.slot_of.get(f) {
                    Some(&s) => Ok(if matches!(r.ty, TableIndexRelSleb | TableIndexRelSleb64) {
                        (s - self.layout.table.base) as u64
                    } else {
                        s as u64
                    }),
                    None => dead(),
                },
                _ => dead(),
            },
            MemoryAddrLeb | MemoryAddrSleb | MemoryAddrI32 | MemoryAddrLeb64 | MemoryAddrSleb64 | MemoryAddrI64
            | MemoryAddrRelSleb | MemoryAddrRelSleb64 | MemoryAddrLocrelI32 | MemoryAddrTlsSleb
            | MemoryAddrTlsSleb64 => {
                let address = match target {
                    Target::Data(d) => self.layout.data_address(d),
                    _ => None,
                };
                let Some(address) = address else { return dead() };
                let mut v = address.wrapping_add(addend);
                if matches!(r.ty.encoding(), FieldEncoding::Uleb32 | FieldEncoding::Sleb32 | FieldEncoding::I32) {
                    // A 32-bit address wraps, as in wasm-ld (`foo - 2048`
                    // near address 0).
                    v = u64::from(v as u32);
                }
                Ok(match r.ty {
                    MemoryAddrLocrelI32 => match site {
                        Site::Data { address: seg } => v.wrapping_sub(seg + rel_offset),
                        _ => return Err(bad(UnresolvableTarget::LocrelOutsideData)),
                    },
                    MemoryAddrTlsSleb | MemoryAddrTlsSleb64 => {
                        let base =
                            self.layout.tls.map(|t| t.0).ok_or_else(|| bad(UnresolvableTarget::TlsWithoutSegment))?;
                        v.wrapping_sub(base)
                    }
                    // A thread-local symbol's address is its offset in the
                    // TLS block, whatever the relocation, as in wasm-ld.
                    // (Checked only when the output has a TLS block: this is
                    // on the path of every address relocation, DWARF's too.)
                    _ if self.layout.tls.is_some()
                        && (self.is_tls_symbol(objf, r.index) || self.is_tls_data(target)) =>
                    {
                        v.wrapping_sub(self.layout.tls.map_or(0, |t| t.0))
                    }
                    _ => v,
                })
            }
            GlobalIndexLeb | GlobalIndexI32 => match target {
                Target::Global(g) => match self.merged.global(g) {
                    Some(i) => Ok(u64::from(i.0)),
                    None if matches!(site, Site::Custom { .. }) => dead(),
                    None => Err(bad(UnresolvableTarget::MissingGlobal)),
                },
                // A GOT entry: the global holding the address or slot.
                Target::Function(_) | Target::Data(_) => match self.merged.got_index.get(target) {
                    Some(i) => Ok(u64::from(i.0)),
                    None if matches!(site, Site::Custom { .. }) => dead(),
                    None => Err(bad(UnresolvableTarget::MissingGlobal)),
                },
                _ => dead(),
            },
            TagIndexLeb => match target {
                Target::Tag(t) => match self.merged.tag(t) {
                    Some(i) => Ok(i as u64),
                    None if matches!(site, Site::Custom { .. }) => dead(),
                    None => Err(bad(UnresolvableTarget::MissingTag)),
                },
                _ => dead(),
            },
            TableNumberLeb | Reserved27 => match target {
                Target::Table(t) => match self.merged.table(t) {
                    Some(i) => Ok(i as u64),
                    None if matches!(site, Site::Custom { .. }) => dead(),
                    None => Err(bad(UnresolvableTarget::MissingTable)),
                },
                _ => dead(),
            },
            FunctionOffsetI32 | FunctionOffsetI64 => match target {
                Target::Function(FuncRef::Defined { obj, index }) => {
                    self.function_offset(*obj, index.index(), addend).map_or_else(dead, Ok)
                }
                _ => dead(),
            },
            SectionOffsetI32 => match target {
                // A section the output does not keep: the addend alone.
                Target::Section { obj, custom } => Ok(self.section_offset(*obj, *custom, addend).unwrap_or(addend)),
                _ => dead(),
            },
            TypeIndexLeb => unreachable!("handled above"),
        }
    }
}

/// Writes `value` into `buf` (which starts at the field) with the field's
/// fixed width. Fails if the value does not fit.
pub fn patch(buf: &mut [u8], enc: FieldEncoding, value: u64) -> Result<(), PatchError> {
    let w = enc.width();
    let field = buf.get_mut(..w).ok_or(PatchError::FieldPastEnd)?;
    match enc {
        FieldEncoding::Uleb32 => {
            if value > u32::MAX as u64 {
                return Err(PatchError::TooLargeForUleb32(value));
            }
            write_padded_uleb(field, value);
        }
        FieldEncoding::Uleb64 => write_padded_uleb(field, value),
        FieldEncoding::Sleb32 => {
            let v = value as i64;
            let v32 = if (v as i32) as i64 == v || value <= u32::MAX as u64 {
                value as u32 as i32 as i64
            } else {
                return Err(PatchError::TooLargeForSleb32(value));
            };
            write_padded_sleb(field, v32);
        }
        FieldEncoding::Sleb64 => write_padded_sleb(field, value as i64),
        FieldEncoding::I32 => field.copy_from_slice(&(value as u32).to_le_bytes()),
        FieldEncoding::I64 => field.copy_from_slice(&value.to_le_bytes()),
    }
    Ok(())
}

fn write_padded_uleb(field: &mut [u8], mut v: u64) {
    let n = field.len();
    for (i, b) in field.iter_mut().enumerate() {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        *b = if i + 1 < n { byte | 0x80 } else { byte };
    }
}

fn write_padded_sleb(field: &mut [u8], mut v: i64) {
    let n = field.len();
    for (i, b) in field.iter_mut().enumerate() {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        *b = if i + 1 < n { byte | 0x80 } else { byte & 0x7f };
    }
}

/// Applies `relocs` to `atom`, whose first byte is at section offset
/// `atom_offset` in the input.
pub fn apply(
    ctx: &RelocContext<'_, '_>,
    obj: ObjectId,
    atom: &mut [u8],
    atom_offset: u32,
    relocs: &[Reloc],
    site: Site<'_>,
) -> Result<(), EmitError> {
    relocs.iter().try_for_each(|r| apply_one(ctx, obj, atom, atom_offset, r, site))
}

/// Patches one relocation of [`apply`].
#[inline]
pub fn apply_one(
    ctx: &RelocContext<'_, '_>,
    obj: ObjectId,
    atom: &mut [u8],
    atom_offset: u32,
    r: &Reloc,
    site: Site<'_>,
) -> Result<(), EmitError> {
    let rel = (r.offset - atom_offset) as usize;
    let v = ctx.value(obj, r, site, rel as u64)?;
    patch(&mut atom[rel..], r.ty.encoding(), v).map_err(|problem| EmitError::PatchFailed {
        file: ctx.res.objects[obj.0 as usize].name.clone(),
        ty: r.ty,
        offset: r.offset,
        problem,
    })
}
