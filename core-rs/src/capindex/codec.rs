//! Byte encodings of the two hot calls, so one ABI call carries a whole entry or query.
//!
//! Entry (little-endian): `node_id u64 · generation u64 · expires_at u64 (ms, u64::MAX = never) ·
//! state u8 · flags u8 (bit0: generation = current + 1) · 2 reserved bytes · count u32 ·
//! count × len u32 · the tag bytes (UTF-8) back to back`.
//!
//! Query: a sequence of `op u8` items, each followed by its operand:
//! `1` tag (all) · `2` synthetic group · `3` tags-any group · `4` region · `5` state u8 ·
//! `6` min memory u64 · `7` min VRAM u64 · `8` tag prefix · `9` node ids (`count u32 · u64…`) ·
//! `10` limit u32. A string is `len u32 · bytes`; a group is `count u32 · strings`.

use super::query::Query;

pub const FLAG_AUTO_GENERATION: u8 = 1;

/// A decoded entry, borrowing its tags from the input.
#[derive(Debug, PartialEq, Eq)]
pub struct EntryRecord<'a> {
    pub node_id: u64,
    pub generation: u64,
    pub expires_at: u64,
    pub state: u8,
    pub flags: u8,
    pub tags: Vec<&'a str>,
}

/// The input does not follow the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self.at.checked_add(n).ok_or(Malformed)?;
        let s = self.buf.get(self.at..end).ok_or(Malformed)?;
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, Malformed> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, Malformed> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }
    fn str(&mut self) -> Result<&'a str, Malformed> {
        let n = self.u32()? as usize;
        core::str::from_utf8(self.take(n)?).map_err(|_| Malformed)
    }
    fn group(&mut self) -> Result<Vec<&'a str>, Malformed> {
        let n = self.u32()? as usize;
        // Each member needs at least its 4-byte length: bound the allocation by the input.
        if n > (self.buf.len() - self.at) / 4 {
            return Err(Malformed);
        }
        (0..n).map(|_| self.str()).collect()
    }
    fn done(&self) -> bool {
        self.at == self.buf.len()
    }
}

pub fn decode_entry(buf: &[u8]) -> Result<EntryRecord<'_>, Malformed> {
    let mut r = Reader { buf, at: 0 };
    let node_id = r.u64()?;
    let generation = r.u64()?;
    let expires_at = r.u64()?;
    let state = r.u8()?;
    let flags = r.u8()?;
    r.take(2)?;
    let count = r.u32()? as usize;
    if count > (buf.len() - r.at) / 4 {
        return Err(Malformed);
    }
    let lens = r.take(count * 4)?;
    let mut tags = Vec::with_capacity(count);
    for l in lens.chunks_exact(4) {
        let n = u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize;
        tags.push(core::str::from_utf8(r.take(n)?).map_err(|_| Malformed)?);
    }
    if !r.done() {
        return Err(Malformed);
    }
    Ok(EntryRecord { node_id, generation, expires_at, state, flags, tags })
}

pub fn decode_query(buf: &[u8]) -> Result<Query<'_>, Malformed> {
    let mut r = Reader { buf, at: 0 };
    let mut q = Query::default();
    while !r.done() {
        match r.u8()? {
            1 => q.tags_all.push(r.str()?),
            2 => q.groups.push(r.group()?),
            3 => q.tags_any.extend(r.group()?),
            4 => q.region = Some(r.str()?),
            5 => q.state = Some(r.u8()?),
            6 => q.min_memory_gb = Some(r.u64()?),
            7 => q.min_vram_gb = Some(r.u64()?),
            8 => q.tag_prefix = Some(r.str()?),
            9 => {
                let n = r.u32()? as usize;
                if n > (buf.len() - r.at) / 8 {
                    return Err(Malformed);
                }
                let ids = (0..n).map(|_| r.u64()).collect::<Result<Vec<_>, _>>()?;
                q.nodes.get_or_insert_with(Vec::new).extend(ids);
            }
            10 => q.limit = r.u32()?,
            _ => return Err(Malformed),
        }
    }
    Ok(q)
}

#[cfg(test)]
pub fn encode_entry(node_id: u64, generation: u64, expires_at: u64, state: u8, flags: u8, tags: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&node_id.to_le_bytes());
    out.extend_from_slice(&generation.to_le_bytes());
    out.extend_from_slice(&expires_at.to_le_bytes());
    out.extend_from_slice(&[state, flags, 0, 0]);
    out.extend_from_slice(&(tags.len() as u32).to_le_bytes());
    for t in tags {
        out.extend_from_slice(&(t.len() as u32).to_le_bytes());
    }
    for t in tags {
        out.extend_from_slice(t.as_bytes());
    }
    out
}
