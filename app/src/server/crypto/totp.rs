//! RFC 6238 time-based codes for the authenticator app: SHA-1, 6 digits, 30-second steps,
//! one step of drift either way. totp-rs computes the codes; this module decides which
//! step a code belongs to, so a step (and every earlier one) is used only once.

use rand::RngCore;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use totp_rs::{Algorithm, Builder, Totp};

/// Seconds per step.
pub const STEP: i64 = 30;
/// The secret's length: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

/// A fresh secret from the OS CSPRNG.
pub fn new_secret() -> [u8; SECRET_BYTES] {
    let mut secret = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], digits: u8, account: &str, issuer: &str) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(digits)
        .with_step_duration(STEP as u64)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(issuer))
        .build()
        .ok()
}

/// The 6-digit code for `step`.
pub fn code_for_step(secret: &[u8], step: i64) -> Option<String> {
    let t = totp(secret, 6, "", "Gatehouse")?;
    Some(t.generate(u64::try_from(step * STEP).ok()?).to_string())
}

/// The step `now` falls in.
pub fn step_at(now: OffsetDateTime) -> i64 {
    now.unix_timestamp().div_euclid(STEP)
}

/// The step (now, one before, or one after) whose code is `code`, if any. All three are
/// computed and compared in constant time.
pub fn matching_step(secret: &[u8], code: &str, now: OffsetDateTime) -> Option<i64> {
    let current = step_at(now);
    let mut found = None;
    for step in [current - 1, current, current + 1] {
        let expected = code_for_step(secret, step)?;
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = found.or(Some(step));
        }
    }
    found
}

/// The `otpauth://` URI apps scan, naming the issuer and the account.
pub fn otpauth_uri(secret: &[u8], username: &str, issuer: &str) -> Option<String> {
    totp(secret, 6, username, issuer)?.to_url().ok()
}

/// The secret as people type it into an app: base32 in groups of four.
pub fn grouped_base32(secret: &[u8]) -> String {
    let text = totp_rs::Secret::from(secret.to_vec()).to_base32();
    text.trim_end_matches('=')
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The secret from its typed form (base32, spaces and case ignored).
pub fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.split_whitespace().collect::<String>().to_uppercase();
    totp_rs::Secret::try_from_base32(compact)
        .ok()
        .map(|s| s.as_ref().to_vec())
}

/// `text` as a QR code drawn in SVG (dark modules as one path), made on the server.
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let dim = size + border * 2;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {dim} {dim}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code for your authenticator app\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the 20-byte ASCII secret "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";
    const RFC_VECTORS: &[(u64, &str)] = &[
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc_6238_test_vectors() {
        let eight = totp(RFC_SECRET, 8, "", "Gatehouse").unwrap();
        for (time, expected) in RFC_VECTORS {
            assert_eq!(eight.generate(*time).to_string(), *expected, "T = {time}");
            // Six digits are the same value modulo 10^6.
            let step = (*time as i64) / STEP;
            assert_eq!(
                code_for_step(RFC_SECRET, step).unwrap(),
                expected[2..],
                "T = {time}"
            );
        }
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let secret = new_secret();
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_015).unwrap();
        let step = step_at(now);
        for drift in [-1, 0, 1] {
            let code = code_for_step(&secret, step + drift).unwrap();
            assert_eq!(matching_step(&secret, &code, now), Some(step + drift));
        }
        for drift in [-2, 2] {
            let code = code_for_step(&secret, step + drift).unwrap();
            assert_eq!(matching_step(&secret, &code, now), None, "{drift}");
        }
    }

    #[test]
    fn the_uri_and_the_typed_secret_name_the_issuer_and_account() {
        let secret = [0x42u8; SECRET_BYTES];
        let uri = otpauth_uri(&secret, "alice", "Gatehouse").unwrap();
        assert!(uri.starts_with("otpauth://totp/Gatehouse:alice?"), "{uri}");
        assert!(uri.contains("issuer=Gatehouse"));
        let typed = grouped_base32(&secret);
        assert_eq!(secret_from_text(&typed.to_lowercase()).unwrap(), secret);
        assert_eq!(typed.replace(' ', "").len(), 32, "160 bits in base32");
        assert!(uri.contains(&format!("secret={}", typed.replace(' ', ""))));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<path"));
    }
}
