//! Permissive tag parsing (fold.md §2.1) and the per-entry projection the index needs (§5.3, §6):
//! memory, GPU presence / vendor / VRAM, region and the synthetic `model:` / `tool:` keys.
//!
//! Everything borrows from the input strings; nothing here allocates except the projection's
//! output vectors.

/// The four taxonomy axes of `<axis>.<key>` tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Hardware,
    Software,
    Devices,
    Dataforts,
}

/// Prefixes that make a tag `Reserved` (checked before the axis split, so `dataforts:` is reserved
/// while `dataforts.` is the axis).
pub const RESERVED_PREFIXES: [&str; 5] = ["causal:", "dataforts:", "fork-of:", "heat:", "scope:"];

/// A parsed tag, borrowing from its rendered form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagRef<'a> {
    AxisPresent { axis: Axis, key: &'a str },
    /// `sep` is `=` or `:`, whichever comes first in the body.
    AxisValue { axis: Axis, key: &'a str, value: &'a str, sep: u8 },
    Reserved { prefix: &'static str, body: &'a str },
    Legacy(&'a str),
}

fn axis_of(name: &str) -> Option<Axis> {
    match name {
        "hardware" => Some(Axis::Hardware),
        "software" => Some(Axis::Software),
        "devices" => Some(Axis::Devices),
        "dataforts" => Some(Axis::Dataforts),
        _ => None,
    }
}

/// The permissive parser; `None` only for the empty string.
pub fn parse(tag: &str) -> Option<TagRef<'_>> {
    if tag.is_empty() {
        return None;
    }
    for prefix in RESERVED_PREFIXES {
        if let Some(body) = tag.strip_prefix(prefix) {
            return Some(TagRef::Reserved { prefix, body });
        }
    }
    if let Some(dot) = tag.bytes().position(|b| b == b'.') {
        let (left, body) = (&tag[..dot], &tag[dot + 1..]);
        if let Some(axis) = axis_of(left) {
            let sep_at = body.bytes().position(|b| b == b'=' || b == b':');
            return Some(match sep_at {
                Some(i) => TagRef::AxisValue { axis, key: &body[..i], value: &body[i + 1..], sep: body.as_bytes()[i] },
                None => TagRef::AxisPresent { axis, key: body },
            });
        }
    }
    Some(TagRef::Legacy(tag))
}

/// `(axis, key, value)` of an axis tag; `value` is "" for AxisPresent (the codec's `unwrap_or("")`).
fn axis_key_value<'a>(t: &TagRef<'a>) -> Option<(Axis, &'a str, &'a str)> {
    match *t {
        TagRef::AxisPresent { axis, key } => Some((axis, key, "")),
        TagRef::AxisValue { axis, key, value, .. } => Some((axis, key, value)),
        _ => None,
    }
}

/// Rust's `u32::from_str` as the tag codec uses it: optional `+`, ASCII digits, no overflow;
/// anything else decodes as 0 (fold.md §2.2).
pub fn parse_u32_or_zero(s: &str) -> u32 {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return 0;
    }
    let mut v: u32 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return 0;
        }
        v = match v.checked_mul(10).and_then(|x| x.checked_add(u32::from(b - b'0'))) {
            Some(x) => x,
            None => return 0,
        };
    }
    v
}

/// Canonical vendor strings; anything unrecognised is `unknown` (exact, case-sensitive match).
pub fn canonical_vendor(s: &str) -> &'static str {
    match s {
        "nvidia" => "nvidia",
        "amd" => "amd",
        "intel" => "intel",
        "apple" => "apple",
        "qualcomm" => "qualcomm",
        _ => "unknown",
    }
}

/// What the index derives from one entry's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    /// `memory_gb` of the hardware summary (0 = absent).
    pub memory_gb: u32,
    /// Summed VRAM when a GPU exists (0 otherwise).
    pub vram_gb: u32,
    /// Canonical vendor of the primary GPU when one exists.
    pub gpu_vendor: Option<&'static str>,
    /// Byte-smallest body of the `scope:region:` tags (fold.md §10.6).
    pub region: Option<String>,
    /// `model:<id>`, `tool:<id>`, `gpu:present`, `gpu:vendor:<v>`, deduplicated.
    pub synthetic: Vec<String>,
}

