//! The sections of an output that keeps its relocations (`-r`,
//! `--emit-relocs`): `linking` (version 2: symbol table, segment info, init
//! functions, COMDATs) and `reloc.CODE`, `reloc.DATA`, `reloc.<custom>`,
//! whose entries are the inputs' relocations moved to output offsets, with
//! output symbol (or type) indices.

use crate::{leb, EmitError};
use atom_layout::{Layout, OutputSegment};
use object_parse::{flags, ComdatKind, ObjectFile, Reloc, RelocType, SegmentIdx, SymbolKind};
use section_merge::{MergedModule, OutputFunction};
use std::collections::{BTreeMap, HashMap};
use symbol_resolve::table::Kind;
use symbol_resolve::{DataRef, ObjectId, OutputSymbol, OutputSymbols, Resolution, Target};
use type_dedup::TypeTable;

/// Where the relocated sections of the output are: their section indices
/// and the offsets of each input piece in them.
pub(crate) struct Placement<'p> {
    /// Index of the code section, when there is one.
    pub code_section: Option<u32>,
    /// Index of the data section, when there is one.
    pub data_section: Option<u32>,
    /// Index of each output custom section, in [`Self::customs`] order.
    pub custom_sections: Vec<u32>,
    /// Per object, per defined function: its body's offset in the code
    /// payload (after the size prefix).
    pub code_offsets: &'p [Vec<Option<u64>>],
    /// The data section's segments, in order.
    pub segments: &'p [&'p OutputSegment],
    /// Offset of each of `segments` in the data payload.
    pub segment_offsets: Vec<u64>,
    /// The output custom sections: name and pieces.
    pub customs: &'p indexmap::IndexMap<String, Vec<(ObjectId, u32)>>,
    /// Per object, per custom section: offset of its piece.
    pub custom_offsets: &'p [Vec<Option<u64>>],
}

/// Symbol kind codes of the `linking` symbol table.
fn kind_code(kind: Kind) -> u8 {
    match kind {
        Kind::Function => 0,
        Kind::Data => 1,
        Kind::Global => 2,
        Kind::Tag => 4,
        Kind::Table => 5,
    }
}

const SYMTAB_SECTION: u8 = 3;
const SUB_SEGMENT_INFO: u8 = 5;
const SUB_INIT_FUNCS: u8 = 6;
const SUB_COMDAT_INFO: u8 = 7;
const SUB_SYMBOL_TABLE: u8 = 8;
const LINKING_VERSION: u32 = 2;

