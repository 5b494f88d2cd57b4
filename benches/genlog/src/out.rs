//! Output buffer, byte/line accounting and the cached `%t` timestamp.

use std::io::{self, Write};

/// Flush to the underlying writer once this many bytes are buffered.
const FLUSH_AT: usize = 1 << 18;

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats `%t` (`2026-11-29 03:52:55 UTC`), re-formatting only when the second changes.
struct Clock {
    sec: i64,
    text: [u8; 23],
}

impl Clock {
    fn get(&mut self, ms: i64) -> &[u8; 23] {
        let s = ms.div_euclid(1000);
        if s != self.sec {
            self.sec = s;
            let (y, mo, d) = civil_from_days(s.div_euclid(86_400));
            let sod = s.rem_euclid(86_400);
            let mut t = [0u8; 23];
            let mut w = &mut t[..];
            let _ = write!(
                w,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                y,
                mo,
                d,
                sod / 3600,
                sod / 60 % 60,
                sod % 60
            );
            self.text = t;
        }
        &self.text
    }
}

/// Buffered sink. Formatting goes into `buf` (a `Vec<u8>`, so `write!` cannot fail);
/// I/O errors can only happen in [`Out::flush_if_full`] / [`Out::finish`].
pub(crate) struct Out<W: Write> {
    pub buf: Vec<u8>,
    inner: W,
    flushed: u64,
    lines: u64,
    scanned: usize,
    clock: Clock,
}

impl<W: Write> Out<W> {
    pub fn new(inner: W) -> Self {
        Out {
            buf: Vec::with_capacity(FLUSH_AT + (1 << 16)),
            inner,
            flushed: 0,
            lines: 0,
            scanned: 0,
            clock: Clock {
                sec: i64::MIN,
                text: [0; 23],
            },
        }
    }

    /// Bytes produced so far (flushed + buffered).
    #[inline]
    pub fn bytes(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }

    /// Lines produced so far (every `\n`, continuation lines included).
    #[inline]
    pub fn lines(&mut self) -> u64 {
        let new = &self.buf[self.scanned..];
        self.lines += new.iter().filter(|&&b| b == b'\n').count() as u64;
        self.scanned = self.buf.len();
        self.lines
    }

    /// Starts a line: `<%t>:<rest-of-prefix><SEVERITY>:  `.
    /// `prefix` is everything between the timestamp's `:` and the severity,
    /// e.g. `10.0.3.7(53004):app_user@orders:[6504]:`.
    #[inline]
    pub fn begin(&mut self, now_ms: i64, prefix: &str, severity: &str) {
        let ts = self.clock.get(now_ms);
        self.buf.extend_from_slice(ts);
        self.buf.push(b':');
        self.buf.extend_from_slice(prefix.as_bytes());
        self.buf.extend_from_slice(severity.as_bytes());
        self.buf.extend_from_slice(b":  ");
    }

    #[inline]
    pub fn s(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    #[inline]
    pub fn end(&mut self) {
        self.buf.push(b'\n');
    }

    pub fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.lines();
        self.inner.write_all(&self.buf)?;
        self.flushed += self.buf.len() as u64;
        self.buf.clear();
        self.scanned = 0;
        Ok(())
    }

    /// Flushes everything; returns (bytes, lines).
    pub fn finish(mut self) -> io::Result<(u64, u64)> {
        self.flush_buf()?;
        self.inner.flush()?;
        Ok((self.flushed, self.lines))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_roundtrip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 11, 1), 20_758);
        for z in [-1000, 0, 59, 60, 20_758, 20_819, 100_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn clock_format() {
        let mut c = Clock {
            sec: i64::MIN,
            text: [0; 23],
        };
        let ms = (days_from_civil(2026, 11, 29) * 86_400 + 3 * 3600 + 52 * 60 + 55) * 1000 + 999;
        assert_eq!(c.get(ms), b"2026-11-29 03:52:55 UTC");
    }
}
