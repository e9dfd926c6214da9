//! Fragment reassembly of one response (protocol.md §4): fragments in any
//! order, duplicates and overlaps rejected with the reason, the data
//! complete once the final fragment is in and there are no holes.

use super::event::FragmentRejected;

/// Fragments stored by offset; any arrival order is accepted. The data
/// goes straight to its place in one buffer (no allocation per fragment).
#[derive(Default)]
pub(super) struct Reassembly {
    /// (offset, length) of each fragment stored, by offset.
    frags: Vec<(u16, usize)>,
    buf: Vec<u8>,
    /// (offset, status) of the final fragment once seen.
    last: Option<(u16, u16)>,
}

impl Reassembly {
    pub(super) fn len(&self) -> usize {
        self.frags.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.frags.is_empty()
    }

    /// Whether the final fragment (the one without "more") is in.
    pub(super) fn has_final(&self) -> bool {
        self.last.is_some()
    }

    pub(super) fn insert(
        &mut self,
        offset: u16,
        data: &[u8],
        more: bool,
        status: u16,
    ) -> Result<(), FragmentRejected> {
        let count = data.len();
        let end = offset as usize + count;
        if end > u16::MAX as usize {
            return Err(FragmentRejected::PastEnd { count, offset });
        }
        // Where the fragment goes: fragments mostly arrive in order, so
        // this is the end of the list.
        let at = self.frags.partition_point(|&(off, _)| off < offset);
        if let Some(&(off, prior)) = self.frags.get(at) {
            if off == offset {
                return Err(FragmentRejected::Duplicate {
                    count,
                    offset,
                    prior,
                });
            }
        }
        if let Some(&(lo, lo_len)) = at.checked_sub(1).and_then(|i| self.frags.get(i)) {
            if lo as usize + lo_len > offset as usize {
                return Err(FragmentRejected::OverlapsPrevious {
                    offset,
                    prior_len: lo_len,
                    prior_offset: lo,
                });
            }
        }
        if let Some(&(hi, _)) = self.frags.get(at) {
            if end > hi as usize {
                return Err(FragmentRejected::OverlapsNext {
                    count,
                    offset,
                    next: hi,
                });
            }
        }
        if let Some((last_off, _)) = self.last {
            if !more || offset > last_off {
                return Err(FragmentRejected::SecondLast);
            }
        }
        if !more {
            if let Some(&(hi, _)) = self.frags.get(at) {
                return Err(FragmentRejected::LastBelow { offset, next: hi });
            }
            self.last = Some((offset, status));
        }
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        self.buf[offset as usize..end].copy_from_slice(data);
        self.frags.insert(at, (offset, count));
        Ok(())
    }

    /// The data stored so far that is contiguous from offset 0.
    pub(super) fn contiguous_prefix(&self) -> &[u8] {
        let mut end = 0usize;
        for &(off, len) in &self.frags {
            if off as usize != end {
                break;
            }
            end += len;
        }
        &self.buf[..end]
    }

    /// The data once the final fragment is in and 0..end has no holes.
    pub(super) fn complete(&mut self) -> Option<(Vec<u8>, usize, u16)> {
        let (_, status) = self.last?;
        let mut expected = 0usize;
        for &(off, len) in &self.frags {
            if off as usize != expected {
                return None;
            }
            expected += len;
        }
        let fragments = self.frags.len();
        self.frags.clear();
        let mut out = std::mem::take(&mut self.buf);
        out.truncate(expected);
        Some((out, fragments, status))
    }
}
