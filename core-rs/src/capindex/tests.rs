use super::codec::{decode_entry, decode_query, encode_entry, FLAG_AUTO_GENERATION};
use super::*;

fn q<'a>() -> Query<'a> {
    Query::default()
}

fn ids(ix: &mut CapIndex, query: &Query<'_>) -> Vec<u64> {
    let mut s = Scratch::default();
    ix.query(query, Output::NodeIds, &mut s);
    s.ids
}

fn gpu_node(mem: u32) -> Vec<String> {
    vec![
        "hardware.gpu".into(),
        "hardware.gpu.vendor=nvidia".into(),
        "hardware.gpu.vram_gb=24".into(),
        format!("hardware.memory_gb={mem}"),
        "software.model.0.id=llama".into(),
        "inference".into(),
    ]
}

fn apply(ix: &mut CapIndex, id: u64, gen: u64, tags: &[String]) -> Outcome {
    let t: Vec<&str> = tags.iter().map(String::as_str).collect();
    ix.apply(id, gen, NEVER, STATE_IDLE, &t).unwrap()
}

#[test]
fn insert_replace_reject_remove() {
    let mut ix = CapIndex::new(1);
    assert_eq!(apply(&mut ix, 7, 1, &gpu_node(64)), Outcome::Inserted(0));
    assert_eq!(apply(&mut ix, 7, 1, &["x".into()]), Outcome::Rejected);
    assert_eq!(ix.apply(7, 0, NEVER, 0, &[]), Err(ApplyError::InvalidGeneration));
    assert_eq!(ids(&mut ix, &Query { tags_all: vec!["inference"], ..q() }), vec![7]);
    assert_eq!(apply(&mut ix, 7, 5, &["x".into()]), Outcome::Replaced(0));
    assert_eq!(apply(&mut ix, 7, 3, &["older".into()]), Outcome::Rejected);
    assert_eq!(ids(&mut ix, &Query { tags_all: vec!["inference"], ..q() }), Vec::<u64>::new());
    assert_eq!(ids(&mut ix, &Query { groups: vec![vec!["gpu:present"]], ..q() }), Vec::<u64>::new());
    assert_eq!(ids(&mut ix, &Query { tags_all: vec!["x"], ..q() }), vec![7]);
    assert_eq!(ix.generation(7), Some(5));
    assert_eq!(ix.remove(7), Some(0));
    assert_eq!(ix.remove(7), None);
    assert!(ix.is_empty());
    // Removal mirrors insertion: every bucket is gone.
    assert_eq!(ix.by_tag.keys(), 0);
    assert_eq!(ix.by_synthetic.keys(), 0);
    assert_eq!(ix.rows(), 0);
}

#[test]
fn synthetic_keys_are_not_tags() {
    let mut ix = CapIndex::new(2);
    apply(&mut ix, 1, 1, &["model:llama".into(), "gpu:present".into()]);
    apply(&mut ix, 2, 1, &gpu_node(80));
    assert_eq!(ids(&mut ix, &Query { groups: vec![vec!["model:llama"]], ..q() }), vec![2]);
    assert_eq!(ids(&mut ix, &Query { groups: vec![vec!["gpu:present"]], ..q() }), vec![2]);
    assert_eq!(ids(&mut ix, &Query { tags_all: vec!["gpu:present"], ..q() }), vec![1]);
    let mut tags = ix.tags_of(2).unwrap();
    tags.sort_unstable();
    assert!(!tags.contains(&"gpu:present"));
}

#[test]
fn empty_lists_and_ranges() {
    let mut ix = CapIndex::new(3);
    for i in 0..100u64 {
        apply(&mut ix, i, 1, &gpu_node(60 + i as u32));
    }
    apply(&mut ix, 1000, 1, &["plain".into()]);
    // Empty tags_all matches everything; an empty group is skipped.
    assert_eq!(ids(&mut ix, &Query { groups: vec![vec![]], ..q() }).len(), 101);
    assert_eq!(ids(&mut ix, &Query { min_memory_gb: Some(150), ..q() }), (90..100).collect::<Vec<_>>());
    // Missing memory counts as 0.
    assert_eq!(ids(&mut ix, &Query { min_memory_gb: Some(0), tags_all: vec!["plain"], ..q() }), vec![1000]);
    assert_eq!(ids(&mut ix, &Query { min_vram_gb: Some(25), ..q() }), Vec::<u64>::new());
    assert_eq!(ids(&mut ix, &Query { min_vram_gb: Some(24), ..q() }).len(), 100);
    // A group with one known and one unknown key is the known key's bucket.
    assert_eq!(ids(&mut ix, &Query { groups: vec![vec!["model:nope", "model:llama"]], ..q() }).len(), 100);
    assert_eq!(ids(&mut ix, &Query { groups: vec![vec!["model:nope"]], ..q() }), Vec::<u64>::new());
    assert_eq!(ids(&mut ix, &Query { tags_all: vec!["nonexistent"], ..q() }), Vec::<u64>::new());
    assert_eq!(ids(&mut ix, &Query { limit: 3, ..q() }), vec![0, 1, 2]);
    assert_eq!(ids(&mut ix, &Query { nodes: Some(vec![1000, 5, 5, 77777]), ..q() }), vec![5, 1000]);
    assert_eq!(ids(&mut ix, &Query { tag_prefix: Some("pla"), ..q() }), vec![1000]);
    assert_eq!(ids(&mut ix, &Query { state: Some(0), limit: 2, ..q() }), vec![0, 1]);
    assert_eq!(ids(&mut ix, &Query { state: Some(1), ..q() }), Vec::<u64>::new());
}

