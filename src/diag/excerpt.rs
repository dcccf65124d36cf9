//! What a diagnostic shows of a spec: a bounded, terminal-safe excerpt.
//!
//! A spec may hold raw escape sequences, Unicode line separators or a 100 MB line; the
//! terminal of a CI log must see none of that. An excerpt holds the lines around the
//! labels only (at most [`MAX_LINES`]), each cut to a window of at most [`MAX_LINE_CHARS`]
//! characters around its first label, with every character that could act on a terminal
//! replaced by a visible stand-in. Line and column numbers stay those of the file.

use std::fmt::Write;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::line_col;

/// Most characters shown of one source line.
pub const MAX_LINE_CHARS: usize = 160;
/// Most source lines shown for one diagnostic.
pub const MAX_LINES: usize = 12;
/// Most characters of a message, label or help line.
pub const MAX_TEXT_CHARS: usize = 1000;

/// `text` made safe for a terminal: control characters (C0 except tab and line feed, DEL,
/// C1), Unicode line and paragraph separators and bidirectional controls become
/// visible stand-ins, and text beyond [`MAX_TEXT_CHARS`] is cut with a note.
pub fn terminal_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_CHARS * 4));
    for (count, c) in text.chars().enumerate() {
        if count == MAX_TEXT_CHARS {
            let _ = write!(out, "… ({} more characters)", text.chars().count() - count);
            break;
        }
        out.push(match c {
            '\n' | '\t' => c,
            c => visible(c),
        });
    }
    out
}

/// The stand-in for one character of an excerpt line (tab and line feed included).
fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        c if c.is_control() => '\u{FFFD}',
        '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}' => '\u{FFFD}',
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
        c => c,
    }
}

/// One excerpt line: where it came from and how its window maps.
#[derive(Debug)]
struct Line {
    /// 0-based line number in the file.
    number: usize,
    /// Byte range of the shown window in the file.
    window: (usize, usize),
    /// Byte offset of the line in the excerpt.
    start: usize,
    /// Whether an ellipsis precedes the window.
    cut_before: bool,
}

/// A bounded view of one file for miette.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    file: std::sync::Arc<str>,
    text: String,
    lines: Vec<Line>,
}

impl Excerpt {
    /// The excerpt of `file` (named `name`) around `spans` (byte ranges of the file).
    pub fn new(name: &str, file: std::sync::Arc<str>, spans: &[(usize, usize)]) -> Excerpt {
        let starts = line_starts(&file);
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let mut wanted: Vec<usize> = Vec::new();
        for &(start, len) in spans {
            let first = line_of(start);
            let last = line_of(start + len.saturating_sub(1)).max(first);
            let from = first.saturating_sub(1);
            let to = (last + 1).min(starts.len() - 1).min(from + MAX_LINES - 1);
            wanted.extend(from..=to);
        }
        wanted.sort_unstable();
        wanted.dedup();
        wanted.truncate(MAX_LINES);
        let mut excerpt = Excerpt {
            name: terminal_text(name),
            file: file.clone(),
            text: String::new(),
            lines: Vec::new(),
        };
        for number in wanted {
            let line_start = starts[number];
            let mut line_end = starts.get(number + 1).map_or(file.len(), |&next| next - 1);
            if file[line_start..line_end].ends_with('\r') {
                line_end -= 1;
            }
            let focus = spans
                .iter()
                .map(|&(s, _)| s)
                .filter(|&s| s >= line_start && s <= line_end)
                .min()
                .unwrap_or(line_start);
            excerpt.push_line(number, line_start, line_end, focus);
        }
        excerpt
    }

    fn push_line(&mut self, number: usize, line_start: usize, line_end: usize, focus: usize) {
        let line = &self.file[line_start..line_end];
        let total = line.chars().count();
        let (from, to) = if total <= MAX_LINE_CHARS {
            (line_start, line_end)
        } else {
            // A window of MAX_LINE_CHARS characters starting a little before the focus.
            let focus_char = self.file[line_start..focus].chars().count();
            let first = focus_char.saturating_sub(MAX_LINE_CHARS / 4);
            let byte = |n: usize| {
                line.char_indices()
                    .nth(n)
                    .map_or(line_end, |(i, _)| line_start + i)
            };
            (byte(first), byte(first + MAX_LINE_CHARS))
        };
        if !self.lines.is_empty() {
            self.text.push('\n');
        }
        let start = self.text.len();
        let cut_before = from > line_start;
        if cut_before {
            self.text.push('…');
        }
        self.text.extend(self.file[from..to].chars().map(visible));
        if to < line_end {
            self.text.push('…');
        }
        self.lines.push(Line {
            number,
            window: (from, to),
            start,
            cut_before,
        });
    }

