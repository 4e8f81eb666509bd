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
    format!("+{}***…{last}", &digits[..2])
}

/// `text` with every occurrence of `number` masked.
pub fn mask_in(text: &str, number: &str) -> String {
    if number.is_empty() {
        return text.to_owned();
    }
    text.replace(number, &mask(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_only_what_helps_tell_customers_apart() {
        assert_eq!(mask("+15557774321"), "+1 555-***-4321");
        assert_eq!(mask("+447700905678"), "+44***…5678");
        assert_eq!(mask("12345"), "***");
        assert_eq!(
            mask_in("+15557774321 opted out of texts from +15550001111", "+15557774321"),
            "+1 555-***-4321 opted out of texts from +15550001111"
        );
    }
}
