//! Java JKS and JCEKS keystores.

use super::{Entry, Problem};

pub(super) const JKS_MAGIC: [u8; 4] = [0xfe, 0xed, 0xfe, 0xed];
pub(super) const JCEKS_MAGIC: [u8; 4] = [0xce, 0xce, 0xce, 0xce];

/// The certificates of a JKS or JCEKS store, in the layout of Java's
/// `JavaKeyStore`: magic, version, count, then per entry a tag, alias and
/// date, and for a private key its encrypted key and certificate chain, for
/// a trusted certificate the certificate. Certificates are stored in the
/// clear; the password only seals an integrity digest, left unchecked here
/// as Java leaves it when loading without a password, so any store can be
/// inventoried.
pub(super) fn jks_entries(bytes: &[u8]) -> Result<Vec<Entry>, Problem> {
    let mut store = Reader(bytes);
    store.take(4)?; // magic
    let version = store.u32()?;
    if version != 1 && version != 2 {
        return Err(Problem::Malformed(format!("JKS version {version}")));
    }
    let mut entries = Vec::new();
    for _ in 0..store.u32()? {
        let tag = store.u32()?;
        let at = format!("entry `{}`", store.utf()?);
        store.take(8)?; // creation date
        let chain = match tag {
            1 => {
                let key = store.u32()?;
                store.take(key)?;
                store.u32()?
            }
            2 => 1,
            3 => {
                return Err(Problem::Unsupported(format!(
                    "{at} is a JCEKS secret key (a serialized Java object)"
                )));
            }
            _ => return Err(Problem::Malformed(format!("{at}: unknown entry tag {tag}"))),
        };
        for _ in 0..chain {
            if version == 2 {
                let kind = store.utf()?;
                if kind != "X.509" {
                    return Err(Problem::Unsupported(format!("{at}: {kind} certificate")));
                }
            }
            let length = store.u32()?;
            entries.push(Entry {
                at: at.clone(),
                der: store.take(length)?.to_vec(),
            });
        }
    }
    Ok(entries)
}

/// Big-endian fields read off the front of a Java keystore.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: u32) -> Result<&'a [u8], Problem> {
        let n = n as usize;
        if self.0.len() < n {
            return Err(Problem::Malformed("keystore is truncated".into()));
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32, Problem> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// Java's `writeUTF`: a 16-bit length, then modified UTF-8 (which
    /// differs from UTF-8 only for NUL and astral characters).
    fn utf(&mut self) -> Result<String, Problem> {
        let length = self.take(2)?;
        let text = self.take(u32::from(u16::from_be_bytes([length[0], length[1]])))?;
        Ok(String::from_utf8_lossy(text).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::truststore::listed;

    fn utf(text: &str) -> Vec<u8> {
        let mut out = (text.len() as u16).to_be_bytes().to_vec();
        out.extend(text.as_bytes());
        out
    }

    /// A version-2 JKS: a private-key entry with a two-certificate chain,
    /// then a trusted certificate, then `tail`.
    fn jks(tail: &[u8]) -> Vec<u8> {
        let mut out = [JKS_MAGIC, 2u32.to_be_bytes(), 2u32.to_be_bytes()].concat();
        out.extend(1u32.to_be_bytes());
        out.extend(utf("server"));
        out.extend([0; 8]);
        out.extend(3u32.to_be_bytes());
        out.extend([9, 9, 9]);
        out.extend(2u32.to_be_bytes());
        for der in [[1u8], [2]] {
            out.extend(utf("X.509"));
            out.extend(1u32.to_be_bytes());
            out.extend(der);
        }
        out.extend(2u32.to_be_bytes());
        out.extend(utf("rds-root"));
        out.extend([0; 8]);
        out.extend(utf("X.509"));
        out.extend(2u32.to_be_bytes());
        out.extend([3, 4]);
        out.extend(tail);
        out
    }

    #[test]
    fn jks_entries_give_chains_and_trusted_certificates() {
        let entries = jks_entries(&jks(&[0; 20])).unwrap();
        assert_eq!(
            listed(&entries),
            [
                ("entry `server`", &[1u8][..]),
                ("entry `server`", &[2][..]),
                ("entry `rds-root`", &[3, 4][..]),
            ]
        );
    }

    #[test]
    fn jks_problems_are_named() {
        let mut secret = jks(&[]);
        secret[8..12].copy_from_slice(&3u32.to_be_bytes());
        secret.extend(3u32.to_be_bytes());
        secret.extend(utf("hmac"));
        secret.extend([0; 8]);
        let full = jks(&[]);
        let table = [
            (
                full[..full.len() - 1].to_vec(),
                Problem::Malformed("keystore is truncated".into()),
            ),
            (
                secret,
                Problem::Unsupported(
                    "entry `hmac` is a JCEKS secret key (a serialized Java object)".into(),
                ),
            ),
        ];
        for (bytes, want) in table {
            assert_eq!(jks_entries(&bytes).err(), Some(want));
        }
    }
}
