//! Glob patterns for `--exclude` and `exclude` in `sloxide.toml`, matched against a spec's
//! shown path (`specs/drafts/a.yaml`): `*` matches within one path segment, `**` across
//! segments, `?` one character; everything else literally.

/// Longest pattern accepted (the project file is pull-request input).
pub const MAX_PATTERN: usize = 256;
/// Most patterns in one run.
pub const MAX_PATTERNS: usize = 64;

/// Whether `path` matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    // Bounded: the spec paths and patterns are short, and each (pattern, path) position
    // pair is tried at most once thanks to the memo.
    let mut memo = vec![vec![None; s.len() + 1]; p.len() + 1];
    step(&p, &s, 0, 0, &mut memo)
}

fn step(p: &[char], s: &[char], i: usize, j: usize, memo: &mut [Vec<Option<bool>>]) -> bool {
    if let Some(v) = memo[i][j] {
        return v;
    }
    let v = match p.get(i) {
        None => j == s.len(),
        Some('*') if p.get(i + 1) == Some(&'*') => {
            if p.get(i + 2) == Some(&'/') {
                // `**/`: no directory at all, or one or more whole directories.
                step(p, s, i + 3, j, memo)
                    || (j..s.len())
                        .filter(|k| s[*k] == '/')
                        .any(|k| step(p, s, i + 3, k + 1, memo))
            } else {
                // A trailing or inner `**`: anything, across segments.
                (j..=s.len()).any(|k| step(p, s, i + 2, k, memo))
            }
        }
        Some('*') => {
            let mut k = j;
            loop {
                if step(p, s, i + 1, k, memo) {
                    break true;
                }
                if k == s.len() || s[k] == '/' {
                    break false;
                }
                k += 1;
            }
        }
        Some('?') => j < s.len() && s[j] != '/' && step(p, s, i + 1, j + 1, memo),
        Some(c) => j < s.len() && s[j] == *c && step(p, s, i + 1, j + 1, memo),
    };
    memo[i][j] = Some(v);
    v
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn segments_and_recursion() {
        assert!(matches("specs/drafts/*", "specs/drafts/a.yaml"));
        assert!(!matches("specs/drafts/*", "specs/drafts/x/a.yaml"));
        assert!(matches("specs/**/*.yaml", "specs/a.yaml"));
        assert!(matches("specs/**/*.yaml", "specs/x/y/a.yaml"));
        assert!(matches("**/k8s/*", "deploy/k8s/app.yaml"));
        assert!(matches("?.yaml", "a.yaml"));
        assert!(!matches("*.yaml", "dir/a.yaml"));
        assert!(!matches("specs/*", "other/a.yaml"));
        // `**/` stands for whole directories, never part of a name.
        assert!(!matches("**/k8s/*", "deploy/myk8s/app.yaml"));
        assert!(!matches("specs/**/a.yaml", "specs/xa.yaml"));
        assert!(matches("vendor/**", "vendor/x/y.yaml"));
    }
}
