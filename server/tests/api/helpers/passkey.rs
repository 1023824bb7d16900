//! A software passkey for the integration tests: answers the options JSON the server sends
//! with the JSON a browser's `PublicKeyCredential.toJSON()` gives (binary fields as
//! base64url without padding), so the server's real parsing and verification path runs.
//!
//! Unlike webauthn-authenticator-rs's `SoftPasskey`, this one is discoverable: it remembers
//! the user handle given at registration and returns it with every assertion, whether or
//! not the server listed the credential in `allowCredentials`.
//!
//! What it makes: an ECDSA P-256 key (COSE alg -7), a random 32-byte credential id, "none"
//! attestation with an all-zero AAGUID, and flags UP always, UV / BE / BS as set on the
//! struct. The CBOR is written by hand: the structures are small and fixed.

#![allow(dead_code)] // test helper: not every test uses every knob

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use rand::RngCore as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_BE: u8 = 0x08;
const FLAG_BS: u8 = 0x10;
const FLAG_AT: u8 = 0x40;

/// One platform passkey (think: a phone's or a password manager's), for one user. A clone
/// is a copy of the same credential (as a cloned security key would be).
#[derive(Clone)]
pub struct SoftPasskey {
    key: SigningKey,
    credential_id: Vec<u8>,
    /// The `user.id` of the registration options, returned as `userHandle` by `assert`.
    user_handle: Option<Vec<u8>>,
    /// Sign count of the last signature; `assert` signs with counter + 1 and stores it.
    /// Registration reports the current value (0 for a new passkey). The increment wraps, so
    /// `u32::MAX` makes the next assertion sign with 0, as synced passkeys always do.
    pub counter: u32,
    /// Whether the authenticator claims user verification (UV flag). Default true.
    pub user_verified: bool,
    /// Backup eligible (BE flag). Default false.
    pub backup_eligible: bool,
    /// Backed up (BS flag). Default false.
    pub backed_up: bool,
}

impl Default for SoftPasskey {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftPasskey {
    /// A new key pair and credential id; counter 0, UV on, BE and BS off.
    pub fn new() -> Self {
        let mut credential_id = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut credential_id);
        SoftPasskey {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            credential_id,
            user_handle: None,
            counter: 0,
            user_verified: true,
            backup_eligible: false,
            backed_up: false,
        }
    }

    /// The user handle learned at registration.
    pub fn user_handle(&self) -> Option<&[u8]> {
        self.user_handle.as_deref()
    }

    /// Claims another user handle in later assertions (an attacker's forgery).
    pub fn set_user_handle(&mut self, handle: Vec<u8>) {
        self.user_handle = Some(handle);
    }

    /// The raw credential id (the server stores and lists it base64url-encoded).
    pub fn credential_id(&self) -> &[u8] {
        &self.credential_id
    }

    /// Answers `navigator.credentials.create`: `options` is the server's JSON
    /// `{"publicKey": {...}}` (webauthn-rs `CreationChallengeResponse` through `serde_json`);
    /// `origin` is the page's origin, e.g. `"http://localhost:3000"`. Uses the options'
    /// `rp.id` for the RP id hash and remembers `user.id` as the user handle. Returns the
    /// registration JSON.
    pub fn register(&mut self, options: &str, origin: &str) -> String {
        let options = parse_public_key(options);
        let rp_id = str_field(&options, &["rp", "id"]).to_owned();
        self.register_parsed(&options, origin, &rp_id)
    }

    /// As [`register`](Self::register), but hashes `rp_id` instead of the options' `rp.id`
    /// (to test a wrong RP id).
    pub fn register_for_rp(&mut self, options: &str, origin: &str, rp_id: &str) -> String {
        let options = parse_public_key(options);
        self.register_parsed(&options, origin, rp_id)
    }

    /// Answers `navigator.credentials.get`: `options` is the server's JSON
    /// `{"publicKey": {...}, "mediation"?: ...}` (webauthn-rs `RequestChallengeResponse`).
    /// Uses the options' `rpId`. Answers whether or not `allowCredentials` lists this
    /// credential (discoverable), and always includes `userHandle` (JSON null if this passkey
    /// was never registered). Increments `counter` first and signs with the new value.
    pub fn assert(&mut self, options: &str, origin: &str) -> String {
        let options = parse_public_key(options);
        let rp_id = str_field(&options, &["rpId"]).to_owned();
        self.assert_parsed(&options, origin, &rp_id)
    }

    /// As [`assert`](Self::assert), but hashes `rp_id` instead of the options' `rpId`.
    pub fn assert_for_rp(&mut self, options: &str, origin: &str, rp_id: &str) -> String {
        let options = parse_public_key(options);
        self.assert_parsed(&options, origin, rp_id)
    }

