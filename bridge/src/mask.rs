//! `supervisor.mask_customer_numbers` (docs/configuration.md): how agents see a
//! customer's number when it is on. North American numbers keep their
//! area code and last four digits (`+1 555-***-4321`); others their
//! first two digits and last four (`+44***…5678`). Supervisors,
//! exports and the carrier always get the real number. A text about one
//! conversation (an intake field, a customer's line, a carrier's error)
//! may hold that customer's number in any format: `mask_customer` finds it
//! (`+15557770001`, `15557770001`, `(555) 777-0001`, `555.777.0001`,
//! `7770001`, `0015557770001`…). Pure.

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

/// Characters that may stand between the digit groups of one written
/// number (`(555) 777-0001`, `555.777.0001`, `555/7770001`).
fn is_separator(c: u8) -> bool {
    matches!(c, b' ' | b'-' | b'.' | b'(' | b')' | b'/')
}

/// Whether `written` (the digits of a number as someone wrote it) is the
/// customer's number `digits`: the whole of it, its last 7 digits or more
/// (without the country code or area code), or behind an international
/// (`00`, `011`) or trunk (`0`) prefix.
fn is_customer(written: &str, digits: &str) -> bool {
    let tail = |d: &str| d.len() >= 7 && digits.ends_with(d);
    written == digits
        || tail(written)
        || written.strip_prefix("011").is_some_and(|d| d == digits)
        || written.strip_prefix("00").is_some_and(|d| d == digits)
        || written.strip_prefix('0').is_some_and(tail)
}

/// `text` with every writing of `customer`'s number in it masked (as
/// `mask` shows the number). Other numbers are left alone; a customer
/// "number" of fewer than 7 digits (a short code, a sender name) is not a
/// person's number and is not looked for.
pub fn mask_customer(text: &str, customer: &str) -> String {
    let digits: String = customer.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    // Maximal runs of ASCII digits, as byte ranges.
    let mut groups = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            groups.push((start, i));
        } else {
            i += 1;
        }
    }
    // Groups i..=j are one written number when at most 3 separators stand
    // between each two.
    let joined =
        |a: (usize, usize), b: (usize, usize)| b.0 - a.1 <= 3 && bytes[a.1..b.0].iter().all(|c| is_separator(*c));
    let shown = mask(&format!("+{digits}"));
    let (mut out, mut copied, mut g) = (String::with_capacity(text.len()), 0, 0);
    while g < groups.len() {
        let mut last = g;
        while last + 1 < groups.len() && joined(groups[last], groups[last + 1]) {
            last += 1;
        }
        // The longest run of groups from `g` that is the customer's number.
        let found = (g..=last).rev().find(|&j| {
            let written: String = groups[g..=j].iter().map(|&(a, b)| &text[a..b]).collect();
            is_customer(&written, &digits)
        });
        let Some(j) = found else {
            g += 1;
            continue;
        };
        let mut start = groups[g].0;
        while start > copied && start > 0 && matches!(bytes[start - 1], b'+' | b'(') {
            start -= 1;
        }
        let mut end = groups[j].1;
        if text[start..groups[g].0].contains('(') && bytes.get(end) == Some(&b')') {
            end += 1;
        }
        out.push_str(&text[copied..start]);
        out.push_str(&shown);
        copied = end;
        g = j + 1;
    }
    out.push_str(&text[copied..]);
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

    #[test]
    fn the_customers_number_is_masked_however_it_is_written() {
        let masked = "+1 555-***-0001";
        for written in [
            "+15557770001",
            "15557770001",
            "5557770001",
            "(555) 777-0001",
            "555-777-0001",
            "555.777.0001",
            "+1 (555) 777-0001",
            "1-555-777-0001",
            "777-0001",
            "7770001",
            "011 1 555 777 0001",
            "0015557770001",
        ] {
            assert_eq!(
                mask_customer(&format!("account: {written}, topic: billing"), "+15557770001"),
                format!("account: {masked}, topic: billing"),
                "{written}"
            );
        }
        // Other numbers, and shorter pieces, stay.
        for other in [
            "order 42",
            "5557770002",
            "+15557770002",
            "0001",
            "555-0001",
            "account: 4455667788",
        ] {
            assert_eq!(mask_customer(other, "+15557770001"), other);
        }
        // Twice in one text, and in a national format with a trunk 0.
        assert_eq!(
            mask_customer("5557770001 or (555) 777-0001", "+15557770001"),
            format!("{masked} or {masked}")
        );
        assert_eq!(mask_customer("ring 07700 905678", "+447700905678"), "ring +44***…5678");
        // Short codes and sender names are not looked for.
        assert_eq!(mask_customer("code 12345", "12345"), "code 12345");
    }
}