#[test]
fn region_is_byte_smallest() {
    let mut ix = CapIndex::new(4);
    apply(&mut ix, 1, 1, &["scope:region:us".into(), "scope:region:eu".into()]);
    assert_eq!(ids(&mut ix, &Query { region: Some("eu"), ..q() }), vec![1]);
    assert_eq!(ids(&mut ix, &Query { region: Some("us"), ..q() }), Vec::<u64>::new());
}

#[test]
fn sweep_expires_inclusive_and_skips_replaced() {
    let mut ix = CapIndex::new(5);
    ix.apply(1, 1, 1000, 0, &["a"]).unwrap();
    ix.apply(2, 1, 2000, 0, &["a"]).unwrap();
    ix.apply(3, 1, NEVER, 0, &["a"]).unwrap();
    // Replacing node 1 moves its expiry; the old heap item must not remove it.
    ix.apply(1, 2, 5000, 0, &["a"]).unwrap();
    let mut out = Vec::new();
    assert_eq!(ix.next_expiry(), 2000);
    assert_eq!(ix.sweep(1999, 1024, &mut out), 0);
    assert_eq!(ix.sweep(2000, 1024, &mut out), 1);
    assert_eq!(ix.generation(2), None);
    assert_eq!(ix.sweep(10_000, 1024, &mut out), 1);
    assert_eq!(ix.len(), 1);
    assert_eq!(ix.generation(3), Some(1));
    assert_eq!(ix.next_expiry(), NEVER);
}

#[test]
fn codec_round_trip_and_malformed() {
    let buf = encode_entry(9, 3, 77, 0, FLAG_AUTO_GENERATION, &["a", "héllo"]);
    let rec = decode_entry(&buf).unwrap();
    assert_eq!(rec.tags, vec!["a", "héllo"]);
    assert_eq!((rec.node_id, rec.generation, rec.expires_at, rec.flags), (9, 3, 77, 1));
    let mut ix = CapIndex::new(6);
    assert_eq!(ix.apply_record(&rec), Ok(Outcome::Inserted(0)));
    assert_eq!(ix.apply_record(&rec), Ok(Outcome::Replaced(0)));
    assert_eq!(ix.generation(9), Some(2));
    for cut in 0..buf.len() {
        assert!(decode_entry(&buf[..cut]).is_err());
    }
    let mut huge = encode_entry(1, 1, 1, 0, 0, &[]);
    huge[28..32].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(decode_entry(&huge).is_err());
    let mut qb = vec![1u8];
    qb.extend_from_slice(&3u32.to_le_bytes());
    qb.extend_from_slice(b"abc");
    qb.push(10);
    qb.extend_from_slice(&5u32.to_le_bytes());
    let qq = decode_query(&qb).unwrap();
    assert_eq!(qq.tags_all, vec!["abc"]);
    assert_eq!(qq.limit, 5);
    assert!(decode_query(&[2, 255, 255, 255, 255]).is_err());
    assert!(decode_query(&[99]).is_err());
    assert!(decode_query(&[1, 1, 0, 0, 0, 0xff]).is_err());
}

/// xorshift64*: deterministic randomness for the differential test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const POOL: [&str; 14] = [
    "inference",
    "training",
    "gpu",
    "hardware.gpu",
    "hardware.gpu.vendor=amd",
    "hardware.gpu.vendor:nvidia",
    "hardware.gpu.vram_gb=16",
    "hardware.memory_gb=32",
    "hardware.memory_gb=128",
    "software.model.0.id=m1",
    "software.model.1.id=m2",
    "software.tool.0.tool_id=t1",
    "scope:region:eu",
    "model:m1",
];

struct Naive {
    gen: u64,
    tags: Vec<String>,
    p: tags::Projection,
}

