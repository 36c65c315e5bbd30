//! PEM decoding of CA certificates, client certificates and client keys. Errors say what is
//! wrong without echoing the input (a key is a secret).

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why PEM text could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    /// The PEM structure is broken.
    #[error("malformed PEM: {0}")]
    Malformed(String),
    /// No `CERTIFICATE` block.
    #[error("no \"-----BEGIN CERTIFICATE-----\" block found (a PEM file is expected, not DER)")]
    NoCertificate,
    /// No unencrypted private key block.
    #[error(
        "no \"-----BEGIN PRIVATE KEY-----\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\" block found"
    )]
    NoKey,
    /// The key is encrypted with a passphrase.
    #[error(
        "the private key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)"
    )]
    EncryptedKey,
}

/// Every `CERTIFICATE` block of `pem`, in order (at least one).
pub fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, PemError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(malformed)?;
    if certs.is_empty() {
        return Err(PemError::NoCertificate);
    }
    Ok(certs)
}

/// The first private key of `pem`: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1
/// (`EC PRIVATE KEY`).
pub fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, PemError> {
    match PrivateKeyDer::from_pem_slice(pem) {
        Ok(key) => Ok(key),
        Err(pem::Error::NoItemsFound) => {
            let encrypted = pem
                .windows(b"ENCRYPTED PRIVATE KEY".len())
                .any(|w| w == b"ENCRYPTED PRIVATE KEY");
            Err(if encrypted {
                PemError::EncryptedKey
            } else {
                PemError::NoKey
            })
        }
        Err(e) => Err(malformed(e)),
    }
}

/// Describe a PEM error in our words: the library's messages may quote the input.
fn malformed(e: pem::Error) -> PemError {
    PemError::Malformed(
        match e {
            pem::Error::MissingSectionEnd { .. } => "a block has no \"-----END\" line",
            pem::Error::IllegalSectionStart { .. } => "a \"-----BEGIN\" line is malformed",
            pem::Error::Base64Decode(_) => "a block holds invalid base64",
            pem::Error::SectionTooLarge => "a block is larger than 256 MB",
            _ => "unreadable",
        }
        .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_is_missing_without_quoting_the_input() {
        assert_eq!(certificates(b"garbage"), Err(PemError::NoCertificate));
        let broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n";
        assert!(matches!(certificates(broken), Err(PemError::Malformed(_))));
        let secret = b"-----BEGIN PRIVATE KEY-----\n!!secret!!\n-----END PRIVATE KEY-----\n";
        let e = private_key(secret).map(|_| ()).unwrap_err().to_string();
        assert!(!e.contains("secret"), "{e}");
        let encrypted =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            private_key(encrypted).map(|_| ()),
            Err(PemError::EncryptedKey)
        );
        assert_eq!(private_key(b"").map(|_| ()), Err(PemError::NoKey));
    }
}
