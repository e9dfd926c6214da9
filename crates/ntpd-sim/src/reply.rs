//! Building response datagrams the way ntpd 1.2.2 fills its packet buffer.
//!
//! ntpd appends `name=value` items one at a time, separating them with
//! `", "` or `",\r\n"` (when the line would reach 72 characters), and
//! flushes a fragment when an item plus three octets of trailing room does
//! not fit in the 468 data octets, splitting the item across fragments.
//! The final fragment gets `"\r\n"` if it fits. This matters for raw mode
//! and for the MRU `frags=` budget, so it is modelled here instead of
//! chunking a finished text.

use ntp_control::header::{encode_fragments, Header};
use ntp_control::CTL_MAX_DATA_LEN;

const MAX_LINE: usize = 72;

/// A response under construction.
#[derive(Debug, Default)]
pub struct ReplyBuilder {
    done: Vec<Vec<u8>>,
    cur: Vec<u8>,
    line_len: usize,
    sent_any: bool,
    text: bool,
}

impl ReplyBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Fragments already flushed plus the one being filled (ntpd's `res_frags`).
    pub fn frags(&self) -> usize {
        self.done.len() + 1
    }

    fn flush(&mut self) {
        self.done.push(std::mem::take(&mut self.cur));
    }

    /// Appends one textual item (`name=value`).
    pub fn put_item(&mut self, item: &[u8]) {
        self.text = true;
        if self.sent_any {
            self.cur.push(b',');
            self.line_len += 1;
            if item.len() + self.line_len + 1 >= MAX_LINE {
                self.cur.extend_from_slice(b"\r\n");
                self.line_len = 0;
            } else {
                self.cur.push(b' ');
                self.line_len += 1;
            }
        }
        self.put_raw(item, 3);
    }

    /// Appends binary data (READSTAT).
    pub fn put_binary(&mut self, data: &[u8]) {
        self.put_raw(data, 0);
    }

    fn put_raw(&mut self, mut data: &[u8], overhead: usize) {
        while data.len() + overhead + self.cur.len() > CTL_MAX_DATA_LEN {
            let room = CTL_MAX_DATA_LEN.saturating_sub(self.cur.len());
            let n = data.len().min(room);
            self.cur.extend_from_slice(&data[..n]);
            data = &data[n..];
            self.line_len += n;
            self.flush();
        }
        self.cur.extend_from_slice(data);
        self.line_len += data.len();
        self.sent_any = true;
    }

    pub fn put_str(&mut self, item: &str) {
        self.put_item(item.as_bytes());
    }

    /// Finishes the response: the data of each fragment, in order.
    pub fn finish(mut self) -> Vec<Vec<u8>> {
        if self.text && self.cur.len() + 2 < CTL_MAX_DATA_LEN {
            self.cur.extend_from_slice(b"\r\n");
        }
        self.flush();
        self.done
    }
}

/// Wraps fragment data in headers: offsets, M bits, padding to 4 octets.
pub fn datagrams(request: &Header, leap: u8, status: u16, fragments: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    encode_fragments(request, leap, status, fragments.iter().map(Vec::as_slice))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntp_control::varlist::encode_server_text;

    #[test]
    fn small_text_matches_encode_server_text() {
        let items: Vec<String> = (0..9).map(|i| format!("variable{i}=value{i}")).collect();
        let mut b = ReplyBuilder::new();
        for it in &items {
            b.put_str(it);
        }
        let frags = b.finish();
        assert_eq!(frags.len(), 1);
        let want = encode_server_text(items.iter().map(String::as_str));
        assert_eq!(String::from_utf8(frags[0].clone()).unwrap(), want);
    }

    #[test]
    fn large_text_splits_and_keeps_content() {
        let items: Vec<String> = (0..200).map(|i| format!("v{i}=0x{i:08x}")).collect();
        let mut b = ReplyBuilder::new();
        for it in &items {
            b.put_str(it);
        }
        let frags = b.finish();
        assert!(frags.len() > 1);
        for f in &frags[..frags.len() - 1] {
            assert!(f.len() <= CTL_MAX_DATA_LEN && f.len() >= CTL_MAX_DATA_LEN - 3);
        }
        let all: Vec<u8> = frags.concat();
        let want = encode_server_text(items.iter().map(String::as_str));
        assert_eq!(String::from_utf8(all).unwrap(), want);
    }

    #[test]
    fn binary_has_no_crlf() {
        let mut b = ReplyBuilder::new();
        b.put_binary(&[0, 1, 0x80, 0x1b]);
        assert_eq!(b.finish(), vec![vec![0, 1, 0x80, 0x1b]]);
    }
}
