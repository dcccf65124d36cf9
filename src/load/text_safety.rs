//! Characters no generated file should carry: control characters (other than tab and
//! newline), which can corrupt terminals, conf files and JSON consumers, and Unicode
//! bidirectional overrides, which make text display differently from what it is
//! ("Trojan Source"). Everything else is escaped by the backends.

use super::tree::Node;
use crate::diag::{Code, Diagnostic};
use crate::span::Spanned;

/// Reports every string (value or key) in `root` that contains an unsafe character.
pub fn check(root: &Spanned<Node>, out: &mut Vec<Diagnostic>) {
    match &root.value {
        Node::Str(s) => check_str(s, root, out),
        Node::Seq(items) => items.iter().for_each(|n| check(n, out)),
        Node::Map(entries) => {
            for (k, v) in entries {
                check_str(&k.value, k, out);
                check(v, out);
            }
        }
        _ => {}
    }
}

fn check_str<T>(s: &str, at: &Spanned<T>, out: &mut Vec<Diagnostic>) {
    if let Some(c) = s.chars().find(|c| is_unsafe(*c)) {
        out.push(
            Diagnostic::error(Code::UnsafeText, at.span, format!("text contains the character U+{:04X}", c as u32), "unsafe character in this value")
                .with_help("remove control characters and bidirectional overrides; they cannot be emitted safely into rules, searches and runbooks"),
        );
    }
}

/// Whether `c` is a control character other than tab/newline, a bidi override, a Unicode
/// line or paragraph separator (line breaks for YAML 1.1 parsers such as Go's), a byte
/// order mark or a noncharacter (invalid in XML).
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
                | '\u{FFFE}'
                | '\u{FFFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::is_unsafe;

    #[test]
    fn flags_controls_and_bidi_overrides_only() {
        for c in [
            '\u{0}', '\u{1b}', '\r', '\u{7f}', '\u{85}', '\u{202E}', '\u{2066}', '\u{2028}',
            '\u{2029}', '\u{FEFF}', '\u{FFFF}',
        ] {
            assert!(is_unsafe(c), "{c:?}");
        }
        for c in ['\n', '\t', 'a', '|', '`', '"', '{', 'é', '日', '\u{200D}'] {
            assert!(!is_unsafe(c), "{c:?}");
        }
    }
}
