//! Escaping of user text for Markdown and Mermaid, used as template filters.
//!
//! Every piece of free text (titles, descriptions, reasons, queries) goes through one of
//! these before it lands in the runbook, so `|`, `*`, `<`, backticks, quotes, brackets or
//! newlines can never break a table, a heading or a diagram.

/// Markdown inline text: ASCII punctuation with a Markdown meaning is backslash-escaped,
/// line breaks become spaces, and a leading list or heading marker is neutralised.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in single_line(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    neutralise_block_start(out)
}

/// A GFM table cell: like [`inline`], but line breaks become `<br>` so a multi-line
/// description stays readable without ending the row.
pub fn cell(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(inline)
        .collect();
    lines.join("<br>")
}

/// A code span for inline use: the fence is one backtick longer than the longest run
/// inside, padded when the text starts or ends with a backtick.
pub fn code(text: &str) -> String {
    code_span(&single_line(text), false)
}

/// A code span inside a table cell: as [`code`], with `|` escaped (GFM splits table rows
/// on `|` before it parses code spans, and renders `\|` as `|`).
pub fn code_cell(text: &str) -> String {
    code_span(&single_line(text), true)
}

/// A Markdown link destination for an http(s) URL, in angle brackets: every byte that
/// could end the destination, the link or a table cell (controls, space, `<`, `>`, `\`,
/// `|`, `` ` ``) is percent-encoded, so `[text]({url})` is always one link to that URL.
pub fn url(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('<');
    for b in text.bytes() {
        if b <= b' ' || b >= 0x7f || matches!(b, b'<' | b'>' | b'\\' | b'|' | b'`') {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out.push('>');
    out
}

/// A fenced code block (with a trailing newline) whose fence is longer than any
/// backtick run in `text`.
pub fn fenced(text: &str, lang: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    let lang: String = lang.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

/// A Mermaid label for use between double quotes (`id["..."]`, `-->|"..."|`): quotes,
/// angle brackets, `#`, `%`, `|` and backticks become Mermaid entity codes, line breaks
/// become `<br/>`.
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("<br/>");
        }
        for c in line.chars() {
            match c {
                '#' => out.push_str("#35;"),
                '"' => out.push_str("#quot;"),
                '<' => out.push_str("#lt;"),
                '>' => out.push_str("#gt;"),
                '%' => out.push_str("#37;"),
                '|' => out.push_str("#124;"),
                '`' => out.push_str("#96;"),
                '&' => out.push_str("#38;"),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out
}

/// Joins the lines of `text` with single spaces.
fn single_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

fn code_span(text: &str, in_table: bool) -> String {
    let body = if in_table {
        text.replace('|', "\\|")
    } else {
        text.to_string()
    };
    let fence = "`".repeat(longest_run(&body, '`') + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') || body.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Escapes a leading `-`, `+`, `=` or ordered-list marker (`1.`), which would otherwise
/// start a list or a setext heading when the text begins a line.
fn neutralise_block_start(text: String) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let after_digits = text[digits..].chars().next();
    if text.starts_with(['-', '+', '=']) {
        format!("\\{text}")
    } else if digits > 0 && matches!(after_digits, Some('.' | ')')) {
        format!("{}\\{}", &text[..digits], &text[digits..])
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_stays_one_link_destination() {
        assert_eq!(
            url("https://g.example.com/d/x?a=b|c <d>\\`"),
            "<https://g.example.com/d/x?a=b%7Cc%20%3Cd%3E%5C%60>"
        );
        assert_eq!(
            url("https://g.example.com/é"),
            "<https://g.example.com/%C3%A9>"
        );
    }

    use super::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    const HOSTILE: &[&str] = &[
        "a | b",
        "*bold* and _em_",
        "<script>alert(1)</script>",
        "``tick`` `x`",
        "line one\nline two\r\n- item",
        "# heading",
        "1. first",
        "- dash",
        "[link](http://x) ![img](y)",
        "back\\slash | \\|",
        "&amp; &#124;",
        "```",
        "`",
        "~~~strike~~~",
        "= setext",
        "",
    ];

    fn text_of(md: &str) -> String {
        let mut s = String::new();
        for ev in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
            match ev {
                Event::Text(t) | Event::Code(t) => s.push_str(&t),
                Event::SoftBreak | Event::HardBreak => s.push(' '),
                _ => {}
            }
        }
        s
    }

    fn events(md: &str) -> Vec<Event<'_>> {
        Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect()
    }

    #[test]
    fn inline_text_reads_back_verbatim_in_a_paragraph_and_heading() {
        for h in HOSTILE {
            let expected = single_line(h);
            let para = format!("Text: {}", inline(h));
            assert_eq!(
                text_of(&para),
                format!("Text: {expected}").trim_end(),
                "{h:?}"
            );
            let heading = format!("## {}\n", inline(h));
            let evs = events(&heading);
            assert!(
                matches!(evs.first(), Some(Event::Start(Tag::Heading { .. }))),
                "{h:?}"
            );
            assert_eq!(text_of(&heading), expected, "{h:?}");
            // No emphasis, links, HTML or lists can appear.
            assert!(evs.iter().all(|e| !matches!(
                e,
                Event::Start(Tag::Emphasis | Tag::Strong | Tag::Link { .. } | Tag::List(_))
                    | Event::Html(_)
                    | Event::InlineHtml(_)
            )));
        }
    }

    #[test]
    fn leading_markers_do_not_start_blocks() {
        for h in ["1. first", "- dash", "+ plus", "= setext", "12) x"] {
            let md = format!("{}\n", inline(h));
            let evs = events(&md);
            assert!(
                matches!(evs.first(), Some(Event::Start(Tag::Paragraph))),
                "{h:?}"
            );
            assert_eq!(text_of(&md), h);
        }
    }

    #[test]
    fn cells_and_code_cells_keep_the_table_shape() {
        for h in HOSTILE {
            let md = format!(
                "| a | b | c |\n|---|---|---|\n| {} | {} | x |\n",
                cell(h),
                code_cell(h)
            );
            let mut cells_in_row = 0;
            let mut rows = 0;
            let mut code = String::new();
            let mut in_body_cell = 0;
            for ev in events(&md) {
                match ev {
                    Event::Start(Tag::TableRow) => {
                        rows += 1;
                        cells_in_row = 0;
                    }
                    Event::Start(Tag::TableCell) => {
                        cells_in_row += 1;
                        in_body_cell = cells_in_row;
                    }
                    Event::Code(c) if in_body_cell == 2 => code.push_str(&c),
                    Event::End(TagEnd::TableRow) => assert_eq!(cells_in_row, 3, "{h:?}\n{md}"),
                    _ => {}
                }
            }
            assert_eq!(rows, 1, "{h:?}\n{md}");
            if !h.trim().is_empty() {
                assert_eq!(code.trim(), single_line(h).trim(), "{h:?}");
            }
        }
    }

    #[test]
    fn multi_line_cells_use_line_break_tags() {
        assert_eq!(cell("one\ntwo | three"), "one<br>two \\| three");
    }

    #[test]
    fn code_spans_survive_backticks() {
        for h in ["``tick`` `x`", "`", "a`b", "plain"] {
            let md = code(h);
            let evs = events(&md);
            let got: Vec<_> = evs
                .iter()
                .filter_map(|e| match e {
                    Event::Code(c) => Some(c.to_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(got, vec![h.to_string()], "{md}");
        }
    }

    #[test]
    fn fenced_blocks_hold_backtick_fences() {
        let text = "a ``` b\n````\nc";
        let md = fenced(text, "promql");
        let mut got = String::new();
        let mut blocks = 0;
        for ev in events(&md) {
            match ev {
                Event::Start(Tag::CodeBlock(_)) => blocks += 1,
                Event::Text(t) => got.push_str(&t),
                _ => {}
            }
        }
        assert_eq!(blocks, 1);
        assert_eq!(got, format!("{text}\n"));
    }

    #[test]
    fn mermaid_labels_have_no_quotes_brackets_or_newlines() {
        for h in HOSTILE {
            let m = mermaid(h);
            assert!(
                !m.contains(['"', '\n', '\r', '<', '>', '`', '|', '%']) || m.contains("<br/>"),
                "{m}"
            );
            let without_breaks = m.replace("<br/>", "");
            assert!(
                !without_breaks.contains(['"', '\n', '\r', '<', '>', '`', '|', '%']),
                "{m}"
            );
        }
        assert_eq!(mermaid("say \"hi\"\nnow"), "say #quot;hi#quot;<br/>now");
        assert_eq!(mermaid("#1"), "#35;1");
    }
}
