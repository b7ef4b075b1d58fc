//! SPNEGO (RFC 4178), the wrapping the `Negotiate` HTTP scheme carries its tokens in
//! (RFC 4559): the client offers Kerberos alone, with its first token, and reads the
//! server's answers. Offering one mechanism leaves nothing to negotiate, so no mechListMIC
//! is needed; one the server sends is not checked (it could only confirm that one-entry
//! list).

use super::der::{element, write};

/// SPNEGO's OID, 1.3.6.1.5.5.2.
const SPNEGO: &[u8] = &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x02];
/// Kerberos's OID, 1.2.840.113554.1.2.2.
const KERBEROS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02];

/// The first token: NegTokenInit offering Kerberos, with Kerberos's first token.
pub(crate) fn init(kerberos_token: &[u8]) -> Vec<u8> {
    let mech_types = write(0xA0, &write(0x30, &write(0x06, KERBEROS)));
    let mech_token = write(0xA2, &write(0x04, kerberos_token));
    let neg_token_init = write(0x30, &[mech_types, mech_token].concat());
    let inner = [write(0x06, SPNEGO), write(0xA0, &neg_token_init)].concat();
    write(0x60, &inner)
}

/// A later token: NegTokenResp carrying Kerberos's next token.
pub(crate) fn next(kerberos_token: &[u8]) -> Vec<u8> {
    write(
        0xA1,
        &write(0x30, &write(0xA2, &write(0x04, kerberos_token))),
    )
}

/// The Kerberos token in the server's token, a NegTokenResp or a bare Kerberos token (which
/// some servers send back to a client that wrapped its own), if it holds one. The state a
/// NegTokenResp gives is not needed: the client's GSSAPI context reads the token, an error
/// token (a KRB-ERROR) included, and a refusal without a token is the server's 401.
pub(crate) fn answer(token: &[u8]) -> Result<Option<Vec<u8>>, String> {
    if token.first() == Some(&0x60) {
        return Ok(Some(token.to_vec()));
    }
    let unreadable = || "the server's Negotiate token is neither SPNEGO nor Kerberos".to_owned();
    let (response, _) = element(token, 0xA1).ok_or_else(unreadable)?;
    let (mut fields, _) = element(response, 0x30).ok_or_else(unreadable)?;
    let mut kerberos_token = None;
    while let Some(&tag) = fields.first() {
        let (contents, rest) = element(fields, tag).ok_or_else(unreadable)?;
        match tag {
            0xA1 if element(contents, 0x06).map(|(oid, _)| oid) != Some(KERBEROS) => {
                return Err("the server chose another mechanism than Kerberos".to_owned());
            }
            0xA2 => {
                let (inner, _) = element(contents, 0x04).ok_or_else(unreadable)?;
                kerberos_token = Some(inner.to_vec());
            }
            _ => {}
        }
        fields = rest;
    }
    Ok(kerberos_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_token_offers_kerberos_alone() {
        let token = init(b"AP-REQ");
        let (inner, rest) = element(&token, 0x60).unwrap();
        assert!(rest.is_empty());
        let (oid, inner) = element(inner, 0x06).unwrap();
        assert_eq!(oid, SPNEGO);
        let (init, _) = element(inner, 0xA0).unwrap();
        let (fields, _) = element(init, 0x30).unwrap();
        let (mech_types, fields) = element(fields, 0xA0).unwrap();
        let (list, _) = element(mech_types, 0x30).unwrap();
        assert_eq!(element(list, 0x06), Some((KERBEROS, &[][..])));
        let (mech_token, fields) = element(fields, 0xA2).unwrap();
        assert_eq!(element(mech_token, 0x04), Some((&b"AP-REQ"[..], &[][..])));
        assert!(fields.is_empty());
        let later = next(b"more");
        let (response, _) = element(&later, 0xA1).unwrap();
        let (fields, _) = element(response, 0x30).unwrap();
        let (response_token, _) = element(fields, 0xA2).unwrap();
        assert_eq!(element(response_token, 0x04), Some((&b"more"[..], &[][..])));
    }

    #[test]
    fn long_tokens_get_long_lengths() {
        let token = init(&[7u8; 1500]);
        let (inner, rest) = element(&token, 0x60).unwrap();
        assert!(rest.is_empty());
        assert_eq!(token[1], 0x82);
        assert_eq!(
            usize::from(u16::from_be_bytes([token[2], token[3]])),
            inner.len()
        );
        assert_eq!(write(0x04, &[0; 0x1_0000])[1..5], [0x83, 0x01, 0x00, 0x00]);
    }

    #[test]
    fn answers_are_read() {
        // accept-completed, Kerberos chosen, the AP-REP, and a mechListMIC.
        let fields = [
            write(0xA0, &write(0x0A, &[0])),
            write(0xA1, &write(0x06, KERBEROS)),
            write(0xA2, &write(0x04, b"AP-REP")),
            write(0xA3, &write(0x04, b"MIC")),
        ]
        .concat();
        let token = write(0xA1, &write(0x30, &fields));
        assert_eq!(answer(&token), Ok(Some(b"AP-REP".to_vec())));
        let reject = write(0xA1, &write(0x30, &write(0xA0, &write(0x0A, &[2]))));
        assert_eq!(answer(&reject), Ok(None));
        let raw = [0x60, 0x03, 0x06, 0x01, 0x00];
        assert_eq!(answer(&raw), Ok(Some(raw.to_vec())));
        let ntlm = write(
            0xA1,
            &write(0x30, &write(0xA1, &write(0x06, &[0x2B, 0x06, 0x01, 0x04]))),
        );
        assert!(answer(&ntlm).is_err());
        for bad in [&b""[..], b"\xA1", b"\xA1\x02\x30\x05", b"NTLMSSP\0"] {
            assert!(answer(bad).is_err(), "{bad:?}");
        }
    }
}
