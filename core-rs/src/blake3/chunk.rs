//! A chunk being hashed (up to 1024 bytes) and the not-yet-finalized output of a node.

use super::{le_bytes_from_words_32, CvWords, Platform, BLOCK_LEN, CHUNK_END, CHUNK_START, OUT_LEN, PARENT, ROOT};

/// The last compression of a node, kept unevaluated: as a child it yields a chaining value, as the
/// root it yields any number of output bytes (the output block counter is the XOF position).
#[derive(Clone)]
pub(crate) struct Output {
    pub(crate) input_cv: CvWords,
    pub(crate) block: [u8; BLOCK_LEN],
    pub(crate) block_len: u8,
    pub(crate) counter: u64,
    pub(crate) flags: u8,
    pub(crate) platform: Platform,
}

impl Output {
    /// The parent node over two child chaining values.
    #[inline]
    pub(crate) fn parent(
        left: &[u8; OUT_LEN],
        right: &[u8; OUT_LEN],
        key: &CvWords,
        flags: u8,
        platform: Platform,
    ) -> Output {
        let mut block = [0u8; BLOCK_LEN];
        block[..OUT_LEN].copy_from_slice(left);
        block[OUT_LEN..].copy_from_slice(right);
        Output {
            input_cv: *key,
            block,
            block_len: BLOCK_LEN as u8,
            counter: 0,
            flags: flags | PARENT,
            platform,
        }
    }

    #[inline]
    pub(crate) fn chaining_value(&self) -> [u8; OUT_LEN] {
        let mut cv = self.input_cv;
        self.platform
            .compress_in_place(&mut cv, &self.block, self.block_len, self.counter, self.flags);
        le_bytes_from_words_32(&cv)
    }

    /// The default 32-byte hash when this node is the root.
    #[inline]
    pub(crate) fn root_hash(&self) -> [u8; OUT_LEN] {
        debug_assert_eq!(self.counter, 0);
        let mut cv = self.input_cv;
        self.platform
            .compress_in_place(&mut cv, &self.block, self.block_len, 0, self.flags | ROOT);
        le_bytes_from_words_32(&cv)
    }

    /// Root output bytes `offset .. offset + out.len()` of the extendable output.
    pub(crate) fn root_output_bytes(&self, offset: u64, mut out: &mut [u8]) {
        let mut block_counter = offset / BLOCK_LEN as u64;
        let mut skip = (offset % BLOCK_LEN as u64) as usize;
        let flags = self.flags | ROOT;
        if skip == 0 && out.len() <= OUT_LEN {
            // The common short digest: half a compression output is enough.
            let mut cv = self.input_cv;
            self.platform
                .compress_in_place(&mut cv, &self.block, self.block_len, block_counter, flags);
            let bytes = le_bytes_from_words_32(&cv);
            let n = out.len();
            out.copy_from_slice(&bytes[..n]);
            return;
        }
        while !out.is_empty() {
            let bytes = self
                .platform
                .compress_xof(&self.input_cv, &self.block, self.block_len, block_counter, flags);
            let take = core::cmp::min(BLOCK_LEN - skip, out.len());
            out[..take].copy_from_slice(&bytes[skip..skip + take]);
            out = &mut out[take..];
            skip = 0;
            block_counter += 1;
        }
    }
}

/// The state of one chunk: its CV so far and the last, possibly partial, block.
#[derive(Clone)]
pub(crate) struct ChunkState {
    pub(crate) cv: CvWords,
    pub(crate) chunk_counter: u64,
    buf: [u8; BLOCK_LEN],
    buf_len: u8,
    blocks_compressed: u8,
    pub(crate) flags: u8,
    pub(crate) platform: Platform,
}

impl ChunkState {
    #[inline]
    pub(crate) fn new(key: &CvWords, chunk_counter: u64, flags: u8, platform: Platform) -> Self {
        ChunkState {
            cv: *key,
            chunk_counter,
            buf: [0; BLOCK_LEN],
            buf_len: 0,
            blocks_compressed: 0,
            flags,
            platform,
        }
    }

    /// Bytes absorbed so far (0..=1024).
    #[inline]
    pub(crate) fn len(&self) -> usize {
        BLOCK_LEN * self.blocks_compressed as usize + self.buf_len as usize
    }

    #[inline]
    fn start_flag(&self) -> u8 {
        if self.blocks_compressed == 0 {
            CHUNK_START
        } else {
            0
        }
    }

    #[inline]
    fn fill_buf(&mut self, input: &mut &[u8]) {
        let want = BLOCK_LEN - self.buf_len as usize;
        let take = core::cmp::min(want, input.len());
        self.buf[self.buf_len as usize..self.buf_len as usize + take].copy_from_slice(&input[..take]);
        self.buf_len += take as u8;
        *input = &input[take..];
    }

    /// Absorbs `input`; the caller never passes more than the chunk has room for.
    pub(crate) fn update(&mut self, mut input: &[u8]) -> &mut Self {
        debug_assert!(self.len() + input.len() <= super::CHUNK_LEN);
        if self.buf_len > 0 {
            self.fill_buf(&mut input);
            if !input.is_empty() {
                // The buffered block is full and more follows, so it is not the chunk's last block.
                let flags = self.flags | self.start_flag();
                self.platform
                    .compress_in_place(&mut self.cv, &self.buf, BLOCK_LEN as u8, self.chunk_counter, flags);
                self.blocks_compressed += 1;
                self.buf_len = 0;
                self.buf = [0; BLOCK_LEN];
            }
        }
        if input.len() > BLOCK_LEN {
            // Whole blocks straight from the input, keeping the last (maybe final) block buffered.
            let n = (input.len() - 1) / BLOCK_LEN;
            let start = self.blocks_compressed == 0;
            self.platform.compress_blocks(
                &mut self.cv,
                &input[..n * BLOCK_LEN],
                self.chunk_counter,
                self.flags,
                start,
            );
            self.blocks_compressed += n as u8;
            input = &input[n * BLOCK_LEN..];
        }
        self.fill_buf(&mut input);
        debug_assert!(input.is_empty());
        self
    }

    /// The chunk's last compression, unevaluated.
    #[inline]
    pub(crate) fn output(&self) -> Output {
        Output {
            input_cv: self.cv,
            block: self.buf,
            block_len: self.buf_len,
            counter: self.chunk_counter,
            flags: self.flags | self.start_flag() | CHUNK_END,
            platform: self.platform,
        }
    }
}
