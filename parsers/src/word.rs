//! Word-at-a-time byte searches for the short fields of a line's prefix
//! (an address, a user name): eight bytes are tested in a handful of
//! integer operations, where a byte loop spends several instructions on
//! each byte and a memchr call costs more to set up than the field is long.

/// A one in each byte's lowest bit.
const LOW: u64 = 0x0101_0101_0101_0101;
/// A one in each byte's highest bit.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Flags (the high bit of) the bytes of `word` below `n` (`n` ≤ 128). Only
/// the lowest flag is exact — a borrow can spill into the bytes above a
/// flagged one — which is the one the searches take.
#[inline(always)]
fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(LOW * u64::from(n)) & !word & HIGH
}

/// The first position at or after `from` whose byte `flags` flags in its
/// word (`test` on the bytes after the last whole word).
#[inline(always)]
fn find_by(
    bytes: &[u8],
    from: usize,
    flags: impl Fn(u64) -> u64,
    test: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut at = from;
    while let Some(word) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let flagged = flags(u64::from_le_bytes(*word));
        if flagged != 0 {
            // Little-endian: the lowest byte of the word is the first.
            return Some(at + (flagged.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes
        .get(at..)?
        .iter()
        .position(|&b| test(b))
        .map(|i| at + i)
}

/// Where `byte` first occurs at or after `from`.
#[inline(always)]
pub(crate) fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    find_by(
        bytes,
        from,
        |word| below(word ^ (LOW * u64::from(byte)), 1),
        |b| b == byte,
    )
}

/// Where the first byte below `n` (`n` ≤ 128) is at or after `from`.
#[inline(always)]
pub(crate) fn find_below(bytes: &[u8], from: usize, n: u8) -> Option<usize> {
    debug_assert!(n <= 128);
    find_by(bytes, from, |word| below(word, n), |b| b < n)
}

/// Whether `a` and `b` hold the same bytes, compared eight at a time in
/// place: the labels, names and timestamps compared on every connection
/// line are a few dozen bytes, for which a `memcmp` call (what `==` on
/// slices becomes) costs more than the comparison.
#[inline(always)]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| w.first_chunk::<8>())
            .map(|w| u64::from_le_bytes(*w))
    };
    if a.len() < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut at = 0;
    while at + 8 < a.len() {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes, overlapping the words before where the length
    // is not a multiple of eight.
    let last = a.len() - 8;
    word(a, last) == word(b, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal where `==` is, at every length around the word size, with the
    /// one differing byte at every place.
    #[test]
    fn same_bytes_is_slice_equality() {
        for len in 0usize..40 {
            let a: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            assert!(same_bytes(&a, &a.clone()));
            if len > 0 {
                assert!(!same_bytes(&a, &a[..len - 1]));
            }
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 0x80;
                assert!(!same_bytes(&a, &b), "len {len}, byte {at}");
            }
        }
    }

    /// Both searches find what a byte loop finds, at every start, in texts
    /// longer and shorter than a word, with bytes above 127 and the borrows
    /// they and low bytes cause.
    #[test]
    fn the_word_searches_find_what_a_loop_finds() {
        let texts: [&[u8]; 8] = [
            b"",
            b"@",
            b"abc",
            b"10.4.191.174(54523):user@db:[1]:",
            b"\x00\x01@\xff\x80(\x7f@@::[",
            "ü@é(ß:[ a".as_bytes(),
            b"aaaaaaaaaaaaaaaa(",
            b"aaaaaaa\x29\x2a\x2b\x20\x09(",
        ];
        for text in texts {
            for from in 0..=text.len() + 1 {
                for byte in [b'@', b'(', b':', 0, 0xff, b'a'] {
                    let expected = text
                        .get(from..)
                        .and_then(|rest| rest.iter().position(|&b| b == byte))
                        .map(|i| from + i);
                    assert_eq!(
                        find_byte(text, from, byte),
                        expected,
                        "{text:?} {from} {byte}"
                    );
                }
                for n in [1, b' ' + 1, b'*', 128] {
                    let expected = text
                        .get(from..)
                        .and_then(|rest| rest.iter().position(|&b| b < n))
                        .map(|i| from + i);
                    assert_eq!(find_below(text, from, n), expected, "{text:?} {from} {n}");
                }
            }
        }
    }
}