/// Derives the projection from tags given in byte order (later tags win for duplicated scalar keys,
/// which makes the outcome independent of the order the caller happened to list them in).
pub fn project<'a>(sorted_tags: impl IntoIterator<Item = &'a str>) -> Projection {
    let mut p = Projection::default();
    let mut gpu = false;
    let mut vendor: Option<&'static str> = None;
    let mut vram: u32 = 0;
    for s in sorted_tags {
        if p.region.is_none() {
            if let Some(r) = s.strip_prefix("scope:region:") {
                p.region = Some(r.to_owned());
            }
        }
        let Some(t) = parse(s) else { continue };
        if let TagRef::AxisValue { axis: Axis::Software, key, value, .. } = t {
            // `model.<i>.id` / `tool.<i>.tool_id`, where <i> has no dot (split at the first one).
            let after_index = |rest: &'a str| rest.bytes().position(|b| b == b'.').map(|d| &rest[d + 1..]);
            if let Some(rest) = key.strip_prefix("model.") {
                if after_index(rest) == Some("id") {
                    p.synthetic.push(format!("model:{value}"));
                }
            } else if let Some(rest) = key.strip_prefix("tool.") {
                if after_index(rest) == Some("tool_id") {
                    p.synthetic.push(format!("tool:{value}"));
                }
            }
            continue;
        }
        let Some((Axis::Hardware, key, value)) = axis_key_value(&t) else { continue };
        match key {
            "memory_gb" => p.memory_gb = parse_u32_or_zero(value),
            "gpu" => gpu = true,
            _ => {
                if let Some(sub) = key.strip_prefix("gpu.") {
                    gpu = true;
                    match sub {
                        "vendor" => vendor = Some(canonical_vendor(value)),
                        "vram_gb" => vram = parse_u32_or_zero(value),
                        _ => {}
                    }
                }
            }
        }
    }
    if gpu {
        let v = vendor.unwrap_or("unknown");
        p.gpu_vendor = Some(v);
        p.vram_gb = vram;
        p.synthetic.push("gpu:present".to_owned());
        p.synthetic.push(format!("gpu:vendor:{v}"));
    }
    p.synthetic.sort_unstable();
    p.synthetic.dedup();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_grammar() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("dataforts:x"), Some(TagRef::Reserved { prefix: "dataforts:", body: "x" }));
        assert_eq!(parse("dataforts.blob.serve"), Some(TagRef::AxisPresent { axis: Axis::Dataforts, key: "blob.serve" }));
        assert_eq!(
            parse("hardware.gpu.vendor=nvidia"),
            Some(TagRef::AxisValue { axis: Axis::Hardware, key: "gpu.vendor", value: "nvidia", sep: b'=' })
        );
        assert_eq!(
            parse("software.a:b=c"),
            Some(TagRef::AxisValue { axis: Axis::Software, key: "a", value: "b=c", sep: b':' })
        );
        assert_eq!(parse("gpu:nvidia"), Some(TagRef::Legacy("gpu:nvidia")));
        assert_eq!(parse("scope:region:eu"), Some(TagRef::Reserved { prefix: "scope:", body: "region:eu" }));
        assert_eq!(parse("other.x=1"), Some(TagRef::Legacy("other.x=1")));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u32_or_zero("64"), 64);
        assert_eq!(parse_u32_or_zero("+7"), 7);
        assert_eq!(parse_u32_or_zero("-7"), 0);
        assert_eq!(parse_u32_or_zero(""), 0);
        assert_eq!(parse_u32_or_zero("4294967295"), u32::MAX);
        assert_eq!(parse_u32_or_zero("4294967296"), 0);
        assert_eq!(parse_u32_or_zero("1.5"), 0);
    }

    #[test]
    fn projection() {
        let mut tags = vec![
            "hardware.memory_gb=96",
            "hardware.gpu",
            "hardware.gpu.vram_gb=24",
            "software.model.0.id=llama",
            "software.model.x.y.id=skip",
            "software.tool.3.tool_id:repl",
            "software.model.1.id",
            "scope:region:us",
            "scope:region:eu",
            "model:fake",
        ];
        tags.sort_unstable();
        let p = project(tags.iter().copied());
        assert_eq!(p.memory_gb, 96);
        assert_eq!(p.vram_gb, 24);
        assert_eq!(p.gpu_vendor, Some("unknown"));
        assert_eq!(p.region.as_deref(), Some("eu"));
        assert_eq!(p.synthetic, vec!["gpu:present", "gpu:vendor:unknown", "model:llama", "tool:repl"]);
        let none = project(["hardware.memory_gb=x", "gpu", "gpu:present"]);
        assert_eq!(none, Projection::default());
    }
}
