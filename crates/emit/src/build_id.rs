//! The `build_id` custom section (`--build-id`), as wasm-ld writes it: the
//! last section of the module, `uleb(size)` then the id. The id is written
//! last: the module is first finished with spaces in its place, then hashed
//! in 1 MiB chunks (in parallel), the chunk hashes hashed again, and the
//! result put in place.

use rayon::prelude::*;
use sha1::{Digest, Sha1};

/// Which build id to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BuildId {
    /// No `build_id` section (the default).
    #[default]
    None,
    /// `--build-id` / `--build-id=fast`: a version-5 UUID made from an
    /// xxh3 hash of the module.
    Fast,
    /// `--build-id=sha1` (or `tree`): the SHA-1 of the module.
    Sha1,
    /// `--build-id=uuid`: a random version-4 UUID.
    Uuid,
    /// `--build-id=0x...`: these bytes.
    Hex(Vec<u8>),
}

/// wasm-ld's namespace for version-5 UUIDs made from a module hash.
const UUID_NAMESPACE: [u8; 16] =
    [0xA1, 0xFA, 0x48, 0x2D, 0x0E, 0x22, 0x03, 0x8D, 0x33, 0x8B, 0x52, 0x1C, 0xD6, 0xD2, 0x12, 0xB2];

/// Hashing works on chunks of this size.
const CHUNK: usize = 1024 * 1024;

impl BuildId {
    /// The id's length in bytes.
    fn size(&self) -> usize {
        match self {
            BuildId::None => 0,
            BuildId::Fast | BuildId::Uuid => 16,
            BuildId::Sha1 => 20,
            BuildId::Hex(bytes) => bytes.len(),
        }
    }

    /// The section payload with spaces where the id goes, or `None`
    /// without a build id.
    pub(crate) fn placeholder(&self) -> Option<Vec<u8>> {
        if *self == BuildId::None {
            return None;
        }
        let mut payload = Vec::new();
        crate::leb::write_u32(&mut payload, self.size() as u32);
        payload.resize(payload.len() + self.size(), b' ');
        Some(payload)
    }

    /// Writes the id over the placeholder at the end of `module`.
    pub(crate) fn fill(&self, module: &mut [u8]) -> std::io::Result<()> {
        let id = match self {
            BuildId::None => return Ok(()),
            BuildId::Hex(bytes) => bytes.clone(),
            BuildId::Sha1 => chunked_hash(module, |data| Sha1::digest(data).to_vec()),
            BuildId::Fast => {
                let hash = chunked_hash(module, |data| twox_hash::XxHash3_64::oneshot(data).to_le_bytes().to_vec());
                uuid(5, &Sha1::new().chain_update(UUID_NAMESPACE).chain_update(hash).finalize())
            }
            BuildId::Uuid => {
                let mut random = [0u8; 16];
                std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut random)?;
                uuid(4, &random)
            }
        };
        let at = module.len() - id.len();
        module[at..].copy_from_slice(&id);
        Ok(())
    }
}

/// The hash of the hashes of `data`'s 1 MiB chunks (wasm-ld's
/// `computeHash`).
fn chunked_hash(data: &[u8], hash: impl Fn(&[u8]) -> Vec<u8> + Sync) -> Vec<u8> {
    let hashes: Vec<Vec<u8>> = data.par_chunks(CHUNK).map(&hash).collect();
    hash(&hashes.concat())
}

/// The first 16 bytes of `bytes` as a UUID of `version` (RFC 4122 variant).
fn uuid(version: u8, bytes: &[u8]) -> Vec<u8> {
    let mut id = bytes[..16].to_vec();
    id[6] = (version << 4) | (id[6] & 0x0F);
    id[8] = (id[8] & 0xBF) | 0x80;
    id
}