    fn register_parsed(&mut self, options: &Value, origin: &str, rp_id: &str) -> String {
        let challenge = str_field(options, &["challenge"]);
        let user_id = b64_decode(str_field(options, &["user", "id"]));
        self.user_handle = Some(user_id);

        let client_data = client_data_json("webauthn.create", challenge, origin);

        let mut auth_data = self.auth_data_head(rp_id, FLAG_AT);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID
        let id_len = u16::try_from(self.credential_id.len()).expect("credential id too long");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&self.cose_public_key());

        // {"fmt": "none", "attStmt": {}, "authData": h'...'}, keys in CTAP2 canonical order.
        let mut attestation_object = Vec::new();
        cbor_head(&mut attestation_object, 5, 3);
        cbor_text(&mut attestation_object, "fmt");
        cbor_text(&mut attestation_object, "none");
        cbor_text(&mut attestation_object, "attStmt");
        cbor_head(&mut attestation_object, 5, 0);
        cbor_text(&mut attestation_object, "authData");
        cbor_bytes(&mut attestation_object, &auth_data);

        let id = b64(&self.credential_id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "attestationObject": b64(&attestation_object),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
        .to_string()
    }

    fn assert_parsed(&mut self, options: &Value, origin: &str, rp_id: &str) -> String {
        let challenge = str_field(options, &["challenge"]);
        self.counter = self.counter.wrapping_add(1);

        let client_data = client_data_json("webauthn.get", challenge, origin);
        let auth_data = self.auth_data_head(rp_id, 0);

        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: DerSignature = self.key.sign(&signed);

        let id = b64(&self.credential_id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.as_bytes()),
                "userHandle": self.user_handle.as_deref().map(b64),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
        .to_string()
    }

    /// rpIdHash | flags | signCount: the 37 bytes every authenticator data starts with.
    fn auth_data_head(&self, rp_id: &str, extra_flags: u8) -> Vec<u8> {
        let mut flags = FLAG_UP | extra_flags;
        if self.user_verified {
            flags |= FLAG_UV;
        }
        if self.backup_eligible {
            flags |= FLAG_BE;
        }
        if self.backed_up {
            flags |= FLAG_BS;
        }
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// `COSE_Key` {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
    fn cose_public_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let x = point.x().expect("uncompressed point has x");
        let y = point.y().expect("uncompressed point has y");
        let mut out = Vec::new();
        cbor_head(&mut out, 5, 5);
        cbor_int(&mut out, 1);
        cbor_int(&mut out, 2);
        cbor_int(&mut out, 3);
        cbor_int(&mut out, -7);
        cbor_int(&mut out, -1);
        cbor_int(&mut out, 1);
        cbor_int(&mut out, -2);
        cbor_bytes(&mut out, x);
        cbor_int(&mut out, -3);
        cbor_bytes(&mut out, y);
        out
    }
}

/// The `publicKey` member of the server's options JSON.
fn parse_public_key(options: &str) -> Value {
    let mut value: Value = serde_json::from_str(options).expect("options are not JSON");
    value
        .get_mut("publicKey")
        .map(Value::take)
        .expect("options have no publicKey member")
}

fn str_field<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("options have no string at publicKey.{}", path.join(".")))
}

/// clientDataJSON as browsers write it (member order included).
fn client_data_json(type_: &str, challenge: &str, origin: &str) -> String {
    format!(
        r#"{{"type":{},"challenge":{},"origin":{},"crossOrigin":false}}"#,
        Value::from(type_),
        Value::from(challenge),
        Value::from(origin),
    )
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn b64_decode(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .unwrap_or_else(|e| panic!("options field {text:?} is not base64url: {e}"))
}

/// A CBOR head: major type `major` with argument `arg` (a value or a length), shortest form.
fn cbor_head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    if let Ok(small) = u8::try_from(arg) {
        if small < 24 {
            out.push(m | small);
        } else {
            out.extend_from_slice(&[m | 24, small]);
        }
    } else if let Ok(v) = u16::try_from(arg) {
        out.push(m | 25);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = u32::try_from(arg) {
        out.push(m | 26);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

/// Major type 0 (unsigned) or 1 (negative: -1 - n is written).
fn cbor_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        cbor_head(out, 0, n.unsigned_abs());
    } else {
        cbor_head(out, 1, n.unsigned_abs() - 1);
    }
}

fn cbor_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    cbor_head(out, 2, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn cbor_text(out: &mut Vec<u8>, text: &str) {
    cbor_head(out, 3, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}
