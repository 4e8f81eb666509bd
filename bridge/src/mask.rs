//! `supervisor.mask_customer_numbers` (PRODUCT.md §10): how agents see a
//! customer's number when it is on. North American numbers keep their
//! area code and last four digits (`+1 555-***-4321`); others their
//! first two digits and last four (`+44***…5678`). Supervisors,
//! exports and the carrier always get the real number. Pure.

/// `number` as agents see it when masking is on.
pub fn mask(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if number.starts_with("+1") && digits.len() == 11 {
        return format!("+1 {}-***-{}", &digits[1..4], &digits[7..]);
    }
    if digits.len() <= 6 {
        // Not a phone number worth hiding a part of (and too short to).
        return "***".to_owned();
    }
    let last = &digits[digits.len() - 4..];
    if digits.len() < 11 {
        // Short national numbers: the first digits would tell too much.
        return format!("***…{last}");
    }
    format!("+{}***…{last}", &digits[..2])
}

/// `text` with every phone number in it (a `+` and 7 to 15 digits) masked,
/// except those in `keep` (the business's own numbers): for texts that
/// may quote a customer's number, such as refusals and carrier errors.
pub fn mask_numbers(text: &str, keep: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('+') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let n = tail.bytes().take_while(u8::is_ascii_digit).count();
        let number = &rest[i..=i + n];
        if (7..=15).contains(&n) && !keep.contains(&number) {
            out.push_str(&mask(number));
        } else {
            out.push_str(number);
        }
        rest = &rest[i + 1 + n..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_only_what_helps_tell_customers_apart() {
        assert_eq!(mask("+15557774321"), "+1 555-***-4321");
        assert_eq!(mask("+447700905678"), "+44***…5678");
        assert_eq!(mask("12345"), "***");
        assert_eq!(mask("+4930123456"), "***…3456");
        assert_eq!(
            mask_numbers(
                "not sent: +15557774321 opted out of texts from +15550001111 (+1)",
                &["+15550001111"]
            ),
            "not sent: +1 555-***-4321 opted out of texts from +15550001111 (+1)"
        );
    }
}