fn naive_match(n: &Naive, q: &Query<'_>) -> bool {
    let has = |t: &str| n.tags.iter().any(|x| x == t);
    q.tags_all.iter().all(|t| has(t))
        && q.groups.iter().all(|g| g.is_empty() || g.iter().any(|k| n.p.synthetic.iter().any(|s| s == k)))
        && (q.tags_any.is_empty() || q.tags_any.iter().any(|t| has(t)))
        && q.region.is_none_or(|r| n.p.region.as_deref() == Some(r))
        && q.min_memory_gb.is_none_or(|m| u64::from(n.p.memory_gb) >= m)
        && q.min_vram_gb.is_none_or(|m| u64::from(n.p.vram_gb) >= m)
}

#[test]
fn differential_against_naive_scan() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ix = CapIndex::new(rng.next());
    let mut naive: std::collections::BTreeMap<u64, Naive> = Default::default();
    let mut scratch = Scratch::default();
    let mut map = Vec::new();
    for round in 0..4000 {
        let op = rng.below(10);
        let id = rng.below(600) * 0x1_0000_0001;
        if op < 6 {
            let mut t: Vec<String> = (0..rng.below(8)).map(|_| POOL[rng.below(POOL.len() as u64) as usize].to_string()).collect();
            if rng.below(3) == 0 {
                t.push(format!("hardware.memory_gb={}", rng.below(200)));
            }
            let gen = rng.below(4) + 1;
            let refs: Vec<&str> = t.iter().map(String::as_str).collect();
            let out = ix.apply(id, gen, NEVER, 0, &refs).unwrap();
            let accept = naive.get(&id).is_none_or(|n| gen > n.gen);
            assert_eq!(accept, out != Outcome::Rejected);
            if accept {
                let mut sorted = t.clone();
                sorted.sort();
                sorted.dedup();
                let p = tags::project(sorted.iter().map(String::as_str));
                naive.insert(id, Naive { gen, tags: sorted, p });
            }
        } else if op < 8 {
            assert_eq!(ix.remove(id).is_some(), naive.remove(&id).is_some());
        } else if ix.compaction_advised() {
            ix.compact(&mut map);
        }
        assert_eq!(ix.len(), naive.len());
        if round % 7 == 0 {
            let pick = |rng: &mut Rng| POOL[rng.below(POOL.len() as u64) as usize];
            let synth = ["model:m1", "model:m2", "tool:t1", "gpu:present", "gpu:vendor:nvidia", "gpu:vendor:amd", "gpu:vendor:unknown"];
            let mut query = Query::default();
            for _ in 0..rng.below(3) {
                query.tags_all.push(pick(&mut rng));
            }
            for _ in 0..rng.below(3) {
                query.groups.push((0..rng.below(3)).map(|_| synth[rng.below(synth.len() as u64) as usize]).collect());
            }
            if rng.below(4) == 0 {
                query.tags_any = (0..rng.below(3)).map(|_| pick(&mut rng)).collect();
            }
            if rng.below(3) == 0 {
                query.min_memory_gb = Some(rng.below(150));
            }
            if rng.below(4) == 0 {
                query.min_vram_gb = Some(rng.below(20));
            }
            if rng.below(8) == 0 {
                query.region = Some("eu");
            }
            let want: Vec<u64> = naive.iter().filter(|(_, n)| naive_match(n, &query)).map(|(&id, _)| id).collect();
            ix.query(&query, Output::NodeIds, &mut scratch);
            assert_eq!(scratch.ids, want, "query {query:?}");
        }
    }
}

#[test]
fn random_order_inserts_stay_sorted_and_compact() {
    let mut rng = Rng(42);
    let mut ix = CapIndex::new(7);
    let mut all = Vec::new();
    for _ in 0..3000 {
        let id = rng.next();
        all.push(id);
        ix.apply(id, 1, NEVER, 0, &["x", if id.is_multiple_of(2) { "even" } else { "odd" }]).unwrap();
    }
    all.sort_unstable();
    assert!(!ix.monotone);
    let mut s = Scratch::default();
    ix.query(&Query { tags_all: vec!["x"], ..q() }, Output::NodeIds, &mut s);
    assert_eq!(s.ids, all);
    let mut map = Vec::new();
    assert_eq!(ix.compact(&mut map), 3000);
    assert!(ix.monotone);
    ix.query(&Query { tags_all: vec!["x"], ..q() }, Output::NodeIds, &mut s);
    assert_eq!(s.ids, all);
    let evens: Vec<u64> = all.iter().copied().filter(|i| i % 2 == 0).collect();
    ix.query(&Query { tags_all: vec!["even"], ..q() }, Output::NodeIds, &mut s);
    assert_eq!(s.ids, evens);
}
