//! PKCS#12 keystores (`.p12`, `.pfx`, Java's default keystore type).

use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as Pkcs12Error;

use super::{Entry, Problem};

pub(super) fn pkcs12_entries(bytes: &[u8], password: Option<&str>) -> Result<Vec<Entry>, Problem> {
    let tries: &[&str] = match &password {
        Some(p) => std::slice::from_ref(p),
        None => &["changeit", ""],
    };
    let mut failure = None;
    for password in tries {
        match Pkcs12Archive::from_pkcs12(bytes, password) {
            Ok(archive) => {
                return Ok(archive
                    .certs
                    .into_iter()
                    .enumerate()
                    .map(|(i, bag)| Entry {
                        at: bag.friendly_name.map_or_else(
                            || format!("certificate {}", i + 1),
                            |name| format!("entry `{name}`"),
                        ),
                        der: bag.cert.as_der().to_vec(),
                    })
                    .collect());
            }
            Err(e) => failure = Some(e),
        }
    }
    // A wrong password fails the MAC, or without a MAC, the decryption.
    // Error texts never carry the password.
    Err(match failure {
        Some(Pkcs12Error::MacError(_) | Pkcs12Error::Pkcs5Error(_) | Pkcs12Error::UnpadError) => {
            Problem::Password {
                given: password.is_some(),
            }
        }
        Some(e) => Problem::Malformed(format!("PKCS#12: {e}")),
        None => Problem::Empty,
    })
}
