//! Decimal numbers in log fields (pids, ports): `str::parse` accepts the
//! same texts, but its general sign and radix handling costs more than the
//! few digits it reads on every connection line.

/// `text` as an unsigned decimal that fits `T`: the texts `str::parse::<T>`
/// accepts (an optional `+`, then one or more ASCII digits), and no others.
pub(crate) fn decimal<T: TryFrom<u64>>(text: &str) -> Option<T> {
    let digits = text.as_bytes();
    let digits = digits.strip_prefix(b"+").unwrap_or(digits);
    // 19 digits always fit a u64; longer ones are for `str::parse` to judge
    // (leading zeros), and never a pid or a port.
    if digits.is_empty() || digits.len() > 19 {
        return text.parse::<u64>().ok().and_then(|n| T::try_from(n).ok());
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    T::try_from(n).ok()
}

/// A run of ASCII digits (a field the prefix matcher cut as one) as `T`:
/// what [`decimal`] gives for it, without testing each byte again.
#[inline(always)]
pub(crate) fn digit_run<T: TryFrom<u64>>(run: &str) -> Option<T> {
    // 19 digits always fit a u64; longer runs (leading zeros) are for
    // `decimal` to judge.
    if run.is_empty() || run.len() > 19 {
        return decimal(run);
    }
    debug_assert!(run.bytes().all(|b| b.is_ascii_digit()), "{run:?}");
    let n = run
        .bytes()
        .fold(0u64, |n, d| n * 10 + u64::from(d.wrapping_sub(b'0')));
    T::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_str_parse_accepts() {
        let texts = [
            "0",
            "7",
            "5432",
            "65535",
            "65536",
            "4294967295",
            "4294967296",
            "+80",
            "+",
            "",
            "-1",
            " 1",
            "1 ",
            "1a",
            "00012",
            "١٢",
            "99999999999999999999",
            "000000000000000000000080",
        ];
        for text in texts {
            if text.bytes().all(|b| b.is_ascii_digit()) {
                assert_eq!(digit_run::<u16>(text), decimal::<u16>(text), "{text:?}");
                assert_eq!(digit_run::<u32>(text), decimal::<u32>(text), "{text:?}");
            }
            assert_eq!(
                decimal::<u16>(text),
                text.parse::<u16>().ok(),
                "u16 {text:?}"
            );
            assert_eq!(
                decimal::<u32>(text),
                text.parse::<u32>().ok(),
                "u32 {text:?}"
            );
        }
    }
}
