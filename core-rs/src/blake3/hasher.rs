//! The incremental hasher (chunk state + CV stack, merged lazily) and the extendable-output reader.

use super::chunk::{ChunkState, Output};
use super::tree::{compress_subtree_to_parent_node, largest_power_of_two_leq};
use super::{
    context_key_words, words_from_le_bytes_32, CvWords, Platform, CHUNK_LEN, DERIVE_KEY_MATERIAL, IV, KEYED_HASH,
    KEY_LEN, OUT_LEN,
};

/// Enough for 2^54 chunks (2^64 bytes), plus the one pushed before a merge.
const MAX_DEPTH: usize = 54;

/// Incremental BLAKE3. `finalize*` do not consume the hasher: more input may follow.
#[derive(Clone)]
pub struct Hasher {
    key: CvWords,
    chunk_state: ChunkState,
    cv_stack: [[u8; OUT_LEN]; MAX_DEPTH + 1],
    cv_stack_len: u8,
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher {
    fn with_key_words(key: &CvWords, flags: u8, platform: Platform) -> Self {
        Hasher {
            key: *key,
            chunk_state: ChunkState::new(key, 0, flags, platform),
            cv_stack: [[0; OUT_LEN]; MAX_DEPTH + 1],
            cv_stack_len: 0,
        }
    }

    /// Plain hashing with the fastest back end.
    pub fn new() -> Self {
        Self::new_in(Platform::detect())
    }

    /// Keyed hashing (MAC / PRF) under a 32-byte key.
    pub fn new_keyed(key: &[u8; KEY_LEN]) -> Self {
        Self::new_keyed_in(key, Platform::detect())
    }

    /// Derive-key mode: the input is key material, `context` names the domain.
    pub fn new_derive_key(context: &[u8]) -> Self {
        Self::new_derive_key_in(context, Platform::detect())
    }

    pub fn new_in(platform: Platform) -> Self {
        Self::with_key_words(&IV, 0, platform)
    }

    pub fn new_keyed_in(key: &[u8; KEY_LEN], platform: Platform) -> Self {
        Self::with_key_words(&words_from_le_bytes_32(key), KEYED_HASH, platform)
    }

    pub fn new_derive_key_in(context: &[u8], platform: Platform) -> Self {
        Self::with_key_words(&context_key_words(context, platform), DERIVE_KEY_MATERIAL, platform)
    }

    /// Forgets all input, keeping the mode (key or context) and back end.
    pub fn reset(&mut self) -> &mut Self {
        self.chunk_state = ChunkState::new(&self.key, 0, self.chunk_state.flags, self.chunk_state.platform);
        self.cv_stack_len = 0;
        self
    }

    /// Bytes absorbed so far.
    pub fn count(&self) -> u64 {
        self.chunk_state.chunk_counter * CHUNK_LEN as u64 + self.chunk_state.len() as u64
    }

    #[inline]
    fn push(&mut self, cv: [u8; OUT_LEN]) {
        self.cv_stack[self.cv_stack_len as usize] = cv;
        self.cv_stack_len += 1;
    }

    #[inline]
    fn pop(&mut self) -> [u8; OUT_LEN] {
        self.cv_stack_len -= 1;
        self.cv_stack[self.cv_stack_len as usize]
    }

    /// Merges completed subtrees until the stack holds one CV per 1 bit of `total_chunks`.
    /// Merging is lazy (only when more input is known to follow), so the root is never merged here.
    fn merge_cv_stack(&mut self, total_chunks: u64) {
        let post_merge_len = total_chunks.count_ones() as u8;
        while self.cv_stack_len > post_merge_len {
            let right = self.pop();
            let left = self.pop();
            let parent = Output::parent(
                &left,
                &right,
                &self.key,
                self.chunk_state.flags,
                self.chunk_state.platform,
            );
            self.push(parent.chaining_value());
        }
    }

    #[inline]
    fn push_cv(&mut self, cv: [u8; OUT_LEN], chunk_counter: u64) {
        self.merge_cv_stack(chunk_counter);
        self.push(cv);
    }

    pub fn update(&mut self, mut input: &[u8]) -> &mut Self {
        let flags = self.chunk_state.flags;
        let platform = self.chunk_state.platform;
        // Finish a partial chunk first.
        if self.chunk_state.len() > 0 {
            let take = core::cmp::min(CHUNK_LEN - self.chunk_state.len(), input.len());
            self.chunk_state.update(&input[..take]);
            input = &input[take..];
            if input.is_empty() {
                return self;
            }
            // The chunk is full and more input follows, so it is not the root.
            let cv = self.chunk_state.output().chaining_value();
            let counter = self.chunk_state.chunk_counter;
            self.push_cv(cv, counter);
            self.chunk_state = ChunkState::new(&self.key, counter + 1, flags, platform);
        }
        // Whole subtrees straight from the input. A subtree is a power of two chunks that also
        // divides the chunks hashed so far (it must sit on a subtree boundary of the final tree).
        while input.len() > CHUNK_LEN {
            let mut subtree_len = largest_power_of_two_leq(input.len());
            let count_so_far = self.chunk_state.chunk_counter * CHUNK_LEN as u64;
            while (subtree_len as u64 - 1) & count_so_far != 0 {
                subtree_len /= 2;
            }
            let subtree_chunks = (subtree_len / CHUNK_LEN) as u64;
            let counter = self.chunk_state.chunk_counter;
            if subtree_len <= CHUNK_LEN {
                let mut state = ChunkState::new(&self.key, counter, flags, platform);
                state.update(&input[..subtree_len]);
                self.push_cv(state.output().chaining_value(), counter);
            } else {
                let pair = compress_subtree_to_parent_node(&input[..subtree_len], &self.key, counter, flags, platform);
                let mut left = [0u8; OUT_LEN];
                let mut right = [0u8; OUT_LEN];
                left.copy_from_slice(&pair[..OUT_LEN]);
                right.copy_from_slice(&pair[OUT_LEN..]);
                // Pushed in order; lazy merging keeps the root unmerged.
                self.push_cv(left, counter);
                self.push_cv(right, counter + subtree_chunks / 2);
            }
            self.chunk_state.chunk_counter += subtree_chunks;
            input = &input[subtree_len..];
        }
        // At most one chunk remains.
        if !input.is_empty() {
            self.chunk_state.update(input);
            // More input is now known to follow everything on the stack, so it can merge.
            self.merge_cv_stack(self.chunk_state.chunk_counter);
        }
        self
    }

    fn final_output(&self) -> Output {
        let n = self.cv_stack_len as usize;
        if n == 0 {
            return self.chunk_state.output();
        }
        let flags = self.chunk_state.flags;
        let platform = self.chunk_state.platform;
        let mut remaining = n;
        let mut output = if self.chunk_state.len() > 0 {
            self.chunk_state.output()
        } else {
            // No partial chunk: the top two CVs form the lowest parent.
            remaining -= 2;
            Output::parent(&self.cv_stack[n - 2], &self.cv_stack[n - 1], &self.key, flags, platform)
        };
        while remaining > 0 {
            remaining -= 1;
            output = Output::parent(
                &self.cv_stack[remaining],
                &output.chaining_value(),
                &self.key,
                flags,
                platform,
            );
        }
        output
    }

    /// The 32-byte hash of everything so far.
    pub fn finalize(&self) -> [u8; OUT_LEN] {
        self.final_output().root_hash()
    }

    /// Fills `out` with extended output starting at byte `offset`.
    pub fn finalize_at(&self, offset: u64, out: &mut [u8]) {
        self.final_output().root_output_bytes(offset, out);
    }

    /// A reader over the extendable output of everything so far.
    pub fn finalize_xof(&self) -> OutputReader {
        OutputReader {
            output: self.final_output(),
            position: 0,
        }
    }
}

/// Reads the extendable output from any position.
#[derive(Clone)]
pub struct OutputReader {
    output: Output,
    position: u64,
}

impl OutputReader {
    /// Fills `out` and advances the position.
    pub fn fill(&mut self, out: &mut [u8]) {
        self.output.root_output_bytes(self.position, out);
        self.position += out.len() as u64;
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    pub fn set_position(&mut self, position: u64) {
        self.position = position;
    }
}