    /// The excerpt offset of file offset `offset`, if its line is shown (clamped into the
    /// window).
    fn map(&self, offset: usize) -> Option<usize> {
        let line = self
            .lines
            .iter()
            .rev()
            .find(|l| self.line_start_in_file(l) <= offset)?;
        let end_of_line = self.file[line.window.1..]
            .find('\n')
            .map_or(self.file.len(), |i| line.window.1 + i);
        if offset > end_of_line {
            return None;
        }
        let clamped = offset.clamp(line.window.0, line.window.1);
        let mut out = line.start + if line.cut_before { '…'.len_utf8() } else { 0 };
        out += self.file[line.window.0..clamped]
            .chars()
            .map(|c| visible(c).len_utf8())
            .sum::<usize>();
        Some(out)
    }

    fn line_start_in_file(&self, line: &Line) -> usize {
        self.file[..line.window.0].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The excerpt span of a file span, if its start line is shown.
    pub fn span(&self, start: usize, len: usize) -> Option<SourceSpan> {
        let from = self.map(start)?;
        let to = self.map(start + len).unwrap_or(from).max(from);
        Some(SourceSpan::from((from, to - from)))
    }

    /// The file line (0-based) and the excerpt line index holding excerpt offset `at`.
    fn line_at(&self, at: usize) -> &Line {
        let i = self
            .lines
            .partition_point(|l| l.start <= at)
            .saturating_sub(1);
        &self.lines[i]
    }

    /// The file offset of excerpt offset `at` (for the position in the header).
    fn unmap(&self, at: usize) -> usize {
        let line = self.line_at(at);
        let mut skip = at.saturating_sub(line.start);
        if line.cut_before {
            skip = skip.saturating_sub('…'.len_utf8());
        }
        let mut offset = line.window.0;
        for c in self.file[line.window.0..line.window.1].chars() {
            let width = visible(c).len_utf8();
            if skip < width {
                break;
            }
            skip -= width;
            offset += c.len_utf8();
        }
        offset
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        let first = self.line_at(inner.span().offset());
        // Shown lines are consecutive within a block; the gutter numbers come from the
        // first line of the block, the header position from the file itself.
        let pos = line_col(&self.file, self.unmap(span.offset()));
        let (line, column) = if context_lines_before == 0 && context_lines_after == 0 {
            (pos.line - 1, pos.column - 1)
        } else {
            (first.number, inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_neutralises_controls_and_bounds_length() {
        assert_eq!(terminal_text("a\u{1b}[2Jb\u{7}"), "a\u{FFFD}[2Jb\u{FFFD}");
        assert_eq!(terminal_text("x\u{2028}y\u{202E}z"), "x\u{FFFD}y\u{FFFD}z");
        let long = "a".repeat(MAX_TEXT_CHARS + 5);
        assert!(terminal_text(&long).ends_with("… (5 more characters)"));
    }

    #[test]
    fn long_lines_are_cut_around_the_label() {
        let text: std::sync::Arc<str> = format!(
            "a: 1\nb: {}TARGET{}\nc: 2\n",
            "x".repeat(5000),
            "y".repeat(5000)
        )
        .into();
        let at = text.find("TARGET").unwrap();
        let e = Excerpt::new("f.yaml", text.clone(), &[(at, 6)]);
        assert!(e.text.len() < 3 * MAX_LINE_CHARS, "{}", e.text.len());
        let span = e.span(at, 6).unwrap();
        assert_eq!(&e.text[span.offset()..span.offset() + span.len()], "TARGET");
        assert_eq!(e.unmap(span.offset()), at);
        assert!(e.text.starts_with("a: 1\n…"));
    }
}