fn write_name(out: &mut Vec<u8>, s: &str) {
    leb::write_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn subsection(out: &mut Vec<u8>, id: u8, body: Vec<u8>) {
    out.push(id);
    leb::write_u32(out, body.len() as u32);
    out.extend(body);
}

/// Everything the linking and reloc sections are computed from.
pub(crate) struct Inputs<'r, 'a> {
    pub res: &'r Resolution<'a>,
    pub layout: &'r Layout,
    pub merged: &'r MergedModule,
    pub types: &'r TypeTable,
    pub symtab: &'r OutputSymbols,
    pub place: Placement<'r>,
}

impl Inputs<'_, '_> {
    /// The `linking` section followed by the `reloc.*` sections, as (name,
    /// payload), in wasm-ld's order.
    pub(crate) fn sections(&self) -> Result<Vec<(String, Vec<u8>)>, EmitError> {
        let mut out = vec![("linking".to_string(), self.linking()?)];
        out.extend(self.reloc_sections()?);
        Ok(out)
    }

    /// Output segment index and offset in it of each live input segment.
    fn segment_places(&self) -> HashMap<(ObjectId, SegmentIdx), (u32, u64)> {
        let mut map = HashMap::new();
        for (i, seg) in self.place.segments.iter().enumerate() {
            for p in &seg.pieces {
                map.insert((p.obj, p.segment), (i as u32, p.offset));
            }
        }
        map
    }

    fn object(&self, obj: ObjectId) -> &ObjectFile<'_> {
        &self.res.objects[obj.0 as usize]
    }

    /// The `linking` payload.
    fn linking(&self) -> Result<Vec<u8>, EmitError> {
        let mut out = Vec::new();
        leb::write_u32(&mut out, LINKING_VERSION);
        let symbols = self.symbol_table()?;
        subsection(&mut out, SUB_SYMBOL_TABLE, symbols);
        if !self.place.segments.is_empty() {
            subsection(&mut out, SUB_SEGMENT_INFO, self.segment_info());
        }
        if !self.symtab.init_funcs.is_empty() {
            let mut body = Vec::new();
            leb::write_u32(&mut body, self.symtab.init_funcs.len() as u32);
            for &(priority, symbol) in &self.symtab.init_funcs {
                leb::write_u32(&mut body, priority);
                leb::write_u32(&mut body, symbol);
            }
            subsection(&mut out, SUB_INIT_FUNCS, body);
        }
        let comdats = self.comdats();
        if !comdats.is_empty() {
            let mut body = Vec::new();
            leb::write_u32(&mut body, comdats.len() as u32);
            for (name, entries) in comdats {
                write_name(&mut body, name);
                leb::write_u32(&mut body, 0);
                leb::write_u32(&mut body, entries.len() as u32);
                for (kind, index) in entries {
                    body.push(kind);
                    leb::write_u32(&mut body, index);
                }
            }
            subsection(&mut out, SUB_COMDAT_INFO, body);
        }
        Ok(out)
    }

    /// The symbol table subsection: the resolved symbols, then one local
    /// section symbol per output custom section.
    fn symbol_table(&self) -> Result<Vec<u8>, EmitError> {
        let places = self.segment_places();
        let mut body = Vec::new();
        leb::write_u32(&mut body, (self.symtab.symbols.len() + self.place.custom_sections.len()) as u32);
        for s in &self.symtab.symbols {
            self.write_symbol(&mut body, s, &places)?;
        }
        for &section in &self.place.custom_sections {
            body.push(SYMTAB_SECTION);
            leb::write_u32(&mut body, flags::BINDING_LOCAL);
            leb::write_u32(&mut body, section);
        }
        Ok(body)
    }

    fn write_symbol(
        &self,
        body: &mut Vec<u8>,
        s: &OutputSymbol,
        places: &HashMap<(ObjectId, SegmentIdx), (u32, u64)>,
    ) -> Result<(), EmitError> {
        let missing = || EmitError::SymbolNotInOutput(s.name.clone());
        body.push(kind_code(s.kind));
        leb::write_u32(body, s.flags);
        let index = match (&s.target, s.kind) {
            (Target::Function(f), Kind::Function) => Some(self.merged.func(f).ok_or_else(missing)?.0),
            (Target::Global(g), Kind::Global) => Some(self.merged.global(g).ok_or_else(missing)?.0),
            (Target::Table(t), Kind::Table) => Some(self.merged.table(t).ok_or_else(missing)?),
            (Target::Tag(t), Kind::Tag) => Some(self.merged.tag(t).ok_or_else(missing)?),
            (_, Kind::Data) => None,
            _ => return Err(missing()),
        };
        if let Some(index) = index {
            leb::write_u32(body, index);
            if !s.is_undefined() || s.flags & flags::EXPLICIT_NAME != 0 {
                write_name(body, &s.name);
            }
            return Ok(());
        }
        write_name(body, &s.name);
        if s.is_undefined() {
            return Ok(());
        }
        let size = match s.source.map(|(o, i)| self.object(o).linking.symbols[i.index()].kind) {
            Some(SymbolKind::Data(Some(d))) => d.size,
            _ => 0,
        };
        let (segment, offset) = match &s.target {
            Target::Data(DataRef::Defined { obj, segment, offset }) => {
                let (seg, base) = places.get(&(*obj, *segment)).copied().ok_or_else(missing)?;
                // In a merged string segment, where its string went.
                (seg, base + self.layout.offset_in_segment(*obj, *segment, *offset))
            }
            Target::Data(d) => (0, self.layout.data_address(d).unwrap_or(0)),
            _ => return Err(missing()),
        };
        leb::write_u32(body, segment);
        leb::write_u32(body, offset as u32);
        leb::write_u32(body, size as u32);
        Ok(())
    }

    /// The segment info subsection: each data segment's name, alignment
    /// and the union of its inputs' flags.
    fn segment_info(&self) -> Vec<u8> {
        let mut body = Vec::new();
        leb::write_u32(&mut body, self.place.segments.len() as u32);
        for seg in self.place.segments {
            let flags = seg.pieces.iter().fold(0, |f, p| f | self.object(p.obj).segments[p.segment.index()].info.flags);
            write_name(&mut body, &seg.name);
            leb::write_u32(&mut body, seg.align_log2);
            leb::write_u32(&mut body, flags);
        }
        body
    }

    /// The COMDAT groups of the output's functions and data segments, by
    /// name: (kind code, output index).
    fn comdats(&self) -> BTreeMap<&str, Vec<(u8, u32)>> {
        let comdat_of = |obj: ObjectId, kind: ComdatKind, index: u32| {
            let o = self.object(obj);
            o.linking.comdats.iter().find(|c| c.members.contains(&(kind, index))).map(|c| c.name)
        };
        let mut out: BTreeMap<&str, Vec<(u8, u32)>> = BTreeMap::new();
        for (k, f) in self.merged.functions.iter().enumerate() {
            if let OutputFunction::Input { obj, index } = f {
                if let Some(name) = comdat_of(*obj, ComdatKind::Function, index.0) {
                    out.entry(name).or_default().push((1, self.merged.num_imported_functions + k as u32));
                }
            }
        }
        for (i, seg) in self.place.segments.iter().enumerate() {
            if let Some(p) = seg.pieces.first() {
                if let Some(name) = comdat_of(p.obj, ComdatKind::Data, p.segment.0) {
                    out.entry(name).or_default().push((0, i as u32));
                }
            }
        }
        out
    }

    /// The `reloc.*` sections with at least one entry: code, data, then
    /// each custom section.
    fn reloc_sections(&self) -> Result<Vec<(String, Vec<u8>)>, EmitError> {
        let mut out = Vec::new();
        if let Some(section) = self.place.code_section {
            let mut entries = Entries::default();
            for f in &self.merged.functions {
                let OutputFunction::Input { obj, index } = f else { continue };
                let o = self.object(*obj);
                let func = &o.functions[index.index()];
                let body = self.place.code_offsets[obj.0 as usize][index.index()].unwrap_or(0);
                let chunk_start = body - u64::from(func.size_prefix_len);
                let shift = chunk_start as i64 - i64::from(func.section_offset);
                self.add_relocs(&mut entries, *obj, &o.code_relocs[func.relocs.clone()], shift)?;
            }
            entries.finish(&mut out, "reloc.CODE".to_string(), section);
        }
        if let Some(section) = self.place.data_section {
            let mut entries = Entries::default();
            for (seg, &start) in self.place.segments.iter().zip(&self.place.segment_offsets) {
                for p in &seg.pieces {
                    let o = self.object(p.obj);
                    let input = &o.segments[p.segment.index()];
                    let shift = (start + p.offset) as i64 - i64::from(input.section_offset);
                    self.add_relocs(&mut entries, p.obj, &o.data_relocs[input.relocs.clone()], shift)?;
                }
            }
            entries.finish(&mut out, "reloc.DATA".to_string(), section);
        }
        for ((name, pieces), &section) in self.place.customs.iter().zip(&self.place.custom_sections) {
            let mut entries = Entries::default();
            for &(obj, i) in pieces {
                let relocs = self.object(obj).custom_relocs(i as usize)?;
                let shift = self.place.custom_offsets[obj.0 as usize][i as usize].unwrap_or(0) as i64;
                self.add_relocs(&mut entries, obj, &relocs, shift)?;
            }
            entries.finish(&mut out, format!("reloc.{name}"), section);
        }
        Ok(out)
    }

    /// Appends `relocs` of object `obj`, their offsets moved by `shift`.
    /// A relocation against a symbol that is not in the output (dead code
    /// named by debug info) is left out, as wasm-ld does.
    fn add_relocs(&self, entries: &mut Entries, obj: ObjectId, relocs: &[Reloc], shift: i64) -> Result<(), EmitError> {
        for r in relocs {
            if let Some((index, addend)) = self.output_index(obj, r)? {
                entries.push(r.ty, (i64::from(r.offset) + shift) as u32, index, addend);
            }
        }
        Ok(())
    }

    /// A relocation's index in the output (output type index, or output
    /// symbol index) and its addend there: a section offset is now relative
    /// to the whole output section. `None` for a symbol not in the output.
    fn output_index(&self, obj: ObjectId, r: &Reloc) -> Result<Option<(u32, i64)>, EmitError> {
        let o = obj.0 as usize;
        let not_in_output =
            || EmitError::RelocTypeNotInOutput { file: self.res.objects[o].name.clone(), ty: r.ty, offset: r.offset };
        if r.ty == RelocType::TypeIndexLeb {
            let t = self.types.object_types[o].get(r.index as usize).copied().flatten();
            return Ok(Some((t.ok_or_else(not_in_output)?, 0)));
        }
        if let Target::Section { obj: sobj, custom } = self.res.targets[o][r.index as usize] {
            let name = self.object(sobj).customs[custom as usize].name;
            let Some(k) = self.place.customs.get_index_of(name) else { return Ok(None) };
            let piece = self.place.custom_offsets[sobj.0 as usize][custom as usize].unwrap_or(0);
            let index = self.symtab.symbols.len() + k;
            return Ok(Some((index as u32, r.addend + piece as i64)));
        }
        Ok(self.symtab.index[o].get(r.index as usize).copied().flatten().map(|index| (index, r.addend)))
    }
}

/// The entries of one `reloc.*` section being built.
#[derive(Default)]
struct Entries {
    count: u32,
    bytes: Vec<u8>,
}

impl Entries {
    fn push(&mut self, ty: RelocType, offset: u32, index: u32, addend: i64) {
        self.count += 1;
        self.bytes.push(ty as u8);
        leb::write_u32(&mut self.bytes, offset);
        leb::write_u32(&mut self.bytes, index);
        if ty.has_addend() {
            leb::write_i64(&mut self.bytes, addend);
        }
    }

    /// Adds the section `name` (for section `section`) to `out` if it has
    /// entries.
    fn finish(self, out: &mut Vec<(String, Vec<u8>)>, name: String, section: u32) {
        if self.count == 0 {
            return;
        }
        let mut payload = Vec::with_capacity(self.bytes.len() + 10);
        leb::write_u32(&mut payload, section);
        leb::write_u32(&mut payload, self.count);
        payload.extend(self.bytes);
        out.push((name, payload));
    }
}
